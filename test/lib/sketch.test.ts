import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum } from '../../src/lib/exact-sum.js';
import { EXACT_DISTINCT, QuantileSketch, SKETCH_ALPHA } from '../../src/lib/sketch.js';
import { MetricAccumulator, quantile } from '../../src/lib/stats.js';
import { MetricPartial } from '../../src/metrics/partial.js';
import { runs } from '../runs.js';

/** Non-negative metric-like values: small integers (exact regime) or wide-ranging decimals (sketch regime). */
const decimal = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }).map((x) => Math.round(x * 1e6) / 1e6);
const value = fc.oneof(fc.integer({ min: 0, max: 40 }), decimal);
/** A sample with its split into parts (cut points) and the order the parts merge in. */
const split = fc
  .record({
    values: fc.oneof(
      fc.array(value, { minLength: 1, maxLength: 300 }),
      fc
        .record({
          n: fc.integer({ min: 2100, max: 4000 }),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
          spread: fc.double({ min: 0.5, max: 12, noNaN: true }),
        })
        // Log-uniform values over `spread` decades, 6 decimals, as metrics are written: mostly distinct.
        .map(({ n, seed, spread }) => {
          let x = seed;
          return Array.from({ length: n }, () => {
            x = (x * 48271) % 2147483647;
            return Math.round(10 ** ((x / 2147483647) * spread - 3) * 1e6) / 1e6;
          });
        }),
    ),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
    seed: fc.integer(),
  })
  .map(({ values, cuts, seed }) => {
    const at = [...new Set(cuts.map((c) => Math.floor(c * values.length)))].sort((a, b) => a - b);
    const parts: number[][] = [];
    let start = 0;
    for (const end of [...at, values.length]) {
      parts.push(values.slice(start, end));
      start = end;
    }
    // A deterministic shuffle of the parts (merge order must not matter).
    const order = parts.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13) || a - b);
    return { values, parts: order.map((i) => parts[i]!) };
  });

function sketchOf(values: readonly number[]): QuantileSketch {
  const s = new QuantileSketch();
  for (const v of values) s.add(v);
  return s;
}

/** |estimate − exact| ≤ α·|exact| (plus a rounding hair for values on a bucket boundary). */
function withinBound(estimate: number | null, exact: number | null): boolean {
  if (estimate === null || exact === null) return estimate === exact;
  return Math.abs(estimate - exact) <= SKETCH_ALPHA * Math.abs(exact) * (1 + 1e-9) + 1e-12;
}

describe('lib/sketch: mergeable quantiles', () => {
  it('should give, merged over any split in any order, the same sketch as one fed everything, and p50/p95 within the bound', () => {
    let buckets = 0;
    fc.assert(
      fc.property(split, ({ values, parts }) => {
        const whole = sketchOf(values);
        const merged = new QuantileSketch();
        for (const part of parts) merged.merge(sketchOf(part));
        expect(JSON.stringify(merged.toJSON())).toBe(JSON.stringify(whole.toJSON()));
        expect(JSON.stringify(QuantileSketch.fromJSON(JSON.parse(JSON.stringify(merged))).toJSON())).toBe(
          JSON.stringify(whole.toJSON()),
        );
        for (const p of [0.5, 0.95]) {
          const exact = quantile(values, p);
          const estimate = merged.quantile(p);
          if (merged.isExact) expect(estimate).toBe(exact);
          else {
            buckets++;
            expect(withinBound(estimate, exact), `p${p * 100}: ${estimate} vs exact ${exact}`).toBe(true);
          }
        }
      }),
      runs(60),
    );
    // Both regimes are exercised.
    expect(buckets).toBeGreaterThan(0);
  });

  it('should switch to buckets past EXACT_DISTINCT distinct values and stay within the bound there', () => {
    const values = Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919) % 4999) / 7);
    const sketch = sketchOf(values);
    expect(sketch.isExact).toBe(false);
    expect(new Set(values).size).toBeGreaterThan(EXACT_DISTINCT);
    for (const p of [0.5, 0.95]) expect(withinBound(sketch.quantile(p), quantile(values, p))).toBe(true);
    // A deliberately wrong bound would fail: the sketch is not exact here.
    expect(sketch.quantile(0.5)).not.toBe(quantile(values, 0.5));
  });

  it('should sum exactly: any split and order gives the same correctly rounded sum and canonical form', () => {
    fc.assert(
      fc.property(split, ({ values, parts }) => {
        const whole = new ExactSum();
        for (const v of values) whole.add(v);
        const merged = new ExactSum();
        for (const part of [...parts].reverse()) {
          const s = new ExactSum();
          for (const v of [...part].reverse()) s.add(v);
          merged.merge(ExactSum.of(s.canonical()));
        }
        expect(merged.value()).toBe(whole.value());
        expect(merged.canonical()).toEqual(whole.canonical());
      }),
      runs(60),
    );
    // 1e16 + 1 + 1 − 1e16: naive summation in this order gives 0 or 4; the exact sum is 2.
    expect(new ExactSum().add(1e16).add(1).add(1).add(-1e16).value()).toBe(2);
  });

  it('should give the statistics of all values: n, min, max exact, mean and stddev to rounding, quantiles within the bound', () => {
    fc.assert(
      fc.property(split, ({ values, parts }) => {
        const all = new MetricAccumulator();
        for (const v of values) all.add(v);
        const merged = new MetricPartial();
        for (const part of parts) {
          const p = new MetricPartial();
          for (const v of part) p.add(v);
          merged.merge(MetricPartial.fromJSON(JSON.parse(JSON.stringify(p))));
        }
        const want = all.stats('student-t');
        const got = merged.stats('student-t');
        expect([got.n, got.min, got.max]).toEqual([want.n, want.min, want.max]);
        expect(got.mean!).toBeCloseTo(want.mean!, 6);
        if (want.stddev === null) expect(got.stddev).toBeNull();
        else expect(Math.abs(got.stddev! - want.stddev)).toBeLessThanOrEqual(1e-9 * Math.max(1, want.stddev));
        expect(withinBound(got.p50, want.p50) && withinBound(got.p95, want.p95)).toBe(true);
      }),
      runs(40),
    );
  });
});
