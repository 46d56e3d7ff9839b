/** Attacker tempo (SPEC §1 "attacker tempo", docs/outputs.md): tempo-trials.csv, tempo.csv, the cap, merged shards, the report. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../src/exec/merge.js';
import { runScenarios } from '../../src/exec/run.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import {
  agent,
  credential,
  DAY,
  grants,
  HOUR,
  holds,
  hybrid,
  lateral,
  MIN,
  persistent,
  resource,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';

/**
 * A bot reads a confidential db with 15-minute tokens of its key every hour, and the tokens land in a
 * log (`logs` holds `key`); the attacker controls `ops`, whose standing key reads the log, from 2h30m.
 * Standing `key`: every tempo reaches the db. 15-minute tokens: each copy read from the log is usable
 * one hop after it was minted, so a 1m or 10m attacker gets in and a 1h attacker never does (E6).
 */
const slowAttackerLoses = scenario({
  name: 'tempo-known',
  trials: 8,
  nodes: [
    agent('bot'),
    agent('ops'),
    credential('key'),
    credential('ops-key'),
    resource('logs'),
    resource('db', { sensitivity: 'confidential' }),
  ],
  edges: [
    holds('bot', 'key'),
    holds('logs', 'key'),
    holds('ops', 'ops-key'),
    grants('ops-key', 'logs', ['read']),
    grants('key', 'db', ['read']),
  ],
  workload: [task('bot', [step('db', 'read', 'key')])],
  attacks: [lateral('ops', 2.5 * HOUR, { name: 'ops-taken' })],
  policies: [
    persistent('standing'),
    hybrid('short-lived', {
      ttlMs: 15 * MIN,
      // ops-key stays a standing secret: only the bot's key is short-lived.
      exceptions: [{ match: { replans: null, maxSensitivity: null, environment: null, ids: ['ops-key'] }, rotationMs: 90 * DAY }],
    }),
  ],
});

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const rows = (dir: string, file: string): string[][] =>
  read(dir, file)
    .trimEnd()
    .split('\n')
    .map((r) => r.split(','));

describe('exec/tempo on a scenario with a known answer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'blastlab-tempo-'));
    await runScenarios([slowAttackerLoses], { out: join(dir, 'run'), workers: 1 });
    await runScenarios([slowAttackerLoses], { out: join(dir, 'capped'), workers: 1, tempoTrials: 3 });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should show a reduction at 1h that a 1m attacker does not leave (tempo.csv)', () => {
    const [head, ...body] = rows(join(dir, 'run'), 'tempo.csv');
    expect(head).toEqual(['scenario', 'attack', 'policy', 'tempo', 'baseline_mean', 'mean', 'reduction_pct']);
    expect(body.map((r) => r.slice(0, 4).join('/'))).toEqual([
      'tempo-known/ops-taken/short-lived/1m',
      'tempo-known/ops-taken/short-lived/10m',
      'tempo-known/ops-taken/short-lived/1h',
    ]);
    const reduction = (tempo: string): number => Number(body.find((r) => r[3] === tempo)![6]);
    const baseline = body.map((r) => Number(r[4]));
    expect(baseline).toEqual([4, 4, 4]); // the standing key reaches logs (1) and db (confidential: 3) at every tempo
    expect(reduction('1m')).toBe(0);
    expect(reduction('10m')).toBe(0);
    expect(reduction('1h')).toBe(75); // only the log is reached
    expect(body.map((r) => r[5])).toEqual(['4', '4', '1']);
    expect(reduction('1h')).toBeGreaterThan(reduction('1m'));
  });

  it('should write the blast radius of every policy, tempo, attack and trial in file order (tempo-trials.csv)', () => {
    const [head, ...body] = rows(join(dir, 'run'), 'tempo-trials.csv');
    expect(head).toEqual(['scenario', 'policy', 'tempo', 'attack', 'trial', 'blast_radius']);
    const trials = Array.from({ length: 8 }, (_, i) => String(i));
    const expected = ['standing', 'short-lived'].flatMap((p) =>
      ['1m', '10m', '1h'].flatMap((t) => trials.map((i) => `tempo-known,${p},${t},ops-taken,${i}`)),
    );
    expect(body.map((r) => r.slice(0, 5).join(','))).toEqual(expected);
  });

  it('should run the variants only on trials below --tempo-trials', () => {
    const body = rows(join(dir, 'capped'), 'tempo-trials.csv').slice(1);
    expect(body).toHaveLength(2 * 3 * 3);
    expect(new Set(body.map((r) => r[4]))).toEqual(new Set(['0', '1', '2']));
  });

  it('should list both files in run.json and show the "Attacker tempo" section in the report', () => {
    const manifest = JSON.parse(read(join(dir, 'run'), 'run.json')) as { files: { path: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['tempo.csv', 'tempo-trials.csv']));
    const report = read(join(dir, 'run'), 'report.md');
    expect(report).toContain('## Attacker tempo');
    expect(report).toContain('| attack | policy | this run | hop 1m | hop 10m | hop 1h | reading |');
    expect(report).toMatch(/\| ops-taken \| short-lived \| ↓75% \| = \| = \| ↓75% \| only at 1h \|/);
    expect(report).toMatch(/\| ↓75% [^|]*\(only at 1h\) \|/); // At a glance
    expect(read(join(dir, 'run'), 'report.html')).toContain('Attacker tempo');
  });
});

