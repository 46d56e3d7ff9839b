import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src/domain/metrics.js';
import { SummaryBuilder, orderOf, summarize } from '../../src/metrics/summary.js';
import { policy, scenario, trial } from '../report/fixtures.js';

describe('summary', () => {
  it('should summarise one group per metric with mean, stddev, type-7 quantiles and a t interval', () => {
    const rows = [2, 4, 4, 4, 5, 5, 7, 9].map((v, i) => trial('s', 'p', 'a', i, { blast_radius: v }));
    const summary = summarize(rows);
    expect(summary).toHaveLength(METRICS.length);
    expect(summary.map((r) => r.metric)).toEqual([...METRICS]);
    const blast = summary.find((r) => r.metric === 'blast_radius');
    expect(blast).toMatchObject({ scenario: 's', policy: 'p', attack: 'a', n: 8, mean: 5, min: 2, max: 9, p50: 4.5 });
    expect(blast?.p95).toBeCloseTo(8.3, 12);
    expect(blast?.stddev).toBeCloseTo(2.138089935299395, 12);
    expect(blast?.ci95_low).toBeCloseTo(3.21251208176379, 10);
    expect(blast?.ci95_high).toBeCloseTo(6.787487918236209, 10);
  });

  it('should clip the lower end of a t interval at 0 (metrics are non-negative)', () => {
    const rows = [0, 0, 0, 10].map((v, i) => trial('s', 'p', 'a', i, { blast_radius: v }));
    const row = summarize(rows).find((r) => r.metric === 'blast_radius');
    expect(row?.ci95_low).toBe(0);
    expect(row?.ci95_high).toBeCloseTo(2.5 + (3.182446305284263 * 5) / 2, 9);
  });

  it('should use the Wilson interval for attack_success', () => {
    const rows = [1, 0, 0, 1, 0, 0, 0, 0, 0, 1].map((v, i) => trial('s', 'p', 'a', i, { attack_success: v }));
    const row = summarize(rows).find((r) => r.metric === 'attack_success');
    expect(row?.mean).toBeCloseTo(0.3, 12);
    expect(row?.ci95_low).toBeCloseTo(0.1077913, 6);
    expect(row?.ci95_high).toBeCloseTo(0.6032219, 6);
  });

  it('should leave empty cells out of n and give empty statistics when n = 0', () => {
    const rows = [
      trial('s', 'p', 'a', 0, { time_to_containment_s: 600, time_to_first_access_s: null }),
      trial('s', 'p', 'a', 1, { time_to_containment_s: null, time_to_first_access_s: null }),
      trial('s', 'p', 'a', 2, { time_to_containment_s: 1200, time_to_first_access_s: null }),
    ];
    const summary = summarize(rows);
    expect(summary.find((r) => r.metric === 'time_to_containment_s')).toMatchObject({ n: 2, mean: 900 });
    expect(summary.find((r) => r.metric === 'time_to_first_access_s')).toEqual({
      scenario: 's',
      policy: 'p',
      attack: 'a',
      metric: 'time_to_first_access_s',
      n: 0,
      mean: null,
      stddev: null,
      p50: null,
      p95: null,
      min: null,
      max: null,
      ci95_low: null,
      ci95_high: null,
    });
  });

  it('should order rows by scenario, then policy and attack in scenario file order', () => {
    const s = scenario('b-scn', [policy('persistent'), policy('ephemeral', { kind: 'ephemeral' })]);
    const rows = [
      trial('b-scn', 'ephemeral', 'lateral-movement', 0, {}),
      trial('b-scn', 'ephemeral', 'secret-replay', 0, {}),
      trial('a-scn', 'x', 'y', 0, {}),
      trial('b-scn', 'persistent', 'lateral-movement', 0, {}),
      trial('b-scn', 'persistent', 'secret-replay', 0, {}),
    ];
    const groups = summarize(rows, orderOf([s]))
      .filter((r) => r.metric === 'blast_radius')
      .map((r) => `${r.scenario}/${r.policy}/${r.attack}`);
    expect(groups).toEqual([
      'b-scn/persistent/secret-replay',
      'b-scn/persistent/lateral-movement',
      'b-scn/ephemeral/secret-replay',
      'b-scn/ephemeral/lateral-movement',
      'a-scn/x/y',
    ]);
  });

  it('should keep the raw values for distribution charts', () => {
    const builder = new SummaryBuilder();
    builder.add(trial('s', 'p', 'a', 0, { exposure_window_s: 30 }));
    builder.add(trial('s', 'p', 'a', 1, { exposure_window_s: 10 }));
    expect([...builder.values('s', 'p', 'a', 'exposure_window_s')]).toEqual([30, 10]);
    expect(builder.values('s', 'p', 'nope', 'exposure_window_s')).toHaveLength(0);
  });
});
