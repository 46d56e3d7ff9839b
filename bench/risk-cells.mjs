// #10 where the attacker logic's time goes: every cell (scenario × policy × attack) of a `run` of the
// given scenarios, its risk metrics only (no cost pass), on one thread. Each cell runs its first N
// trials (after a warm-up of 3) and is scaled to its trial count, so the shares are those of a full run
// (each cell alone: a run shares one workload replay among the attacks of a policy). Usage:
// npm run build && node bench/risk-cells.mjs [--trials N] [paths… = scenarios]
// (e.g. a folder extracted with `git archive REV scenarios`). Prints the total and the top 25 cells.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadScenarios } from '../dist/scenario/load.js';
import { compile } from '../dist/model/compile.js';
import { planTrials } from '../dist/exec/plan.js';
import { runBatch } from '../dist/exec/worker.js';

const { values, positionals } = parseArgs({ options: { trials: { type: 'string', default: '40' } }, allowPositionals: true });
const sample = Number(values.trials);
const { scenarios, issues } = loadScenarios(positionals.length > 0 ? positionals : ['scenarios']);
if (issues.length > 0) throw new Error(`the scenarios do not load: ${issues.map((i) => i.message).join('; ')}`);
const plan = planTrials(scenarios, {});
const cells = [];
let total = 0;
plan.scenarios.forEach((scenario, s) => {
  const model = compile(scenario);
  for (const cell of plan.cells) {
    if (cell.scenarioIndex !== s) continue;
    const trials = cell.trialEnd - cell.trialStart;
    const n = Math.min(sample, trials);
    const task = (end) => ({
      kind: 'batch',
      scenarioIndex: s,
      policyIndex: cell.policyIndex,
      attacks: [cell.attackIndex],
      policies: [cell.policyIndex],
      trialStart: cell.trialStart,
      trialEnd: cell.trialStart + end,
      cursor: new Int32Array(2),
      riskOnly: true,
    });
    runBatch(model, task(Math.min(3, n)));
    const t0 = performance.now();
    runBatch(model, task(n));
    const ms = ((performance.now() - t0) / n) * trials;
    total += ms;
    const policy = scenario.policies[cell.policyIndex].name;
    const attack = scenario.attacks[cell.attackIndex].name;
    cells.push({ ms, label: `${scenario.name} ${policy} ${attack} (${trials} trials)` });
  }
});
console.log(
  `risk work of ${plan.size} trials, one thread, scaled from the first ${sample} of each cell: ${(total / 1000).toFixed(2)} s`,
);
for (const { ms, label } of cells.sort((a, b) => b.ms - a.ms).slice(0, 25)) {
  console.log(`  ${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${label}`);
}
