/** The benchmark suite's public surface (loaded on demand by `blastlab bench`). */
export { formatBenchTable, runBenchmarks, selectIds } from './suite.js';
export type { BenchOptions } from './suite.js';
export { BENCH_BASELINES, BENCH_IDS } from './types.js';
export type { BenchId } from './types.js';
