/** Cost metrics at scale: exact per trial for small workloads, replicate schedules for big ones. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile } from '../../src/model/compile.js';
import { generateEstate } from '../../src/estate/synthetic.js';
import { costReplicates, EXACT_COST_OCCURRENCES, REPLICATE_OCCURRENCE_BUDGET, runTrial } from '../../src/sim/trial.js';
import { mergeCostParts, occurrencesPerTrial, workloadCost, workloadCostPart } from '../../src/workload/cost.js';
import { occurrenceCount, simulateOccurrence } from '../../src/workload/occurrence.js';
import { credentialModes } from '../../src/policy/modes.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { CompiledModel } from '../../src/model/compile.js';
import type { Policy, Scenario } from '../../src/domain/scenario.js';
import { scenarioArb } from '../arbitraries/scenario.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  ephemeral,
  exponential,
  fixed,
  grants,
  holds,
  lateral,
  resource,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';
import { runs } from '../runs.js';

const COST_COLUMNS = [
  'tokens_issued',
  'peak_issuance_per_s',
  'issuance_wait_p95_ms',
  'tasks_total',
  'tasks_failed',
  'reauthorizations',
] as const;
const costPart = (m: Record<string, number | null>) => Object.fromEntries(COST_COLUMNS.map((c) => [c, m[c]]));

describe('workload/cost', () => {
  it('should give every trial of a small workload its own exact cost pass', () => {
    const model = compile(loadScenarioFile('scenarios/legacy-batch.yaml'));
    expect(occurrencesPerTrial(model)).toBeLessThanOrEqual(EXACT_COST_OCCURRENCES);
    expect(costReplicates(model)).toBe(Number.POSITIVE_INFINITY);
  });

  describe('a big workload', () => {
    const model = compile(generateEstate({ agents: 80, seed: 3 }));
    const ephemeral = model.scenario.policies.findIndex(
      (p) => p.kind === 'ephemeral' && p.broker.issuer.latency.kind !== 'fixed',
    );
    if (ephemeral < 0) throw new Error('fixture: the generated estate has no ephemeral policy with a random issuer latency');
    const k = costReplicates(model);

    it('should use ⌊budget / occurrences⌋ replicate schedules', () => {
      const occurrences = occurrencesPerTrial(model);
      expect(occurrences).toBeGreaterThan(EXACT_COST_OCCURRENCES);
      expect(k).toBe(Math.max(1, Math.floor(REPLICATE_OCCURRENCE_BUDGET / occurrences)));
    });

    it('should report replicate i mod K for trial i, whatever the attack', () => {
      const a = costPart(runTrial(model, ephemeral, 0, 1));
      expect(costPart(runTrial(model, ephemeral, 1, 1 + k))).toEqual(a);
      expect(costPart(runTrial(model, ephemeral, 0, 2))).not.toEqual(a);
    });
  });

  it('should report the nearest-rank p95 of every request wait', () => {
    const scenario = loadScenarioFile('scenarios/ci-deploy-key.yaml');
    const model = compile(scenario);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        for (const policy of scenario.policies) {
          const modes = credentialModes(model, policy);
          const waits: number[] = [];
          scenario.workload.forEach((task, t) => {
            for (let k = 0; k < occurrenceCount(task, scenario.horizonMs); k++)
              waits.push(...simulateOccurrence(model, policy, modes, seed, t, k).waits);
          });
          waits.sort((x, y) => x - y);
          const expected = waits.length === 0 ? 0 : waits[Math.ceil(0.95 * waits.length) - 1];
          expect(workloadCost(model, policy, modes, seed).issuance_wait_p95_ms).toBe(expected);
        }
      }),
      runs(10),
    );
  });

  /** The cost metrics summed occurrence by occurrence (the engine's own objects, no shortcut). */
  function naiveCost(model: CompiledModel, policy: Policy, seed: number): Record<string, number> {
    const modes = credentialModes(model, policy);
    const perSecond = new Map<number, number>();
    let tokens = 0;
    let tasks = 0;
    let failed = 0;
    let reauth = 0;
    let peak = 0;
    model.scenario.workload.forEach((t, index) => {
      for (let k = 0; k < occurrenceCount(t, model.scenario.horizonMs); k++) {
        const occ = simulateOccurrence(model, policy, modes, seed, index, k);
        tasks++;
        if (occ.status !== 'completed') failed++;
        reauth += occ.reauthorizations;
        tokens += occ.issuances.length;
        for (const token of occ.issuances) {
          const second = Math.floor(token.mintAt / 1000);
          const count = (perSecond.get(second) ?? 0) + 1;
          perSecond.set(second, count);
          // A running max: spreading a year of busy seconds into Math.max overflows the stack.
          if (count > peak) peak = count;
        }
      }
    });
    return {
      tokens_issued: tokens,
      peak_issuance_per_s: peak,
      tasks_total: tasks,
      tasks_failed: failed,
      reauthorizations: reauth,
    };
  }

  /** The scenario without rotations of standing secrets (they issue too, outside the occurrences). */
  function withoutRotations(s: Scenario): Scenario {
    return {
      ...s,
      defaultRotationMs: Number.POSITIVE_INFINITY,
      nodes: s.nodes.map((n) => (n.kind === 'credential' ? { ...n, rotationMs: null } : n)),
      policies: s.policies.map((p) =>
        p.kind === 'hybrid' ? { ...p, rotationMs: null, exceptions: [] } : { ...p, rotationMs: null },
      ),
    };
  }

  it('should equal the occurrence-by-occurrence sum, on any estate and over horizons of days or years', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (s, seed, long) => {
        // A horizon past 92 days counts issuance seconds in the sorted buffer, not the reused array.
        const model = compile(withoutRotations(long ? { ...s, horizonMs: 400 * DAY } : s));
        for (const policy of model.scenario.policies) {
          const { issuance_wait_p95_ms: _, ...cost } = workloadCost(model, policy, credentialModes(model, policy), seed);
          expect(cost).toEqual(naiveCost(model, policy, seed));
        }
      }),
      runs(40),
    );
  });

  it('should give the whole pass from its parts, however many (a pass split over workers)', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom(0, 400 * DAY),
        (s, seed, of, horizon) => {
          // Rotations included (part 0 counts them); a 400-day horizon counts seconds in the table.
          const model = compile(horizon === 0 ? s : { ...s, horizonMs: horizon });
          for (const policy of model.scenario.policies) {
            const modes = credentialModes(model, policy);
            const parts = Array.from({ length: of }, (_, index) => workloadCostPart(model, policy, modes, seed, { index, of }));
            expect(mergeCostParts(model, parts.reverse())).toEqual(workloadCost(model, policy, modes, seed));
            expect(parts.reduce((n, p) => n + p.tasksTotal, 0)).toBe(occurrencesPerTrial(model));
          }
        },
      ),
      runs(30),
    );
  });

  it('should give the whole pass of a big workload (dense seconds) from two parts', () => {
    const model = compile(generateEstate({ agents: 80, seed: 3 }));
    for (const policy of model.scenario.policies) {
      const modes = credentialModes(model, policy);
      const parts = [0, 1].map((index) => workloadCostPart(model, policy, modes, 7, { index, of: 2 }));
      expect(parts.every((p) => p.tasksTotal > 0)).toBe(true);
      expect(mergeCostParts(model, parts)).toEqual(workloadCost(model, policy, modes, 7));
    }
  });

  /** One agent writing a database every hour for two days under `policy` (a token per occurrence when it mints). */
  function hourlyWrite(policy: Policy): CompiledModel {
    return compile(
      scenario({
        nodes: [agent('a'), resource('db'), credential('token')],
        edges: [holds('a', 'token'), grants('token', 'db', ['write'])],
        workload: [task('a', [step('db', 'write', 'token')], { everyMs: HOUR, atMs: 0, durationMs: MIN })],
        attacks: [lateral('a', HOUR)],
        policies: [policy],
        horizonMs: 2 * DAY,
      }),
    );
  }

  it('should give each trial its own cost when approval waits are drawn, even with a fixed issuer', () => {
    const model = hourlyWrite(ephemeral('gated', { approval: { actions: ['write'], refuse: 0, wait: exponential(10 * MIN) } }));
    const waits = new Set([0, 1, 2, 3].map((trial) => runTrial(model, 0, 0, trial).issuance_wait_p95_ms));
    expect(waits.size).toBeGreaterThan(1);
  });

  it('should give each trial its own cost when the issuer is unavailable at random, even with a fixed latency', () => {
    const model = hourlyWrite(ephemeral('flaky', { issuer: { latency: fixed(100), availability: 0.9 } }));
    const failed = new Set([0, 1, 2, 3, 4, 5].map((trial) => runTrial(model, 0, 0, trial).tasks_failed));
    expect(failed.size).toBeGreaterThan(1);
  });

  it('should give each trial its own cost when the issuer latency is drawn, even when always available', () => {
    const model = hourlyWrite(ephemeral('slow', { issuer: { latency: exponential(1000), availability: 1 } }));
    const waits = new Set([0, 1, 2, 3].map((trial) => runTrial(model, 0, 0, trial).issuance_wait_p95_ms));
    expect(waits.size).toBeGreaterThan(1);
  });
});
