/** Metric names as they appear in CSV columns (SPEC §5), declared once. */

export const RISK_METRICS = [
  'records_exfiltrated',
  'resources_reached',
  'attack_success',
  'blast_radius',
  'records_exposed',
  'privileged_resources',
  'credentials_harvested',
  'max_hops',
  'exposure_window_s',
  'access_window_s',
  'time_to_first_access_s',
  'time_to_containment_s',
  // Incident replays (docs/incidents.md): reach the public record confirms; empty when a scenario confirms none.
  'confirmed_resources_reached',
  'confirmed_blast_radius',
] as const;

export const COST_METRICS = [
  'tokens_issued',
  'peak_issuance_per_s',
  'issuance_wait_p95_ms',
  'tasks_total',
  'tasks_failed',
  'reauthorizations',
] as const;

export const METRICS = [...RISK_METRICS, ...COST_METRICS] as const;
export type RiskMetric = (typeof RISK_METRICS)[number];
export type CostMetric = (typeof COST_METRICS)[number];
export type Metric = (typeof METRICS)[number];

/** One trial's metrics; `null` is an empty cell (never accessed, never contained). */
export type TrialMetrics = { readonly [M in Metric]: number | null };
export type RiskMetrics = { readonly [M in RiskMetric]: number | null };
export type CostMetrics = { readonly [M in CostMetric]: number };

/** One row of trials.csv before formatting. */
export interface TrialRow {
  readonly scenario: string;
  readonly policy: string;
  readonly attack: string;
  readonly trial: number;
  readonly seed: number;
  readonly metrics: TrialMetrics;
}
