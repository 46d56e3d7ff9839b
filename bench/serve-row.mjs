// Only the bench rows `serve token exchange (http)` and its baseline `mint token` (plus `raw ed25519 sign`,
// the baseline's own baseline), without the rest of the suite. Run after `npm run build`:
//   node bench/serve-row.mjs
import { runBenchmarks } from '../dist/bench/suite.js';

for (const row of await runBenchmarks({ filter: /serve token/ })) {
  const ratio = row.ratio_to_baseline === null ? '' : `  ratio ${row.ratio_to_baseline.toFixed(2)} to ${row.baseline}`;
  console.log(`${row.name}: ${Math.round(row.ops_per_s)} ops/s, p50 ${row.p50_us.toFixed(1)} µs${ratio}`);
}
