// Load + compile time of one scenario file (the scale goal: a 1M-edge estate in ≤ 5 s, ≤ 1.5 GB).
// Usage: npm run build && node bench/load-compile.mjs <file>   (peak RSS: wrap in /usr/bin/time -v)
// A measurement, not a test: run it on a quiet machine, a few times.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

// The same young-generation size the CLI sets (src/cli/main.ts), before anything is loaded.
setFlagsFromString('--max-semi-space-size=64');
const { loadScenarios } = await import('../dist/scenario/load.js');
const { compile } = await import('../dist/model/compile.js');

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/load-compile.mjs <scenario file>\n');
  process.exit(2);
}
const start = performance.now();
const { scenarios, issues } = loadScenarios([file]);
if (issues.length > 0 || scenarios.length !== 1) {
  process.stderr.write(`${file}: ${issues.length} problems (run blastlab validate)\n`);
  process.exit(2);
}
const loaded = performance.now();
const model = compile(scenarios[0]);
const done = performance.now();
const rss = process.memoryUsage().rss / 1e6;
process.stdout.write(
  `load ${(loaded - start).toFixed(0)} ms, compile ${(done - loaded).toFixed(0)} ms, total ${(done - start).toFixed(0)} ms; ` +
    `${model.nodeCount} nodes, ${scenarios[0].edges.length} edges; RSS now ${rss.toFixed(0)} MB\n`,
);
