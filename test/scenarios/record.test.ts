import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenarioText } from '../../src/scenario/load.js';
import { compile } from '../../src/model/compile.js';
import { runTrial } from '../../src/sim/trial.js';
import type { Scenario } from '../../src/domain/scenario.js';
import { runs } from '../runs.js';

const SRC = 'https://example.org/post-mortem';

/** A small incident: a leaked key reads a database (confirmed) and a bucket (potential or as given). */
function incident(opts: { db?: string; bucket?: string; record?: string } = {}): string {
  return [
    'name: tiny-incident',
    'horizon: 2d',
    ...(opts.record === undefined ? [] : [opts.record]),
    'nodes:',
    '  - { id: app, kind: agent }',
    '  - { id: paste, kind: resource, sensitivity: public }',
    `  - { id: db, kind: resource, sensitivity: regulated, records: 10${opts.db ?? `, record: { reached: confirmed, source: "${SRC}" }`} }`,
    `  - { id: bucket, kind: resource, sensitivity: confidential${opts.bucket ?? ''} }`,
    '  - { id: key, kind: credential }',
    'edges:',
    '  - { from: app, to: key, kind: holds }',
    '  - { from: paste, to: key, kind: holds }',
    '  - { from: key, to: db, kind: grants, actions: [read] }',
    '  - { from: key, to: bucket, kind: grants, actions: [read] }',
    'workload:',
    '  - { agent: app, every: 1h, duration: 1m, steps: [{ target: db, action: read }] }',
    'attacks:',
    '  - { name: replay, pattern: secret-replay, credential: key, from: paste, leakAt: 1h, replayDelay: 1h }',
    'policies:',
    '  as-was: { kind: persistent, rotation: never }',
    '',
  ].join('\n');
}

function load(text: string): Scenario {
  const result = parseScenarioText(text, 'tiny.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.scenario;
}

function issues(text: string): { code: string | undefined; path: string; message: string; line: number | null; hint?: string }[] {
  const result = parseScenarioText(text, 'tiny.yaml');
  if (result.ok) throw new Error('expected the file to be rejected');
  return result.issues.map((i) => ({ code: i.code, path: i.path, message: i.message, line: i.line, ...(i.hint === undefined ? {} : { hint: i.hint }) }));
}

describe('scenario record (incident replays)', () => {
  it('should resolve a resource record and leave untagged resources without one (potential)', () => {
    const s = load(incident());
    expect(s.nodes.find((n) => n.id === 'db')).toMatchObject({ record: { reached: 'confirmed', source: SRC } });
    expect(s.nodes.find((n) => n.id === 'bucket')).not.toHaveProperty('record');
  });

  it('should reject a confirmed or denied resource without a source, naming the path and line', () => {
    expect(issues(incident({ db: ', record: { reached: confirmed }' }))).toEqual([
      expect.objectContaining({ code: 'missing-key', path: 'nodes[2].record.source', line: 6 }),
    ]);
    expect(issues(incident({ bucket: ', record: { reached: denied }' }))[0]).toMatchObject({ path: 'nodes[3].record.source' });
  });

  it('should reject an unknown reached state', () => {
    expect(issues(incident({ db: `, record: { reached: maybe, source: "${SRC}" }` }))[0]).toMatchObject({ path: 'nodes[2].record.reached' });
  });

  it('should resolve the scenario record with the dwell in milliseconds, or null when the record gives none', () => {
    expect(load(incident({ record: `record: { dwell: 2d, source: "${SRC}", attacks: [replay] }` })).record).toEqual({
      dwellMs: 2 * 86_400_000,
      source: SRC,
      attacks: ['replay'],
    });
    expect(load(incident({ record: `record: { source: "${SRC}", attacks: [replay] }` })).record?.dwellMs).toBeNull();
    expect(load(incident()).record).toBeUndefined();
  });

  it('should reject a record naming an attack the file does not have, with a hint', () => {
    expect(issues(incident({ record: `record: { dwell: 2d, source: "${SRC}", attacks: [replai] }` }))).toEqual([
      {
        code: 'unknown-reference',
        path: 'record.attacks[0]',
        message: 'unknown attack "replai"',
        line: 3,
        hint: 'did you mean "replay"?',
      },
    ]);
  });
});

describe('confirmed reach metrics', () => {
  it('should count the confirmed resources a trial reaches and their weight, apart from potential reach', () => {
    const s = load(incident());
    const m = runTrial(compile(s), 0, 0, 0);
    expect(m.resources_reached).toBe(2);
    expect(m.blast_radius).toBe(13);
    expect(m.confirmed_resources_reached).toBe(1);
    expect(m.confirmed_blast_radius).toBe(10);
  });

  it('should leave the columns empty when the scenario confirms nothing, and not count denied reach as confirmed', () => {
    const none = runTrial(compile(load(incident({ db: '' }))), 0, 0, 0);
    expect(none.confirmed_resources_reached).toBeNull();
    expect(none.confirmed_blast_radius).toBeNull();
    const denied = runTrial(compile(load(incident({ bucket: `, record: { reached: denied, source: "${SRC}" }` }))), 0, 0, 0);
    expect(denied.confirmed_resources_reached).toBe(1);
    expect(denied.confirmed_blast_radius).toBe(10);
  });

  it('should never count more confirmed reach than reach, whatever resources are tagged (property)', () => {
    const tag = fc.constantFrom('', `, record: { reached: confirmed, source: "${SRC}" }`, `, record: { reached: denied, source: "${SRC}" }`, ', record: { reached: potential }');
    fc.assert(
      fc.property(tag, tag, fc.integer({ min: 0, max: 20 }), (db, bucket, trial) => {
        const m = runTrial(compile(load(incident({ db, bucket }))), 0, 0, trial);
        if (m.confirmed_resources_reached === null) {
          expect(db.includes('confirmed') || bucket.includes('confirmed')).toBe(false);
          return;
        }
        expect(m.confirmed_resources_reached).toBeLessThanOrEqual(m.resources_reached ?? 0);
        expect(m.confirmed_blast_radius).toBeLessThanOrEqual(m.blast_radius ?? 0);
      }),
      runs(40),
    );
  });
});