const SHARDED = `
name: tempo-shards
seed: 11
trials: 12
horizon: 2d
nodes:
  - { id: bot, kind: agent }
  - { id: key, kind: credential }
  - { id: logs, kind: resource }
  - { id: db, kind: resource, sensitivity: confidential, records: 100 }
  - { id: ledger, kind: resource, sensitivity: regulated }
edges:
  - { from: bot, to: key, kind: holds }
  - { from: logs, to: key, kind: holds }
  - { from: key, to: db, kind: grants, actions: [read] }
  - { from: key, to: ledger, kind: grants, actions: [write] }
workload:
  - { agent: bot, every: 1h, duration: 10m, steps: [{ target: db, action: read }] }
attacks:
  - { pattern: lateral-movement, name: taken, entry: bot, at: 2h, hopDelay: { exponential: { mean: 10m } } }
  - { pattern: secret-replay, name: replay, credential: key, from: logs, leakAt: 3h, replayDelay: { exponential: { mean: 30m } } }
policies:
  standing: { kind: persistent, rotation: 90d }
  short: { kind: ephemeral, ttl: 15m, scope: task }
  right-sized: { kind: persistent, rotation: 90d, scope: intent }
`;

describe('exec/tempo with shards', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'blastlab-tempo-shards-'));
    const file = join(dir, 'fixture.yaml');
    writeFileSync(file, SHARDED);
    const scenarios = [loadScenarioFile(file)];
    // A cap of 5 leaves shard 1 (trials 6–11) without tempo rows: the merge must still be exact.
    await runScenarios(scenarios, { out: join(dir, 'whole'), workers: 1, tempoTrials: 5 });
    await runScenarios(scenarios, { out: join(dir, 'whole-all'), workers: 1, tempoTrials: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) {
      const shard = { index: i, count: 3 };
      await runScenarios(scenarios, { out: join(dir, `s${i}`), workers: 1, shard, tempoTrials: 5 });
      await runScenarios(scenarios, { out: join(dir, `a${i}`), workers: 1, shard, tempoTrials: Number.POSITIVE_INFINITY });
    }
    await mergeRuns([join(dir, 's2'), join(dir, 's0'), join(dir, 's1')], { out: join(dir, 'merged') });
    await mergeRuns([join(dir, 'a1'), join(dir, 'a0'), join(dir, 'a2')], { out: join(dir, 'merged-all') });
    await mergeRuns([join(dir, 's0'), join(dir, 's1'), join(dir, 's2')], { out: join(dir, 'merged-short'), baseline: 'short' });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should merge shards into byte-identical tempo-trials.csv and tempo.csv', () => {
    for (const [whole, merged] of [
      ['whole', 'merged'],
      ['whole-all', 'merged-all'],
    ] as const) {
      for (const f of ['tempo-trials.csv', 'tempo.csv', 'report.md'])
        expect(read(join(dir, merged), f), `${merged}/${f}`).toBe(read(join(dir, whole), f));
    }
    expect(rows(join(dir, 'whole-all'), 'tempo-trials.csv').slice(1)).toHaveLength(3 * 3 * 2 * 12);
    expect(rows(join(dir, 'whole'), 'tempo-trials.csv').slice(1)).toHaveLength(3 * 3 * 2 * 5);
  });

  it('should compare against the baseline a merge chooses (every policy ran at every tempo)', () => {
    const body = rows(join(dir, 'merged-short'), 'tempo.csv').slice(1);
    expect([...new Set(body.map((r) => r[2]))]).toEqual(['standing', 'right-sized']);
    const means = new Map(
      rows(join(dir, 'whole'), 'tempo.csv')
        .slice(1)
        .map((r) => [r.slice(1, 4).join('/'), r[5]]),
    );
    for (const r of body) expect(r[4], r.join(',')).toBe(means.get(`${r[1]}/short/${r[3]}`));
  });

  it('should give one tempo.csv row per attack, non-baseline policy and tempo', () => {
    const body = rows(join(dir, 'whole'), 'tempo.csv').slice(1);
    expect(body.map((r) => r.slice(1, 4).join('/'))).toEqual(
      ['taken', 'replay'].flatMap((a) =>
        ['short', 'right-sized'].flatMap((p) => ['1m', '10m', '1h'].map((t) => `${a}/${p}/${t}`)),
      ),
    );
  });
});
