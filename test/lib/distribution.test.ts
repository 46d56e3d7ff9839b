import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalQuantile, sampleAt, Sampler, upperBound, type Distribution } from '../../src/lib/distribution.js';
import { runs } from '../runs.js';

describe('lib/distribution', () => {
  it('should return the fixed value whatever the uniform', () => {
    expect(sampleAt({ kind: 'fixed', valueMs: 1234 }, 0.99)).toBe(1234);
  });

  it('should invert the exponential CDF (median = mean·ln 2)', () => {
    expect(sampleAt({ kind: 'exponential', meanMs: 1000 }, 0)).toBe(0);
    expect(sampleAt({ kind: 'exponential', meanMs: 1000 }, 0.5)).toBe(Math.round(1000 * Math.LN2));
  });

  it('should put the lognormal median at u = 0.5', () => {
    expect(sampleAt({ kind: 'lognormal', medianMs: 3000, sigma: 1 }, 0.5)).toBe(3000);
    expect(sampleAt({ kind: 'lognormal', medianMs: 3000, sigma: 1 }, 0.8413447)).toBeCloseTo(3000 * Math.E, -1);
  });

  it('should interpolate the uniform linearly', () => {
    expect(sampleAt({ kind: 'uniform', minMs: 100, maxMs: 200 }, 0.25)).toBe(125);
  });

  it('should invert the standard normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('should give integer, non-negative draws within the upper bound', () => {
    const dist = fc.oneof(
      fc.nat({ max: 1e9 }).map((valueMs) => ({ kind: 'fixed' as const, valueMs })),
      fc.integer({ min: 1, max: 1e9 }).map((meanMs) => ({ kind: 'exponential' as const, meanMs })),
      fc
        .tuple(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 0, max: 10, noNaN: true }))
        .map(([medianMs, sigma]) => ({ kind: 'lognormal' as const, medianMs, sigma })),
      fc
        .tuple(fc.nat({ max: 1e9 }), fc.nat({ max: 1e9 }))
        .map(([a, b]) => ({ kind: 'uniform' as const, minMs: Math.min(a, b), maxMs: Math.max(a, b) })),
    );
    fc.assert(
      fc.property(dist, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (d, u) => {
        const x = sampleAt(d, u);
        expect(Number.isInteger(x) && x >= 0).toBe(true);
        expect(x).toBeLessThanOrEqual(upperBound(d));
      }),
    );
  });

  describe('draw tables', () => {
    type Drawn = Extract<Distribution, { kind: 'exponential' | 'lognormal' }>;
    /** The draw as SPEC'd: the inverse CDF at u, rounded to whole milliseconds (computed here, never tabled). */
    const reference = (d: Drawn, u: number): number =>
      d.kind === 'exponential'
        ? Math.round(-d.meanMs * Math.log(1 - u)) || 0
        : Math.round(d.medianMs * Math.exp(d.sigma * normalQuantile(u)));
    /** The largest double below x > 0. */
    const below = (x: number): number => {
      const bits = new BigUint64Array(new Float64Array([x]).buffer);
      bits[0]! -= 1n;
      return new Float64Array(bits.buffer)[0]!;
    };
    /** A fresh distribution drawn often enough to have its table (tables are per distribution object). */
    const tabled = (d: Drawn): Drawn => {
      const fresh = { ...d };
      for (let i = 0; i < 5000; i++) sampleAt(fresh, (i + 0.5) / 5000);
      return fresh;
    };
    const BINS = 1 << 14;

    it('should draw from its table exactly what it computes, at both ends and inside every interval', () => {
      const shipped: Drawn[] = [
        { kind: 'lognormal', medianMs: 40, sigma: 0.5 },
        { kind: 'lognormal', medianMs: 86_400_000, sigma: 1 },
        { kind: 'lognormal', medianMs: 250, sigma: 2.5 },
        { kind: 'exponential', meanMs: 3_600_000 },
        { kind: 'exponential', meanMs: 3 },
      ];
      for (const d of shipped.map(tabled)) {
        for (let bin = 0; bin < BINS; bin++) {
          for (const u of [bin / BINS, below((bin + 1) / BINS), (bin + 0.37) / BINS, (bin + 0.5) / BINS]) {
            if (sampleAt(d, u) !== reference(d, u))
              expect({ d, u, draw: sampleAt(d, u) }).toEqual({ d, u, draw: reference(d, u) });
          }
        }
      }
    });

    it('should draw exactly what it computes for any exponential or lognormal', () => {
      const drawn = fc.oneof(
        fc.integer({ min: 1, max: 1e9 }).map((meanMs): Drawn => ({ kind: 'exponential', meanMs })),
        fc
          .tuple(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 0, max: 4, noNaN: true }))
          .map(([medianMs, sigma]): Drawn => ({ kind: 'lognormal', medianMs, sigma })),
      );
      fc.assert(
        fc.property(
          drawn,
          fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 50 }),
          (d, us) => {
            const t = tabled(d);
            for (const u of us) expect(sampleAt(t, u)).toBe(reference(d, u));
          },
        ),
        runs(60),
      );
    });

    it('should draw with a Sampler exactly what sampleAt draws, before and after the table exists', () => {
      const d: Drawn = { kind: 'lognormal', medianMs: 40, sigma: 0.5 };
      const sampler = new Sampler(d);
      // 5000 draws: the table is built at the 4096th, and the sampler holds it from the next one.
      for (let i = 0; i < 5000; i++) {
        const u = ((i * 7919) % 5000) / 5000;
        expect(sampler.at(u)).toBe(reference(d, u));
      }
      for (const u of [0, 0.02425, 0.5, 1 - 0.02425, 0.999999]) expect(sampler.at(u)).toBe(reference(d, u));
      const fixed = new Sampler({ kind: 'fixed', valueMs: 12 });
      expect(fixed.at(0.3)).toBe(12);
    });
  });
});
