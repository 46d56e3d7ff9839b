import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Metric } from '../../src/domain/metrics.js';
import type { SummaryRow } from '../../src/metrics/summary.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/domain/scenario.js';
import {
  DWELL_TOLERANCE,
  GONE_BELOW,
  HOLD_MARGIN,
  confirmedReachBlocks,
  hardComparisons,
  hardVariantBlocks,
  hardVerdict,
  reproductions,
  type IncidentShape,
  type SummaryLookup,
} from '../../src/report/incidents.js';

/** A summary lookup over given (scenario, policy, attack, metric) → {mean, min}. */
function lookup(values: Record<string, { mean: number; min?: number }>): SummaryLookup {
  const get = (scenario: string, policy: string, attack: string, metric: Metric): SummaryRow | undefined => {
    const v = values[`${scenario}|${policy}|${attack}|${metric}`];
    if (v === undefined) return undefined;
    const min = v.min ?? v.mean;
    return {
      scenario,
      policy,
      attack,
      metric,
      n: 10,
      mean: v.mean,
      stddev: 0,
      p50: v.mean,
      p95: v.mean,
      min,
      max: v.mean,
      ci95_low: v.mean,
      ci95_high: v.mean,
    };
  };
  return { get, mean: (s, p, a, m) => get(s, p, a, m)?.mean ?? null };
}

const shape: IncidentShape = {
  scenario: 'inc',
  policies: ['as-was', 'short', 'bound'],
  attacks: ['leak', 'leak-hard', 'other'],
  baseline: 'as-was',
};

describe('report/incidents: hard variants', () => {
  it('should call a benefit that falls to at most GONE_BELOW percent under the hard variant gone, else hold or shrink', () => {
    expect(hardVerdict(100, 0)).toBe('disappears');
    expect(hardVerdict(100, GONE_BELOW)).toBe('disappears');
    expect(hardVerdict(100, 100 - HOLD_MARGIN)).toBe('holds');
    expect(hardVerdict(100, 50)).toBe('shrinks');
    expect(hardVerdict(40, 45)).toBe('holds');
  });

  it('should hold whenever the hard reduction is at least the normal one (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: GONE_BELOW + 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (hard, normal) => {
          fc.pre(hard >= normal);
          expect(hardVerdict(normal, hard)).toBe('holds');
        },
      ),
    );
  });

  it('should compare the lowest-blast policy of the normal attack with the same policy on its hard variant', () => {
    const index = lookup({
      'inc|as-was|leak|blast_radius': { mean: 20 },
      'inc|short|leak|blast_radius': { mean: 0 },
      'inc|bound|leak|blast_radius': { mean: 5 },
      'inc|as-was|leak-hard|blast_radius': { mean: 20 },
      'inc|short|leak-hard|blast_radius': { mean: 20 },
      'inc|bound|leak-hard|blast_radius': { mean: 0 },
      'inc|as-was|other|blast_radius': { mean: 3 },
      'inc|short|other|blast_radius': { mean: 0 },
    });
    // "other" has no hard variant; "short" is best on "leak" and gains nothing on "leak-hard" (bound would).
    expect(hardComparisons(index, [shape])).toEqual([
      { scenario: 'inc', attack: 'leak', policy: 'short', normalPct: 100, hardPct: 0, verdict: 'disappears' },
    ]);
    const [paragraph, table] = hardVariantBlocks(index, [shape]);
    expect(paragraph).toMatchObject({
      kind: 'paragraph',
      inline: [{ text: expect.stringMatching(/0 of 1 lowest-blast claims hold, 0 shrink and 1 disappear/) }],
    });
    expect(table).toMatchObject({
      kind: 'table',
      rows: [
        [
          { text: 'inc' },
          { text: 'leak' },
          { text: 'short' },
          { text: '↓100%' },
          { text: '=' },
          { text: 'disappears', tone: 'bad' },
        ],
      ],
    });
  });

  it('should show nothing when no attack has a hard variant or no policy lowers the normal blast', () => {
    expect(hardVariantBlocks(lookup({}), [{ ...shape, attacks: ['leak'] }])).toEqual([]);
    const flat = lookup({
      'inc|as-was|leak|blast_radius': { mean: 5 },
      'inc|short|leak|blast_radius': { mean: 5 },
      'inc|bound|leak|blast_radius': { mean: 6 },
    });
    expect(hardComparisons(flat, [shape])).toEqual([]);
  });
});

