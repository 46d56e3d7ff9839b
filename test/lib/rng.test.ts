import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import {
  createRng,
  deriveSeed,
  keyedHalfPrefix,
  keyedPrefix,
  keyedPrefixAt,
  keyedUniform,
  keyedUniformAt,
} from '../../src/lib/rng.js';

describe('lib/rng', () => {
  it('should derive the same uint32 seed from the same parts, and different seeds from different parts', () => {
    expect(deriveSeed(7, 'ci', 'persistent', 'secret-replay', 0)).toBe(deriveSeed(7, 'ci', 'persistent', 'secret-replay', 0));
    expect(deriveSeed(7, 'ci', 'persistent', 'secret-replay', 0)).not.toBe(deriveSeed(7, 'ci', 'persistent', 'secret-replay', 1));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer())), (parts) => {
        const s = deriveSeed(...parts);
        expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
      }),
    );
  });

  it('should replay the same stream for the same seed, in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createRng(43)()).not.toBe(xs[0]);
  });

  it("should be seedrandom's alea stream of the seed, however late its first draw", () => {
    // Seeded at its first draw (most trials never draw): the stream is the one the seed gives.
    const alea = seedrandom.alea('42');
    const late = createRng(42);
    deriveSeed(1, 'work in between');
    expect(Array.from({ length: 5 }, () => late())).toEqual(Array.from({ length: 5 }, () => alea()));
  });

  it('should give keyed draws that depend only on seed and key, roughly uniform', () => {
    expect(keyedUniform(1, 2, 3, 4, 5)).toBe(keyedUniform(1, 2, 3, 4, 5));
    expect(keyedUniform(1, 2, 3, 4, 5)).not.toBe(keyedUniform(1, 2, 3, 5, 4));
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = keyedUniform(9, 0, i, 0, 0);
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
  });

  it('should keep every keyed draw it ever gave (results files depend on them)', () => {
    // Values of the first implementation: a change here changes every cost and detection draw.
    expect(keyedUniform(0, 0, 0, 0, 0)).toBe(0.23840202460996807);
    expect(keyedUniform(1, 2, 3, 4, 5)).toBe(0.16604501008987427);
    expect(keyedUniform(4294967295, 123456, 7, 99, 1)).toBe(0.7338263366837054);
    expect(keyedUniform(2407458987, -1, 0, 2, 3)).toBe(0.01699424651451409);
  });

  it('should give the same draw from a shared prefix as in one call', () => {
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    const key = fc.integer({ min: -1, max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(u32, key, key, key, key, (seed, a, b, c, d) => {
        expect(keyedUniformAt(keyedPrefix(seed, a, b), c, d)).toBe(keyedUniform(seed, a, b, c, d));
        expect(keyedUniformAt(keyedPrefixAt(keyedHalfPrefix(seed, a), b), c, d)).toBe(keyedUniform(seed, a, b, c, d));
      }),
    );
  });
});
