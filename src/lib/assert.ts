/** Exhaustiveness guard for `switch` statements over literal unions. */
export function assertNever(value: never): never {
  throw new Error(`assertNever: unexpected value ${JSON.stringify(value)}`);
}
