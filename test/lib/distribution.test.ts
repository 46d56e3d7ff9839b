import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalQuantile, sampleAt, upperBound } from '../../src/lib/distribution.js';

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
});
