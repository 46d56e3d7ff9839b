/** #10.3: no metric depends on the order in which nodes and edges are written (docs/semantics-engine.md S1). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Scenario } from '../../src/domain/scenario.js';
import { compile } from '../../src/model/compile.js';
import { runTrial } from '../../src/sim/trial.js';
import { scenarioArb } from '../arbitraries/scenario.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  ephemeral,
  fixed,
  grants,
  holds,
  invokes,
  persistent,
  replay,
  resource,
  scenario,
  step,
  task,
  tool,
  toolChain,
} from '../arbitraries/build.js';
import { runOne, traceOne } from '../arbitraries/run.js';
import { runs } from '../runs.js';

/** The same scenario with its nodes and edges reordered by the given sort keys. */
function permuted(s: Scenario, nodeKeys: readonly number[], edgeKeys: readonly number[]): Scenario {
  const order = <T>(list: readonly T[], keys: readonly number[]): T[] =>
    list
      .map((item, i) => ({ item, key: keys[i % Math.max(1, keys.length)] ?? 0, i }))
      .sort((a, b) => a.key - b.key || b.i - a.i)
      .map((x) => x.item);
  return { ...s, nodes: order(s.nodes, nodeKeys), edges: order(s.edges, edgeKeys) };
}

describe('sim order-freedom', () => {
  it('should give identical trials for a random scenario and any permutation of its nodes and edges', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(fc.nat(), { minLength: 1 }),
        fc.array(fc.nat(), { minLength: 1 }),
        (s, nodeKeys, edgeKeys) => {
          const a = compile(s);
          const b = compile(permuted(s, nodeKeys, edgeKeys));
          for (let trial = 0; trial < 3; trial++) expect(runTrial(b, 0, 0, trial)).toEqual(runTrial(a, 0, 0, trial));
        },
      ),
      runs(150),
    );
  });

  it('should give identical trials, cost metrics included, when the workload tasks are listed in another order', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.nat(), { minLength: 1 }), (s, keys) => {
        // Reordered as a file would be: each task takes its new position as index (and id).
        const order = s.workload
          .map((task, i) => ({ task, key: keys[i % keys.length] ?? 0, i }))
          .sort((a, b) => a.key - b.key || b.i - a.i)
          .map((x, index) => ({ ...x.task, index, id: `${x.task.agent}#${index}` }));
        const a = compile(s);
        const b = compile({ ...s, workload: order });
        for (let trial = 0; trial < 3; trial++)
          for (let p = 0; p < s.policies.length; p++) expect(runTrial(b, p, 0, trial)).toEqual(runTrial(a, p, 0, trial));
      }),
      runs(150),
    );
  });

  it('should read the same newest copy whatever the task order, when a newer occurrence stops early (R6)', () => {
    // A 3-hour task refreshes its token every 15 minutes and starts every hour, so occurrences
    // overlap; its issuer fails one request in ten, which ends an occurrence early while the one
    // before it still re-mints. Another task minting the same credential is listed before or after it.
    const build = (reverse: boolean): Scenario => {
      const long = task('a0', [step('r0', 'read', 'c1', 't0')], {
        everyMs: HOUR,
        atMs: 2 * HOUR,
        durationMs: 3 * HOUR,
        refreshable: true,
      });
      const short = task('a0', [step('r0', 'read', 'c1', 't0'), step('r1', 'write', 'c1', 't0')], {
        everyMs: 6 * HOUR,
        atMs: 0,
        durationMs: MIN,
        timeoutMs: 30 * MIN,
        refreshable: false,
      });
      const tasks = reverse ? [long, short] : [short, long];
      return scenario({
        horizonMs: 3 * DAY,
        nodes: [agent('a0'), tool('t0'), resource('r0', { records: 1 }), resource('r1'), credential('c1')],
        edges: [
          holds('t0', 'c1'),
          holds('r0', 'c1'),
          invokes('a0', 't0'),
          grants('c1', 'r0', ['read']),
          grants('c1', 'r1', ['write']),
        ],
        workload: tasks.map((t, index) => ({ ...t, index, id: `a0#${index}` })),
        attacks: [toolChain('a0', 0, { hopDelay: fixed(MIN) })],
        policies: [
          ephemeral('p', {
            ttlMs: 15 * MIN,
            issuer: { latency: fixed(1), availability: 0.9 },
            revokeOn: { completion: false, failure: false, timeout: false },
          }),
        ],
      });
    };
    const a = compile(build(false));
    const b = compile(build(true));
    for (let trial = 0; trial < 20; trial++) expect(runTrial(b, 0, 0, trial)).toEqual(runTrial(a, 0, 0, trial));
  });

  describe('the simultaneity rule', () => {
    // One key opens ten databases; detection is immediate. Mirror-image files list the targets in opposite orders.
    const build = (reverse: boolean) => {
      const dbs = Array.from({ length: 10 }, (_, i) => resource(`db${i}`, { records: 1 }));
      const edges = dbs.map((db) => grants('key', db.id, ['read']));
      return scenario({
        nodes: [agent('svc'), credential('key'), ...(reverse ? [...dbs].reverse() : dbs)],
        edges: [holds('svc', 'key'), ...(reverse ? [...edges].reverse() : edges)],
        attacks: [replay('key', 'svc', HOUR, fixed(0))],
        policies: [persistent('p', { detection: { probability: 1, delay: fixed(0), atMs: Infinity } })],
      });
    };

    it('should attempt and draw every action of one instant before a revocation it causes applies', () => {
      for (const reverse of [false, true]) {
        const m = runOne(build(reverse));
        expect(m.resources_reached).toBe(10);
        expect(m.records_exposed).toBe(10);
      }
    });

    it('should report containment at the instant of the first use when revoked then (#10.4)', () => {
      const m = runOne(build(false));
      expect(m.time_to_containment_s).toBe(0);
      expect(m.exposure_window_s).toBe(0);
    });

    it('should trace attempts skipped because the credential was revoked, with a reason code (#10.7)', () => {
      // A second copy read one hop later from the same holder finds the key revoked.
      const s = scenario({
        ...build(false),
        nodes: [...build(false).nodes, resource('share')],
        edges: [...build(false).edges, holds('share', 'key'), grants('key', 'share', ['read'])],
        attacks: [replay('key', 'svc', HOUR, fixed(0))],
        policies: [persistent('p', { detection: { probability: 1, delay: fixed(30 * 60_000), atMs: Infinity } })],
      });
      const events = traceOne(s);
      const skips = events.filter((e) => e.kind === 'skip');
      expect(skips.length).toBeGreaterThan(0);
      expect(skips.every((e) => e.code === 'revoked' && e.cred === 'key' && e.t >= 90 * 60_000)).toBe(true);
      // Every line carries a code.
      expect(events.filter((e) => e.code === null)).toEqual([]);
    });
  });
});
