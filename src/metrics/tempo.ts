/**
 * Attacker tempo (SPEC §1 "attacker tempo", docs/semantics-engine.md E6): each policy's reduction in
 * mean blast radius against the baseline when every attack's `hopDelay` is a fixed 1m, 10m or 1h
 * (attacks/tempo.ts). The reduction follows comparison.csv's rule (metrics/comparison.ts
 * `reductionPct`): positive = less risk than the baseline at the same tempo.
 */
import { reductionPct } from './comparison.js';

/** One row of tempo.csv before formatting; keys are the CSV columns (report/columns.ts TEMPO_COLUMNS). */
export interface TempoRow {
  readonly scenario: string;
  readonly attack: string;
  readonly policy: string;
  /** The TEMPO_HOP_DELAYS label: `1m`, `10m` or `1h`. */
  readonly tempo: string;
  readonly baseline_mean: number | null;
  readonly mean: number | null;
  readonly reduction_pct: number | null;
}

/** The tempo.csv row of one (scenario, attack, policy, tempo) from the two means. */
export function tempoRow(
  key: { readonly scenario: string; readonly attack: string; readonly policy: string; readonly tempo: string },
  baselineMean: number | null,
  mean: number | null,
): TempoRow {
  return { ...key, baseline_mean: baselineMean, mean, reduction_pct: reductionPct(baselineMean, mean) };
}
