// #10 exactness: every (policy, attack) cell of the shipped scenarios, their attacker tempo variants
// and their attribution variants (trials below the cap, as `run` does), run with the engine's shortcuts (S9 streams and inert hops, S10 replay) and without them
// (`reference: true`), trial by trial; the metrics must be identical (docs/semantics-engine.md S9).
// Usage: npm run build && node bench/exact-shipped.mjs [trials=12]
// Prints every trial that differs and the totals; exits 1 when any trial differs.
import { performance } from 'node:perf_hooks';
import { loadScenarios } from '../dist/scenario/load.js';
import { shortcutMismatches } from '../dist/bench/exact.js';

const trials = Number(process.argv[2] ?? 12);
const t0 = performance.now();
const { scenarios, issues } = loadScenarios(['scenarios']);
if (issues.length > 0) throw new Error(`scenarios/ does not load: ${issues.map((i) => i.message).join('; ')}`);
const { compared, differing } = shortcutMismatches(scenarios, trials, true);
for (const line of differing) console.log(line);
const s = ((performance.now() - t0) / 1000).toFixed(0);
console.log(`${compared} trials compared in ${s} s; ${differing.length} differ from the reference engine`);
process.exitCode = differing.length === 0 ? 0 : 1;
