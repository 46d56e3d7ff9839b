/**
 * comparison.csv rows: each policy against the scenario's baseline policy, per attack and metric
 * (SPEC §8). `reduction_pct` = (baseline_mean − mean) / baseline_mean × 100: positive means the policy
 * lowers the metric (less risk, or less cost), negative means it raises it. Empty when the baseline
 * mean is 0 or empty (no meaningful ratio) or the policy's mean is empty.
 */
import { OutputError } from '../errors.js';
import { METRICS, type Metric } from '../domain/metrics.js';
import type { SummaryRow } from './summary.js';

/** One row of comparison.csv before formatting; keys are the CSV columns. */
export interface ComparisonRow {
  readonly scenario: string;
  readonly attack: string;
  readonly metric: Metric;
  readonly baseline: string;
  readonly policy: string;
  readonly baseline_mean: number | null;
  readonly mean: number | null;
  readonly reduction_pct: number | null;
}

/** (baseline − value) / baseline × 100, or `null` when it is undefined. */
export function reductionPct(baseline: number | null, value: number | null): number | null {
  if (baseline === null || value === null || baseline === 0) return null;
  return ((baseline - value) / baseline) * 100;
}

/**
 * Compares every non-baseline policy with the baseline. Rows follow the summary's order: scenario,
 * then attack, then metric (METRICS order), then policy. `baselineByScenario` maps a scenario name to
 * its baseline policy (the first policy unless `--baseline` says otherwise). Throws OutputError when a
 * scenario has no baseline or the baseline has no rows.
 */
export function compare(
  summary: readonly SummaryRow[],
  baselineByScenario: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): ComparisonRow[] {
  const baselineOf = (scenario: string): string | undefined =>
    baselineByScenario instanceof Map
      ? baselineByScenario.get(scenario)
      : Object.hasOwn(baselineByScenario, scenario)
        ? (baselineByScenario as Readonly<Record<string, string>>)[scenario]
        : undefined;

  // 1. Index the summary and record first-seen order of scenarios, attacks and policies.
  const byKey = new Map<string, SummaryRow>();
  const scenarios: string[] = [];
  const attacks = new Map<string, string[]>();
  const policies = new Map<string, string[]>();
  for (const row of summary) {
    byKey.set(key(row.scenario, row.policy, row.attack, row.metric), row);
    if (!attacks.has(row.scenario)) {
      scenarios.push(row.scenario);
      attacks.set(row.scenario, []);
      policies.set(row.scenario, []);
    }
    pushUnique(attacks.get(row.scenario), row.attack);
    pushUnique(policies.get(row.scenario), row.policy);
  }

  // 2. One row per scenario × attack × metric × non-baseline policy.
  const out: ComparisonRow[] = [];
  for (const scenario of scenarios) {
    const baseline = baselineOf(scenario);
    const scenarioPolicies = policies.get(scenario) ?? [];
    if (baseline === undefined) throw new OutputError(`compare: no baseline policy given for scenario "${scenario}"`);
    if (!scenarioPolicies.includes(baseline)) {
      throw new OutputError(
        `compare: baseline policy "${baseline}" has no results in scenario "${scenario}" (policies: ${scenarioPolicies.join(', ')})`,
      );
    }
    for (const attack of attacks.get(scenario) ?? []) {
      for (const metric of METRICS) {
        const base = byKey.get(key(scenario, baseline, attack, metric));
        for (const policy of scenarioPolicies) {
          if (policy === baseline) continue;
          const row = byKey.get(key(scenario, policy, attack, metric));
          if (row === undefined && base === undefined) continue;
          const baselineMean = base?.mean ?? null;
          const m = row?.mean ?? null;
          out.push({
            scenario,
            attack,
            metric,
            baseline,
            policy,
            baseline_mean: baselineMean,
            mean: m,
            reduction_pct: reductionPct(baselineMean, m),
          });
        }
      }
    }
  }
  return out;
}

function key(scenario: string, policy: string, attack: string, metric: string): string {
  return `${scenario}\u0000${policy}\u0000${attack}\u0000${metric}`;
}

function pushUnique(list: string[] | undefined, value: string): void {
  if (list !== undefined && !list.includes(value)) list.push(value);
}
