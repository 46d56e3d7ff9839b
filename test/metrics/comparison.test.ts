import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { compare, reductionPct } from '../../src/metrics/comparison.js';
import { patternsOf, scenarioRow } from '../../src/metrics/scenario-row.js';
import { summarize } from '../../src/metrics/summary.js';
import { sweepRows } from '../../src/metrics/sweep.js';
import { policy, scenario, trial } from '../report/fixtures.js';

const rows = [
  trial('s', 'persistent', 'replay', 0, { blast_radius: 10, tokens_issued: 0 }),
  trial('s', 'persistent', 'replay', 1, { blast_radius: 10, tokens_issued: 0 }),
  trial('s', 'ephemeral', 'replay', 0, { blast_radius: 0, tokens_issued: 700 }),
  trial('s', 'ephemeral', 'replay', 1, { blast_radius: 5, tokens_issued: 740 }),
  trial('s', 'hybrid', 'replay', 0, { blast_radius: 12, tokens_issued: 10 }),
];

describe('comparison', () => {
  it('should give the reduction of each policy against the baseline', () => {
    const out = compare(summarize(rows), { s: 'persistent' });
    const blast = out.filter((r) => r.metric === 'blast_radius');
    expect(blast).toEqual([
      {
        scenario: 's',
        attack: 'replay',
        metric: 'blast_radius',
        better: 'lower',
        baseline: 'persistent',
        policy: 'ephemeral',
        baseline_n: 2,
        baseline_mean: 10,
        n: 2,
        mean: 2.5,
        reduction_pct: 75,
      },
      {
        scenario: 's',
        attack: 'replay',
        metric: 'blast_radius',
        better: 'lower',
        baseline: 'persistent',
        policy: 'hybrid',
        baseline_n: 2,
        baseline_mean: 10,
        n: 1,
        mean: 12,
        reduction_pct: -20,
      },
    ]);
  });

  it('should leave the reduction empty when the baseline mean is 0', () => {
    const tokens = compare(summarize(rows), new Map([['s', 'persistent']])).find(
      (r) => r.metric === 'tokens_issued' && r.policy === 'ephemeral',
    );
    expect(tokens).toMatchObject({ baseline_mean: 0, mean: 720, reduction_pct: null });
    expect(reductionPct(null, 1)).toBeNull();
    expect(reductionPct(4, null)).toBeNull();
  });

  it('should honour a baseline other than the first policy', () => {
    const out = compare(summarize(rows), { s: 'ephemeral' });
    expect(new Set(out.map((r) => r.policy))).toEqual(new Set(['persistent', 'hybrid']));
    expect(out.find((r) => r.metric === 'blast_radius' && r.policy === 'persistent')?.reduction_pct).toBe(-300);
  });

  it('should sign the reduction so that positive means less risk, and give n for conditional metrics', () => {
    // The attacker gets in after 60 s under the baseline (both trials), after 600 s under ephemeral (one of two).
    const timed = [
      trial('t', 'persistent', 'replay', 0, { time_to_first_access_s: 60 }),
      trial('t', 'persistent', 'replay', 1, { time_to_first_access_s: 60 }),
      trial('t', 'ephemeral', 'replay', 0, { time_to_first_access_s: 600 }),
      trial('t', 'ephemeral', 'replay', 1, { time_to_first_access_s: null }),
    ];
    const row = compare(summarize(timed), { t: 'persistent' }).find((r) => r.metric === 'time_to_first_access_s');
    expect(row).toMatchObject({ better: 'higher', baseline_n: 2, baseline_mean: 60, n: 1, mean: 600, reduction_pct: 900 });
    expect(reductionPct(60, 30, 'higher')).toBe(-50);
    expect(reductionPct(60, 30, 'lower')).toBe(50);
  });

  it('should refuse a baseline without results', () => {
    expect(() => compare(summarize(rows), { s: 'missing' })).toThrow(OutputError);
    expect(() => compare(summarize(rows), {})).toThrow(OutputError);
  });
});

describe('scenario-row', () => {
  it('should list distinct patterns in attack order and join framework ids', () => {
    const s = scenario('ci', [policy('persistent')]);
    const repeated = { ...s, attacks: [s.attacks[1]!, s.attacks[0]!, { ...s.attacks[1]!, name: 'lateral-movement-2' }] };
    expect(patternsOf(repeated)).toEqual(['lateral-movement', 'secret-replay']);
    expect(scenarioRow(s)).toEqual({
      scenario: 'ci',
      description: s.description,
      patterns: 'secret-replay; lateral-movement',
      owasp_nhi: 'NHI2:2025; NHI7:2025',
      attack: 'T1552.001',
      nist_csf: 'PR.AA-05',
      references: 'https://example.org/incident-report',
      credentials: 1,
      standing_credentials: 1,
      stale_credentials: 0,
      oldest_standing_secret_age_s: null,
    });
  });
});

describe('sweep', () => {
  it('should give the swept policy rows tagged with the parameter and value', () => {
    const out = sweepRows(summarize(rows), { policy: 'ephemeral', param: 'ttl', value: '15m' });
    expect(out.find((r) => r.metric === 'blast_radius')).toMatchObject({
      scenario: 's',
      policy: 'ephemeral',
      param: 'ttl',
      value: '15m',
      attack: 'replay',
      mean: 2.5,
    });
    expect(out.every((r) => r.policy === 'ephemeral')).toBe(true);
  });
});
