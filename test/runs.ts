/**
 * A property's run count: `n`, or `FC_NUM_RUNS` when set (test/setup.ts). A property's own
 * `numRuns` wins over fast-check's global setting, so every property asks for its count here.
 */
export function runs(n: number): { numRuns: number } {
  const forced = process.env.FC_NUM_RUNS;
  return { numRuns: forced === undefined ? n : Number(forced) };
}
