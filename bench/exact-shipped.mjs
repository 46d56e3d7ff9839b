// #10 exactness: every (policy, attack) cell of the shipped scenarios, and their attacker tempo
// variants, run with the engine's shortcuts (S9 streams and inert hops, S10 replay) and without them
// (`reference: true`), trial by trial; the metrics must be identical (docs/semantics-engine.md S9).
// Usage: npm run build && node bench/exact-shipped.mjs [trials=12]
// Prints the first differing trial of each cell and the totals; exits 1 when any trial differs.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenarioFile } from '../dist/scenario/load.js';
import { compile } from '../dist/model/compile.js';
import { runTrialDetailed } from '../dist/sim/trial.js';
import { TEMPO_HOP_DELAYS, withHopDelay } from '../dist/attacks/tempo.js';

const trials = Number(process.argv[2] ?? 12);
/** Scenario files under `dir` (policy snippets excluded: they are not scenarios). */
const files = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'policies' ? [] : files(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });

let compared = 0;
let differing = 0;
const t0 = performance.now();
for (const file of files('scenarios')) {
  const scenario = loadScenarioFile(file);
  const variants = [
    ['run', scenario],
    ...TEMPO_HOP_DELAYS.map(({ label, hopDelay }) => [label, withHopDelay(scenario, hopDelay)]),
  ];
  for (const [label, variant] of variants) {
    const model = compile(variant);
    for (let p = 0; p < variant.policies.length; p++) {
      for (let a = 0; a < variant.attacks.length; a++) {
        let first = true;
        for (let trial = 0; trial < trials; trial++) {
          compared++;
          const fast = runTrialDetailed(model, p, a, trial, { riskOnly: true }).metrics;
          const reference = runTrialDetailed(model, p, a, trial, { riskOnly: true, reference: true }).metrics;
          const keys = Object.keys(fast).filter((k) => !Object.is(fast[k], reference[k]));
          if (keys.length === 0) continue;
          differing++;
          if (first) {
            first = false;
            const what = keys.map((k) => `${k} ${fast[k]} vs ${reference[k]}`).join('; ');
            console.log(
              `${scenario.name} (${label}) ${variant.policies[p].name} × ${variant.attacks[a].name} trial ${trial}: ${what}`,
            );
          }
        }
      }
    }
  }
}
const s = ((performance.now() - t0) / 1000).toFixed(0);
console.log(`${compared} trials compared in ${s} s; ${differing} differ from the reference engine`);
process.exitCode = differing === 0 ? 0 : 1;
