/** Cost metrics at scale: exact per trial for small workloads, replicate schedules for big ones. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile } from '../../src/model/compile.js';
import { generateEstate } from '../../src/estate/synthetic.js';
import { costReplicates, EXACT_COST_OCCURRENCES, REPLICATE_OCCURRENCE_BUDGET, runTrial } from '../../src/sim/trial.js';
import { occurrencesPerTrial, workloadCost } from '../../src/workload/cost.js';
import { occurrenceCount, simulateOccurrence } from '../../src/workload/occurrence.js';
import { credentialModes } from '../../src/policy/modes.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

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
      { numRuns: 10 },
    );
  });
});
