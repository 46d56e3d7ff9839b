import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SummaryRow } from '../../src/metrics/summary.js';
import { recommend, type PolicyStanding } from '../../src/report/recommend.js';

function blast(mean: number | null, low = mean, high = mean): SummaryRow {
  return {
    scenario: 's',
    policy: 'p',
    attack: 'a',
    metric: 'blast_radius',
    n: 100,
    mean,
    stddev: null,
    p50: null,
    p95: null,
    min: null,
    max: null,
    ci95_low: low,
    ci95_high: high,
  };
}

function standing(
  policy: string,
  b: SummaryRow | undefined,
  tasksFailed: number | null,
  tokensIssued: number | null,
): PolicyStanding {
  return { policy, blast: b, tasksFailed, tokensIssued };
}

describe('report/recommend', () => {
  it('should recommend the cheapest of tied policies, not the first (cloudflare-2023: hybrid over oauth-1h)', () => {
    const rec = recommend(
      [
        standing('persistent', blast(6.2, 5.1, 7.3), 0, 0),
        standing('oauth-1h', blast(0), 1.76, 3600),
        standing('hybrid', blast(0), 0.03, 13.9),
      ],
      'persistent',
    );
    expect(rec).toMatchObject({
      state: 'policy',
      policy: 'hybrid',
      candidates: ['hybrid', 'oauth-1h'],
      reason: { code: 'fewer-failed-tasks' },
    });
  });

  it('should break equal failed tasks on tokens issued', () => {
    const rec = recommend(
      [
        standing('base', blast(5, 4, 6), 0, 0),
        standing('a', blast(1, 0.5, 1.5), 0, 900),
        standing('b', blast(1.2, 0.7, 1.7), 0, 40),
      ],
      'base',
    );
    expect(rec).toMatchObject({ state: 'policy', policy: 'b', reason: { code: 'fewer-tokens' } });
  });

  it('should exclude a cheaper policy whose blast radius is worse beyond the intervals', () => {
    const rec = recommend(
      [
        standing('base', blast(5, 4, 6), 0, 0),
        standing('cheap', blast(2, 1.6, 2.4), 0, 10),
        standing('low', blast(0.5, 0.2, 0.8), 1, 500),
      ],
      'base',
    );
    expect(rec).toMatchObject({ state: 'policy', policy: 'low', candidates: ['low'], reason: { code: 'only-candidate' } });
  });

  it('should keep the baseline when its interval reaches the lowest and it is cheapest', () => {
    const rec = recommend([standing('base', blast(2, 1, 3), 0, 0), standing('eph', blast(1.5, 0.8, 2.2), 0.1, 700)], 'base');
    expect(rec).toMatchObject({ state: 'baseline', candidates: ['base', 'eph'] });
  });

  it('should say no data when no policy has a blast radius', () => {
    expect(recommend([standing('base', undefined, 0, 0), standing('x', blast(null), 0, 0)], 'base')).toEqual({
      state: 'no-data',
    });
  });

  it('should give the same answer whatever the order of the policies', () => {
    const arb = fc
      .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 5 })
      .chain((names) =>
        fc.tuple(
          fc.constant(names),
          fc.array(
            fc.record({
              mean: fc.integer({ min: 0, max: 5 }),
              half: fc.integer({ min: 0, max: 2 }),
              failed: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
              tokens: fc.integer({ min: 0, max: 3 }),
            }),
            { minLength: names.length, maxLength: names.length },
          ),
        ),
      )
      .chain(([names, values]) => {
        const standings = names.map((n, i) => {
          const v = values[i]!;
          return standing(n, blast(v.mean, Math.max(0, v.mean - v.half), v.mean + v.half), v.failed, v.tokens);
        });
        return fc.tuple(
          fc.constant(standings),
          fc.shuffledSubarray(standings, { minLength: standings.length, maxLength: standings.length }),
        );
      });
    fc.assert(
      fc.property(arb, ([standings, shuffled]) => {
        expect(recommend(shuffled, standings[0]!.policy)).toEqual(recommend(standings, standings[0]!.policy));
      }),
    );
  });
});
