/**
 * Global fast-check settings. Every property prints its seed and counterexample path when it fails;
 * `FC_SEED=<seed>` (and `FC_PATH=<path>`) replays that run, `FC_NUM_RUNS=<n>` runs every property n times.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
const numRuns = process.env.FC_NUM_RUNS;
const path = process.env.FC_PATH;

if (seed !== undefined && !/^-?\d+$/.test(seed)) throw new Error(`FC_SEED must be an integer (got "${seed}")`);
if (numRuns !== undefined && !/^\d+$/.test(numRuns)) throw new Error(`FC_NUM_RUNS must be a positive integer (got "${numRuns}")`);

fc.configureGlobal({
  ...(seed === undefined ? {} : { seed: Number(seed) }),
  ...(path === undefined ? {} : { path }),
  ...(numRuns === undefined ? {} : { numRuns: Number(numRuns) }),
  verbose: fc.VerbosityLevel.Verbose,
});
