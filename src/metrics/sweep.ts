/** sweep.csv rows: one policy parameter over a range of values, per value × attack × metric (SPEC §8). */
import type { Metric } from '../domain/metrics.js';
import type { SummaryRow } from './summary.js';

/** One row of sweep.csv before formatting; keys are the CSV columns. */
export interface SweepRow {
  readonly scenario: string;
  readonly policy: string;
  readonly param: string;
  /** The value as written on the command line (e.g. `15m`). */
  readonly value: string;
  readonly attack: string;
  readonly metric: Metric;
  readonly mean: number | null;
  readonly ci95_low: number | null;
  readonly ci95_high: number | null;
}

/** What one sweep point varied. */
export interface SweepPoint {
  /** The swept policy's name as it appears in the `policy` column of the summary rows. */
  readonly policy: string;
  readonly param: string;
  readonly value: string;
}

/** The sweep.csv rows of one value: the summary rows of the swept policy, in summary order. */
export function sweepRows(summary: Iterable<SummaryRow>, point: SweepPoint): SweepRow[] {
  const out: SweepRow[] = [];
  for (const row of summary) {
    if (row.policy !== point.policy) continue;
    out.push({
      scenario: row.scenario,
      policy: point.policy,
      param: point.param,
      value: point.value,
      attack: row.attack,
      metric: row.metric,
      mean: row.mean,
      ci95_low: row.ci95_low,
      ci95_high: row.ci95_high,
    });
  }
  return out;
}
