/**
 * Duration strings ↔ integer milliseconds (SPEC §6): `250ms`, `30s`, `15m`, `2h`, `7d`, and `never`
 * where a caller allows it. Throws plain Errors; the scenario schema turns them into issues.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Units from largest to smallest: `formatDuration` picks the first that divides exactly. */
const UNITS_DESC: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

/** The accepted syntax of a finite duration. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** The largest duration accepted anywhere: 100 years (365-day years). Larger values are typos. */
export const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d;

/** Parses a finite duration like `15m` into integer milliseconds (rounded); throws on bad syntax, `never` or > 100 years. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) {
    throw new Error(`parseDuration: expected a duration like 250ms, 30s, 15m, 2h or 7d (got ${JSON.stringify(text)})`);
  }
  const [, amount = '', unit = 'ms'] = match;
  const ms = Math.round(Number(amount) * UNIT_MS[unit as Unit]);
  if (!(ms <= MAX_DURATION_MS)) {
    throw new Error(`parseDuration: ${JSON.stringify(text)} is longer than 100 years`);
  }
  return ms;
}

/** Like `parseDuration`, but `never` is accepted and becomes `Infinity`. */
export function parseDurationOrNever(text: string): number {
  return text === 'never' ? Infinity : parseDuration(text);
}

/** Formats milliseconds in the largest unit that represents them exactly (900000 → `15m`); `Infinity` → `never`. */
export function formatDuration(ms: number): string {
  if (ms === Infinity) return 'never';
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new Error(`formatDuration: expected a non-negative integer number of milliseconds (got ${ms})`);
  }
  if (ms === 0) return '0ms';
  for (const unit of UNITS_DESC) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`; // unreachable: every integer is a multiple of 1ms
}
