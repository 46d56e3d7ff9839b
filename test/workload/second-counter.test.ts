import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecondCounter } from '../../src/workload/second-counter.js';

const DAY = 86_400_000;

/** The counts a pass's bumps should give, per second. */
function expected(bumps: readonly (readonly [number, number])[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [second, n] of bumps) counts.set(second, (counts.get(second) ?? 0) + n);
  return counts;
}

function drained(counter: SecondCounter): Map<number, number> {
  const { seconds, counts } = counter.drain();
  return new Map([...seconds].map((s, i) => [s, counts[i]!]));
}

describe('workload/second-counter', () => {
  it('should count every second exactly and give the busiest, dense or sparse, pass after pass', () => {
    // Horizons from a day (dense when busy) to 10 years (past the dense limit); occurrence hints from
    // tiny to far more than the pass counts. Seconds on a schedule (multiples of an hour) share their
    // low bits, which the table's hash must spread.
    const pass = fc.record({
      horizonDays: fc.constantFrom(1, 30, 150, 3650),
      occurrences: fc.constantFrom(0, 10, 5_000, 200_000),
      bumps: fc.array(
        fc.tuple(
          fc.oneof(
            fc.nat(3650 * 86_400),
            fc.nat(2000).map((h) => h * 3600),
          ),
          fc.integer({ min: 1, max: 5 }),
        ),
        // Up to thousands of seconds, so the table grows within a pass.
        { maxLength: 3000, size: 'max' },
      ),
    });
    fc.assert(
      fc.property(fc.array(pass, { minLength: 1, maxLength: 4 }), (passes) => {
        for (const { horizonDays, occurrences, bumps } of passes) {
          const counter = new SecondCounter(horizonDays * DAY, occurrences);
          for (const [second, n] of bumps) counter.bumpSecond(second, n);
          const want = expected(bumps);
          expect(counter.peak()).toBe(Math.max(0, ...want.values()));
          expect(drained(counter)).toEqual(want);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('should start each pass empty after a pass that grew the table', () => {
    const big = new SecondCounter(3650 * DAY, 10);
    for (let s = 0; s < 200_000; s++) big.bumpSecond(s * 7, 2);
    expect(big.peak()).toBe(2);
    const { seconds, counts } = big.drain();
    expect(new Set(seconds).size).toBe(200_000);
    expect([...seconds].every((s) => s % 7 === 0 && s < 1_400_000)).toBe(true);
    expect(counts.every((c) => c === 2)).toBe(true);
    const small = new SecondCounter(3650 * DAY, 10);
    small.bump(7_000);
    small.bump(7_999);
    expect(small.peak()).toBe(2);
    expect(drained(small)).toEqual(new Map([[7, 2]]));
  });
});
