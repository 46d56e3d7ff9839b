/**
 * Every CSV's columns (SPEC §8), declared once. Each list is checked against the row type it writes:
 * a column without a field, or a field without a column, is a compile error.
 */
import { METRICS } from '../domain/metrics.js';
import type { ComparisonRow } from '../metrics/comparison.js';
import type { ScenariosRow } from '../metrics/scenario-row.js';
import type { SummaryRow } from '../metrics/summary.js';
import type { SweepRow } from '../metrics/sweep.js';
import type { TempoRow } from '../metrics/tempo.js';

/** trials.csv: one row per scenario × policy × attack × trial. */
export const TRIALS_COLUMNS = ['scenario', 'policy', 'attack', 'trial', 'seed', ...METRICS] as const;

/** summary.csv: one row per scenario × policy × attack × metric. */
export const SUMMARY_COLUMNS = [
  'scenario',
  'policy',
  'attack',
  'metric',
  'n',
  'mean',
  'stddev',
  'p50',
  'p95',
  'min',
  'max',
  'ci95_low',
  'ci95_high',
] as const;

/** comparison.csv: one row per scenario × attack × metric × non-baseline policy. */
export const COMPARISON_COLUMNS = [
  'scenario',
  'attack',
  'metric',
  'better',
  'baseline',
  'policy',
  'baseline_n',
  'baseline_mean',
  'n',
  'mean',
  'reduction_pct',
] as const;

/** scenarios.csv: one row per scenario. */
export const SCENARIOS_COLUMNS = [
  'scenario',
  'description',
  'patterns',
  'owasp_nhi',
  'attack',
  'nist_csf',
  'references',
  'credentials',
  'standing_credentials',
  'stale_credentials',
  'oldest_standing_secret_age_s',
] as const;

/** sweep.csv: one row per value × attack × metric. */
export const SWEEP_COLUMNS = [
  'scenario',
  'policy',
  'param',
  'value',
  'attack',
  'metric',
  'mean',
  'ci95_low',
  'ci95_high',
] as const;

/** tempo.csv: one row per scenario × attack × non-baseline policy × tempo (1m, 10m, 1h). */
export const TEMPO_COLUMNS = ['scenario', 'attack', 'policy', 'tempo', 'baseline_mean', 'mean', 'reduction_pct'] as const;

/** tempo-trials.csv: one row per scenario × policy × tempo × attack × trial below `--tempo-trials`. */
export const TEMPO_TRIALS_COLUMNS = ['scenario', 'policy', 'tempo', 'attack', 'trial', 'blast_radius'] as const;

/** bench.csv: one row per benchmark. */
export const BENCH_COLUMNS = [
  'name',
  'ops_per_s',
  'mean_us',
  'p50_us',
  'p95_us',
  'p99_us',
  'samples',
  'baseline',
  'ratio_to_baseline',
] as const;

/** One row of bench.csv before formatting (`baseline` = the name of the raw baseline case, empty for baselines). */
export interface BenchRow {
  readonly name: string;
  readonly ops_per_s: number | null;
  readonly mean_us: number | null;
  readonly p50_us: number | null;
  readonly p95_us: number | null;
  readonly p99_us: number | null;
  readonly samples: number;
  readonly baseline: string;
  readonly ratio_to_baseline: number | null;
}

/** A CSV cell before formatting: text, a number we format, or empty. */
export type Cell = string | number | null;

/** A row keyed by a column list. */
export type CsvRow<C extends readonly string[]> = { readonly [K in C[number]]: Cell };

// Compile-time checks that the column lists and the row types name the same fields.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type Columns<C extends readonly string[]> = { [K in C[number]]: unknown };
const columnChecks: [
  SameKeys<Columns<typeof SUMMARY_COLUMNS>, SummaryRow>,
  SameKeys<Columns<typeof COMPARISON_COLUMNS>, ComparisonRow>,
  SameKeys<Columns<typeof SCENARIOS_COLUMNS>, ScenariosRow>,
  SameKeys<Columns<typeof SWEEP_COLUMNS>, SweepRow>,
  SameKeys<Columns<typeof BENCH_COLUMNS>, BenchRow>,
  SameKeys<Columns<typeof TEMPO_COLUMNS>, TempoRow>,
] = [true, true, true, true, true, true];
void columnChecks;
