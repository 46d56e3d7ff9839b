import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MetricAccumulator,
  Z95,
  mean,
  quantile,
  stddev,
  studentTCdf,
  studentTQuantile,
  tInterval95,
  wilsonInterval95,
} from '../../src/lib/stats.js';

const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
  minLength: 1,
  maxLength: 60,
});

describe('stats', () => {
  it('should match published Student-t quantiles t(0.975, df)', () => {
    // Reference values: R qt(0.975, df) / scipy.stats.t.ppf(0.975, df).
    const known: [number, number][] = [
      [1, 12.706204736174707],
      [2, 4.302652729749464],
      [3, 3.182446305284263],
      [5, 2.570581835636314],
      [10, 2.228138851986274],
      [30, 2.042272456301238],
      [100, 1.983971518523552],
      [1000, 1.9623390808264083],
    ];
    for (const [df, t] of known) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 9);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(Z95, 5);
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-2.570581835636314, 9);
  });

  it('should invert its own CDF', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.51, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 500 }), (p, df) => {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
      }),
    );
  });

  it('should give the textbook t interval for a small sample', () => {
    // x = 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s = 2.138089935, t(0.975, 7) = 2.364624251592784 (scipy).
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(x)).toBe(5);
    expect(stddev(x)).toBeCloseTo(2.138089935299395, 12);
    const ci = tInterval95(5, stddev(x) ?? 0, x.length);
    expect(ci?.low).toBeCloseTo(3.21251208176379, 10);
    expect(ci?.high).toBeCloseTo(6.787487918236209, 10);
  });

  it('should give the Wilson score interval for 0/1 outcomes', () => {
    // Reference: R binom::binom.wilson / statsmodels proportion_confint(method='wilson').
    const a = wilsonInterval95(3, 10);
    expect(a?.low).toBeCloseTo(0.1077913, 6);
    expect(a?.high).toBeCloseTo(0.6032219, 6);
    const none = wilsonInterval95(0, 20);
    expect(none?.low).toBe(0);
    expect(none?.high).toBeCloseTo(0.1611251, 6);
    const all = wilsonInterval95(20, 20);
    expect(all?.low).toBeCloseTo(0.8388749, 6);
    expect(all?.high).toBe(1);
    expect(wilsonInterval95(0, 0)).toBeNull();
  });

  it('should compute type-7 quantiles (linear interpolation)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.95)).toBe(48);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('should leave undefined statistics empty for tiny samples', () => {
    const acc = new MetricAccumulator();
    expect(acc.stats('student-t')).toMatchObject({ n: 0, mean: null, ci95: null, p50: null });
    acc.add(4);
    expect(acc.stats('student-t')).toMatchObject({ n: 1, mean: 4, stddev: null, ci95: null, min: 4, max: 4 });
    expect(() => acc.add(Number.NaN)).toThrow(RangeError);
  });

  it('should keep the mean and quantiles within [min, max] and the CI around the mean', () => {
    fc.assert(
      fc.property(sample, (xs) => {
        const acc = new MetricAccumulator(1);
        for (const x of xs) acc.add(x);
        const s = acc.stats('student-t');
        const min = s.min ?? NaN;
        const max = s.max ?? NaN;
        const tol = 1e-9 * Math.max(1, Math.abs(min), Math.abs(max));
        expect(s.mean).toBeGreaterThanOrEqual(min - tol);
        expect(s.mean).toBeLessThanOrEqual(max + tol);
        expect(s.p50).toBeGreaterThanOrEqual(min);
        expect(s.p95).toBeLessThanOrEqual(max);
        expect(s.p50).toBeLessThanOrEqual(s.p95 ?? NaN);
        // The interval exists whenever there are at least two values, and brackets the mean.
        expect(s.ci95 === null).toBe(s.n < 2);
        if (s.ci95 !== null) {
          expect(s.ci95.low).toBeLessThanOrEqual(s.mean ?? NaN);
          expect(s.ci95.high).toBeGreaterThanOrEqual(s.mean ?? NaN);
        }
      }),
    );
  });

  it('should contain the observed proportion in the Wilson interval, inside [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), (bits) => {
        const acc = new MetricAccumulator();
        for (const b of bits) acc.add(b ? 1 : 0);
        const s = acc.stats('wilson');
        expect(s.ci95?.low).toBeGreaterThanOrEqual(0);
        expect(s.ci95?.high).toBeLessThanOrEqual(1);
        expect(s.ci95?.low).toBeLessThanOrEqual(s.mean ?? NaN);
        expect(s.ci95?.high).toBeGreaterThanOrEqual(s.mean ?? NaN);
      }),
    );
  });

  it('should give exactly the same statistics for merged shards as for one accumulator', () => {
    fc.assert(
      fc.property(sample, sample, fc.constantFrom('student-t' as const, 'wilson' as const), (xs, ys, method) => {
        const whole = new MetricAccumulator();
        const a = new MetricAccumulator();
        const b = new MetricAccumulator();
        for (const x of xs) {
          whole.add(x);
          a.add(x);
        }
        for (const y of ys) {
          whole.add(y);
          b.add(y);
        }
        expect(a.merge(b).stats(method)).toEqual(whole.stats(method));
      }),
    );
  });
});
