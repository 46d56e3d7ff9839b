/** Attribution (docs/controls.md "Attribution"): Shapley values, variants, and attribution.csv from real runs and merged shards. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attributionRows,
  CONTROLS,
  representativeMasks,
  shapley,
  switchedControls,
  variantPolicy,
  type Control,
} from '../../src/metrics/attribution.js';
import { mergeRuns } from '../../src/exec/merge.js';
import { runScenarios } from '../../src/exec/run.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { ephemeral, fixed, persistent } from '../arbitraries/build.js';

const SCENARIO = `
name: attribution-fixture
seed: 3
trials: 12
horizon: 3d
nodes:
  - { id: bot, kind: agent }
  - { id: ops, kind: agent }
  - { id: pay, kind: tool }
  - { id: logs, kind: resource }
  - { id: bot-key, kind: credential }
  - { id: pay-key, kind: credential }
  - { id: tickets, kind: resource, records: 500, egress: true }
  - { id: crm, kind: resource, sensitivity: confidential, records: 2000 }
  - { id: payments, kind: resource, sensitivity: regulated }
  - { id: ledger, kind: resource, sensitivity: regulated }
edges:
  - { from: bot, to: bot-key, kind: holds }
  - { from: logs, to: bot-key, kind: holds }
  - { from: pay, to: pay-key, kind: holds }
  - { from: bot, to: pay, kind: invokes }
  - { from: ops, to: pay, kind: invokes }
  - { from: bot-key, to: tickets, kind: grants, actions: [read, write] }
  - { from: bot-key, to: crm, kind: grants, actions: [read, write] }
  - { from: pay-key, to: payments, kind: grants, actions: [read, write, admin] }
  - { from: pay-key, to: ledger, kind: grants, actions: [write] }
workload:
  - { agent: bot, every: 1h, duration: 10m, steps: [{ target: tickets, action: read }, { target: crm, action: read }, { target: tickets, action: write }, { target: payments, action: write, via: pay }] }
  - { agent: ops, every: 1d, duration: 10m, steps: [{ target: payments, action: admin, via: pay }] }
attacks:
  - { pattern: tool-chaining, name: injected, agent: bot, at: 1h, hopDelay: { exponential: { mean: 10m } } }
  - { pattern: secret-replay, name: log-replay, credential: bot-key, from: logs, leakAt: 1d, replayDelay: { exponential: { mean: 2h } } }
policies:
  persistent: { kind: persistent, rotation: 90d }
  right-sized: { kind: persistent, rotation: 90d, scope: intent }
  broker: { kind: ephemeral, ttl: 15m, scope: task, reevaluate: privileged, bindToWorkload: true, callChain: propagated, revokeOn: [completion], approval: { actions: [admin], refuse: 0.8, wait: 5m }, detection: { probability: 0.3, delay: 10m } }
`;

describe('metrics/attribution', () => {
  it('should split f(N) − f(∅) exactly among the players (Shapley efficiency) and give a dummy player nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 64, maxLength: 64 }),
        fc.nat(5),
        (k, values, dummyAt) => {
          const dummy = k === 0 ? -1 : dummyAt % k;
          // The dummy's bit never changes the value: v(S) reads the table without it.
          const v = (mask: number): number => values[dummy < 0 ? mask : mask & ~(1 << dummy)]!;
          const phi = shapley(k, v);
          expect(phi).toHaveLength(k);
          const sum = phi.reduce((a, b) => a + b, 0);
          expect(sum).toBeCloseTo(v((1 << k) - 1) - v(0), 9);
          if (dummy >= 0) expect(phi[dummy]).toBeCloseTo(0, 9);
        },
      ),
    );
  });

  it('should give two interchangeable controls the same value', () => {
    // v = 10 once either control is set back (a redundant pair): each carries half.
    expect(shapley(2, (m) => (m === 0 ? 0 : 10))).toEqual([5, 5]);
  });

  it('should make the shares of a policy sum to 1 (the `other` row carrying the remainder)', () => {
    fc.assert(
      fc.property(
        fc.subarray([...CONTROLS]),
        fc.double({ min: 1, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 60, noNaN: true }), { minLength: 64, maxLength: 64 }),
        (switched, baselineMean, policyMean, table) => {
          fc.pre(Math.abs(baselineMean - policyMean) > 1e-6);
          const rows = attributionRows({
            scenario: 's',
            attack: 'a',
            policy: 'p',
            switched,
            baselineMean,
            policyMean,
            variantMean: (m) => table[m]!,
          });
          const shares = rows.reduce((a, r) => a + (r.share ?? 0), 0);
          expect(shares).toBeCloseTo(1, 9);
          const pct = rows.reduce((a, r) => a + (r.reduction_pct ?? 0), 0);
          expect(pct).toBeCloseTo(((baselineMean - policyMean) / baselineMean) * 100, 9);
        },
      ),
    );
  });

  it('should build variants that switch exactly the controls set back', () => {
    const baseline = persistent('base', { rotationMs: 90 * 86_400_000, scope: 'all' });
    const policy = ephemeral('broker', {
      scope: 'task',
      bindToWorkload: true,
      reevaluate: 'every-step',
      callChain: 'propagated',
      approval: { actions: ['write'], refuse: 0.5, wait: fixed(0) },
    });
    const switched = switchedControls(policy, baseline);
    expect(switched).toEqual([...CONTROLS]);
    expect(switchedControls(variantPolicy(policy, baseline, switched), baseline)).toEqual([]);
    expect(variantPolicy(policy, baseline, [])).toEqual(policy);
    for (const c of CONTROLS) {
      const v = variantPolicy(policy, baseline, [c]);
      // A standing lifetime has no broker: binding, re-evaluation and call-chain context go with it
      // (docs/controls.md "Limits": settings that only exist together are tied).
      const tied: Control[] = c === 'lifetime' ? ['lifetime', 'binding', 'reevaluate', 'callChain'] : [c];
      expect(switchedControls(v, policy)).toEqual(tied);
      expect(v.name).toBe(policy.name); // the policy's own trial seeds
    }
    // Lifetime back to standing keeps the intent check as a right-sized standing key.
    expect(variantPolicy(policy, baseline, ['lifetime'])).toMatchObject({ kind: 'persistent', scope: 'intent' });
    expect(variantPolicy(policy, baseline, ['lifetime', 'scope'])).toMatchObject({ kind: 'persistent', scope: 'all' });
    // A standing key has no broker: binding, re-evaluation and call-chain context do not exist on it.
    expect(variantPolicy(policy, baseline, ['lifetime'])).not.toHaveProperty('broker');
    // A standing key cannot be step-scoped: setting lifetime back makes it right-sized to intent.
    const stepped = { ...policy, broker: { ...policy.broker, scope: 'step' as const } };
    expect(variantPolicy(stepped, baseline, ['lifetime'])).toMatchObject({ kind: 'persistent', scope: 'intent' });
  });
});

describe('metrics/attribution representativeMasks', () => {
  it('should run one variant per distinct policy: with a standing lifetime, binding and re-evaluation change nothing', () => {
    const baseline = persistent('base', { scope: 'all' });
    const policy = ephemeral('broker', { scope: 'task', bindToWorkload: true, reevaluate: 'privileged' });
    const switched = switchedControls(policy, baseline);
    expect(switched).toEqual(['lifetime', 'scope', 'binding', 'reevaluate']);
    const runs = representativeMasks(policy, baseline, switched);
    // Masks with lifetime (bit 0) set back: only the scope bit (1) matters.
    for (let mask = 1; mask < 16; mask += 2) expect(runs[mask], String(mask)).toBe(mask & 0b11);
    // With lifetime kept, every mask is its own variant.
    for (let mask = 0; mask < 16; mask += 2) expect(runs[mask]).toBe(mask);
  });
});

describe('exec/attribution (runs and merged shards)', () => {
  let dir: string;
  let file: string;
  const read = (d: string, f: string): string => readFileSync(join(d, f), 'utf8');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'blastlab-attribution-'));
    file = join(dir, 'fixture.yaml');
    writeFileSync(file, SCENARIO);
    const scenarios = [loadScenarioFile(file)];
    await runScenarios(scenarios, { out: join(dir, 'whole'), workers: 1 });
    await runScenarios(scenarios, { out: join(dir, 's0'), workers: 1, shard: { index: 0, count: 2 } });
    await runScenarios(scenarios, { out: join(dir, 's1'), workers: 1, shard: { index: 1, count: 2 } });
    await mergeRuns([join(dir, 's1'), join(dir, 's0')], { out: join(dir, 'merged') });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should write one row per switched control of every non-baseline policy and attack', () => {
    const rows = read(join(dir, 'whole'), 'attribution.csv').trimEnd().split('\n');
    expect(rows[0]).toBe('scenario,attack,policy,control,reduction_pct,share');
    const controls = (attack: string, policy: string): string[] =>
      rows
        .slice(1)
        .map((r) => r.split(','))
        .filter((c) => c[1] === attack && c[2] === policy)
        .map((c) => c[3]!);
    expect(controls('injected', 'right-sized').filter((c) => c !== 'other')).toEqual(['scope']);
    expect(controls('injected', 'broker').filter((c) => c !== 'other')).toEqual([
      'lifetime',
      'scope',
      'binding',
      'reevaluate',
      'callChain',
      'approval',
    ]);
  });

  it("should split exactly the comparison's blast-radius reduction (within CSV rounding)", () => {
    const [head = '', ...lines] = read(join(dir, 'whole'), 'comparison.csv').trimEnd().split('\n');
    const col = (name: string): number => head.split(',').indexOf(name);
    const [attack, metric, policy, reduction] = [col('attack'), col('metric'), col('policy'), col('reduction_pct')];
    const comparison = lines.map((r) => r.split(','));
    const rows = read(join(dir, 'whole'), 'attribution.csv')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((r) => r.split(','));
    let checked = 0;
    for (const c of comparison.filter((c) => c[metric] === 'blast_radius' && c[reduction] !== '')) {
      const mine = rows.filter((r) => r[1] === c[attack] && r[2] === c[policy]);
      const sum = mine.reduce((a, r) => a + Number(r[4]), 0);
      expect(Math.abs(sum - Number(c[reduction]))).toBeLessThan(1e-5 * (mine.length + 1));
      checked++;
    }
    expect(checked).toBe(4);
  });

  it('should give merged shards byte-identical attribution files', () => {
    for (const f of ['attribution.csv', 'attribution-trials.csv', 'trials.csv']) {
      expect(read(join(dir, 'merged'), f), f).toBe(read(join(dir, 'whole'), f));
    }
  });
});
