/**
 * The cost pass (`cost pass (N occurrences)`): one trial's cost metrics over a workload, beside `raw
 * keyed draws` — the same number of issuer draws (a keyed uniform and a log-normal latency for each
 * request, a keyed uniform for its availability) in a bare loop, with no plan, no token, no count.
 * The ratio is the share of the pass that is the draws themselves (1 = nothing around them).
 */
import { generateEstate } from '../../estate/synthetic.js';
import { sampleAt } from '../../lib/distribution.js';
import { keyedUniform } from '../../lib/rng.js';
import { brokerOf } from '../../domain/scenario.js';
import { compile } from '../../model/compile.js';
import { computeCost, costSeedOf } from '../../sim/trial.js';
import { occurrencesPerTrial } from '../../workload/cost.js';
import type { BenchGroup, BenchSize } from '../types.js';

const DAY_MS = 86_400_000;

export function costGroup(size: BenchSize): BenchGroup {
  const estate = generateEstate({ agents: size.quick ? 40 : 400, seed: 1 });
  const model = compile({ ...estate, horizonMs: DAY_MS });
  const policyIndex = model.scenario.policies.findIndex((p) => {
    const broker = brokerOf(p);
    return broker !== null && broker.issuer.latency.kind !== 'fixed';
  });
  if (policyIndex < 0) throw new Error('bench: the generated estate has no policy with a random issuer latency');
  const broker = brokerOf(model.scenario.policies[policyIndex]!)!;
  const occurrences = occurrencesPerTrial(model);
  const requests = computeCost(model, policyIndex, costSeedOf(model, policyIndex, 0)).tokens_issued;
  let trial = 0;
  const pass = (): number => computeCost(model, policyIndex, costSeedOf(model, policyIndex, trial++ % 64)).tokens_issued;
  let seed = 0;
  const raw = (): number => {
    seed++;
    let sum = 0;
    for (let r = 0; r < requests; r++) {
      sum += sampleAt(broker.issuer.latency, keyedUniform(seed, r, 0, 0, 0));
      if (keyedUniform(seed, r, 0, 0, 1) < broker.issuer.availability) sum++;
    }
    return sum;
  };
  return {
    cases: [
      {
        id: 'raw keyed draws (N occurrences)',
        name: `raw keyed draws (${occurrences} occurrences)`,
        opsPerCall: occurrences,
        fn: raw,
      },
      { id: 'cost pass (N occurrences)', name: `cost pass (${occurrences} occurrences)`, opsPerCall: occurrences, fn: pass },
    ],
  };
}
