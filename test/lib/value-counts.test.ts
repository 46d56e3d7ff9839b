/** lib/value-counts.ts: an exact multiset whose quantiles equal those of the sorted values, split or whole. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValueCounts } from '../../src/lib/value-counts.js';

/** Whole milliseconds (the common case), big whole values, fractions and negatives. */
const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 2000 }),
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
);

function countsOf(values: readonly number[]): ValueCounts {
  const counts = new ValueCounts();
  for (const v of values) counts.add(v);
  return counts;
}

describe('lib/value-counts', () => {
  it('should give the value a sort of every value has at index ⌈q·n⌉ − 1', () => {
    fc.assert(
      fc.property(
        fc.array(valueArb, { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (values, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          expect(countsOf(values).nearestRank(q)).toBe(sorted[Math.ceil(q * values.length) - 1]);
          expect(countsOf(values).nearestRank(0.95)).toBe(sorted[Math.ceil(0.95 * values.length) - 1]);
        },
      ),
    );
  });

  it('should list each distinct value once, ascending, with its count', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { maxLength: 300 }), (values) => {
        const { values: distinct, counts } = countsOf(values).entries();
        const expected = [...new Set(values)].sort((a, b) => a - b);
        expect([...distinct]).toEqual(expected);
        expect([...counts]).toEqual(expected.map((v) => values.filter((x) => x === v).length));
      }),
    );
  });

  it('should merge the counts of any split into the counts of the whole', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { maxLength: 300 }), fc.nat(), (values, cut) => {
        const at = values.length === 0 ? 0 : cut % (values.length + 1);
        const merged = countsOf(values.slice(at));
        const { values: other, counts } = countsOf(values.slice(0, at)).entries();
        other.forEach((v, i) => merged.add(v, counts[i]));
        const whole = countsOf(values);
        expect(merged.entries()).toEqual(whole.entries());
        expect(merged.size).toBe(values.length);
        expect(merged.nearestRank(0.95)).toBe(whole.nearestRank(0.95));
      }),
    );
  });

  it('should read 0 from an empty multiset', () => {
    expect(new ValueCounts().nearestRank(0.95)).toBe(0);
  });
});
