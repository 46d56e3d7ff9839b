/** Minimal resolved scenarios for planning tests: only the fields the planner reads are meaningful. */
import type { Scenario } from '../../src/domain/scenario.js';

/** A scenario with the given policy and attack names (other fields are inert placeholders). */
export function fakeScenario(
  name: string,
  policies: readonly string[],
  attacks: readonly string[],
  trials: number,
  file = `${name}.yaml`,
): Scenario {
  return {
    name,
    description: '',
    references: [],
    frameworks: {},
    seed: 1,
    trials,
    horizonMs: 1000,
    sensitivityWeights: { public: 0, internal: 1, confidential: 3, regulated: 10 },
    defaultRotationMs: Infinity,
    asOf: null,
    staleAfterMs: 90 * 86_400_000,
    credentialTimes: {},
    provenance: {},
    nodes: [],
    edges: [],
    workload: [],
    attacks: attacks.map((a) => ({ name: a }) as unknown as Scenario['attacks'][number]),
    policies: policies.map((p) => ({ name: p }) as unknown as Scenario['policies'][number]),
    source: { file, sha256: '0'.repeat(64) },
  };
}
