// #10 speed: one trial of the generated 10k-agent estate (`generate --agents 10000 --seed 1`) against
// raw CSR breadth-first traversals of the same graph, in one process (docs/benchmarks.md).
// Usage: npm run build && node bench/engine-10k.mjs [trials=200]
// Prints, per policy × attack: median ms per trial (risk only), median ms per raw BFS, and the ratio
// (raw BFS time ÷ trial time: 0.5 means a trial costs two traversals). CPU-bound; the machine's load
// moves both sides alike.
import { generateEstate } from '../dist/estate/synthetic.js';
import { compile } from '../dist/model/compile.js';
import { runTrialDetailed } from '../dist/sim/trial.js';
import { plainCsr, rawCsrBfs } from '../dist/bench/cases/reach.js';

const trials = Number(process.argv[2] ?? 200);
const scenario = generateEstate({ agents: 10_000, seed: 1 });
const model = compile(scenario);
const csr = plainCsr(scenario, model.indexOf);
const visited = new Uint8Array(model.nodeCount);
const queue = new Int32Array(model.nodeCount);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
console.log(`estate: ${model.nodeCount} nodes, ${scenario.edges.length} edges; ${trials} trials per cell`);
for (let p = 0; p < scenario.policies.length; p++) {
  for (let a = 0; a < scenario.attacks.length; a++) {
    const bfs = [];
    const trial = [];
    let events = 0;
    for (let i = 0; i < trials; i++) {
      const entry = model.indexOf.get(scenario.nodes[i % 50].id);
      bfs.push(time(() => rawCsrBfs(csr, entry, visited, queue)));
      trial.push(time(() => (events += runTrialDetailed(model, p, a, i, { riskOnly: true }).events)));
    }
    const b = median(bfs);
    const t = median(trial);
    console.log(
      `${scenario.policies[p].name.padEnd(20)} ${scenario.attacks[a].name.padEnd(20)} trial ${t.toFixed(3).padStart(8)} ms  raw bfs ${b.toFixed(3).padStart(7)} ms  ratio ${(b / t).toFixed(3)}  events/trial ${(events / trials).toFixed(0)}`,
    );
  }
}
