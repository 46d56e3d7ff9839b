// #10 cost passes: every cost pass a `run` of the given scenarios makes for its trials (one per cost
// slot: each trial's own when its workload draws at random, else one per policy), on one thread, timed
// per (scenario, policy). The second and third rounds are warm. Usage: npm run build && node
// bench/cost-passes.mjs [paths… = scenarios] (e.g. a folder extracted with `git archive REV scenarios`).
import { performance } from 'node:perf_hooks';
import { loadScenarios } from '../dist/scenario/load.js';
import { compile } from '../dist/model/compile.js';
import { computeCost, costSlot } from '../dist/sim/trial.js';
import { planTrials } from '../dist/exec/plan.js';

const paths = process.argv.slice(2);
const { scenarios, issues } = loadScenarios(paths.length > 0 ? paths : ['scenarios']);
if (issues.length > 0) throw new Error(`the scenarios do not load: ${issues.map((i) => i.message).join('; ')}`);
const plan = planTrials(scenarios, {});
const passes = [];
plan.scenarios.forEach((scenario, s) => {
  const model = compile(scenario);
  scenario.policies.forEach((policy, p) => {
    const seen = new Set();
    for (const cell of plan.cells) {
      if (cell.scenarioIndex !== s || cell.policyIndex !== p) continue;
      for (let trial = cell.trialStart; trial < cell.trialEnd; trial++) {
        const slot = costSlot(model, p, trial);
        if (seen.has(slot.key)) continue;
        seen.add(slot.key);
        passes.push({ model, policy: p, seed: slot.seed, label: `${scenario.name} ${policy.name}` });
      }
    }
  });
});
for (let round = 1; round <= 3; round++) {
  const byCell = new Map();
  const t0 = performance.now();
  for (const { model, policy, seed, label } of passes) {
    const t = performance.now();
    computeCost(model, policy, seed);
    byCell.set(label, (byCell.get(label) ?? 0) + performance.now() - t);
  }
  console.log(`round ${round}: ${passes.length} cost passes in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  if (round === 3) {
    const top = [...byCell].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [label, ms] of top) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${label}`);
  }
}
