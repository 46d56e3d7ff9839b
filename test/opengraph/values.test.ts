import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TripleSet } from '../../src/import/opengraph-values.js';

describe('import/opengraph-values TripleSet', () => {
  it('should report each triple new exactly once, across growth, like a set of strings', () => {
    const small = fc.integer({ min: 0, max: 40 });
    fc.assert(
      fc.property(fc.array(fc.tuple(small, small, fc.integer({ min: 0, max: 47 })), { maxLength: 400 }), (triples) => {
        const set = new TripleSet(1);
        const strings = new Set<string>();
        for (const [a, b, c] of triples) {
          const key = `${a},${b},${c}`;
          expect(set.add(a, b, c)).toBe(!strings.has(key));
          strings.add(key);
        }
      }),
    );
  });
});