function scenario(record: string): Scenario {
  const text = [
    'name: inc',
    record,
    'nodes:',
    '  - { id: paste, kind: resource, sensitivity: public }',
    '  - { id: db, kind: resource, sensitivity: regulated, record: { reached: confirmed, source: "https://example.org/a" } }',
    '  - { id: docs, kind: resource, sensitivity: regulated, record: { reached: denied, source: "https://example.org/a" } }',
    '  - { id: key, kind: credential }',
    'edges:',
    '  - { from: paste, to: key, kind: holds }',
    '  - { from: key, to: db, kind: grants, actions: [read] }',
    'attacks:',
    '  - { name: leak, pattern: secret-replay, credential: key, from: paste, leakAt: 1h }',
    'policies:',
    '  as-was: { kind: persistent }',
    '',
  ].join('\n');
  const result = parseScenarioText(text, 'inc.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.scenario;
}

describe('report/incidents: confirmed reach and reproduction', () => {
  const DAY = 86_400;
  const withDwell = scenario('record: { dwell: 10d, source: "https://example.org/a", attacks: [leak] }');

  it('should reproduce when every baseline trial reaches every confirmed resource within the recorded dwell', () => {
    const index = lookup({
      'inc|as-was|leak|confirmed_resources_reached': { mean: 1, min: 1 },
      'inc|as-was|leak|exposure_window_s': { mean: 10 * DAY * DWELL_TOLERANCE },
    });
    expect(reproductions(index, withDwell, 'as-was')).toEqual([
      {
        attack: 'leak',
        confirmed: 1,
        minReached: 1,
        meanReached: 1,
        simulatedDwellS: 12.5 * DAY,
        recordedDwellS: 10 * DAY,
        reproduces: true,
      },
    ]);
  });

  it('should not reproduce when one trial misses a confirmed resource or the replay outlasts the recorded dwell', () => {
    const missed = lookup({
      'inc|as-was|leak|confirmed_resources_reached': { mean: 0.9, min: 0 },
      'inc|as-was|leak|exposure_window_s': { mean: DAY },
    });
    expect(reproductions(missed, withDwell, 'as-was')[0]?.reproduces).toBe(false);
    const long = lookup({
      'inc|as-was|leak|confirmed_resources_reached': { mean: 1, min: 1 },
      'inc|as-was|leak|exposure_window_s': { mean: 13 * DAY },
    });
    expect(reproductions(long, withDwell, 'as-was')[0]?.reproduces).toBe(false);
    const noDwell = scenario('record: { source: "https://example.org/a", attacks: [leak] }');
    expect(reproductions(long, noDwell, 'as-was')[0]?.reproduces).toBe(true);
  });

  it('should split blast into confirmed + potential and name confirmed and denied resources', () => {
    const index = lookup({
      'inc|as-was|leak|blast_radius': { mean: 13 },
      'inc|as-was|leak|confirmed_blast_radius': { mean: 10 },
      'inc|as-was|leak|confirmed_resources_reached': { mean: 1, min: 1 },
      'inc|as-was|leak|exposure_window_s': { mean: DAY },
    });
    const blocks = confirmedReachBlocks(index, withDwell, {
      scenario: 'inc',
      policies: ['as-was'],
      attacks: ['leak'],
      baseline: 'as-was',
    });
    expect(blocks[0]).toMatchObject({
      inline: [{ text: expect.stringMatching(/^Confirmed by the public record: db; denied by the record: docs\./) }],
    });
    expect(blocks[1]).toMatchObject({ kind: 'table', rows: [[{ text: 'leak' }, { text: '10 + 3 · 1/1' }]] });
    expect(blocks[2]).toMatchObject({
      inline: [{ text: expect.stringMatching(/^Reproduces the incident \(leak under as-was\): yes/) }],
    });
  });
});
