/**
 * comparison.csv rows: each policy against the scenario's baseline policy, per attack and metric
 * (SPEC §8, docs/outputs.md). `better` says which direction is better for the metric (`lower` for all
 * but `time_to_first_access_s` and `tasks_total`). `reduction_pct` is signed so that positive always
 * means better than the baseline (less risk, or less cost): (baseline_mean − mean) / baseline_mean × 100
 * for `lower`, (mean − baseline_mean) / baseline_mean × 100 for `higher`. Empty when the baseline mean
 * is 0 or empty (no meaningful ratio) or the policy's mean is empty. `baseline_n` and `n` are the
 * trials each mean is over: conditional metrics (time to first access, time to containment) are only
 * defined in some trials, so the two means may be over different trials.
 */
import { OutputError } from '../errors.js';
import { METRICS, type Metric } from '../domain/metrics.js';
import type { SummaryRow } from './summary.js';

/** One row of comparison.csv before formatting; keys are the CSV columns. */
export interface ComparisonRow {
  readonly scenario: string;
  readonly attack: string;
  readonly metric: Metric;
  readonly better: Better;
  readonly baseline: string;
  readonly policy: string;
  readonly baseline_n: number;
  readonly baseline_mean: number | null;
  readonly n: number;
  readonly mean: number | null;
  readonly reduction_pct: number | null;
}

/** Which direction of a metric is better for the defender. */
export type Better = 'lower' | 'higher';

/** Metrics where a higher value is better: the attacker took longer; more of the workload ran. */
const HIGHER_IS_BETTER: ReadonlySet<Metric> = new Set<Metric>(['time_to_first_access_s', 'tasks_total']);

/** Which direction of `metric` is better. */
export function betterOf(metric: Metric): Better {
  return HIGHER_IS_BETTER.has(metric) ? 'higher' : 'lower';
}

/**
 * The improvement over the baseline in percent, positive = better: (baseline − value) / baseline × 100
 * when lower is better, the opposite sign when higher is better; `null` when it is undefined.
 */
export function reductionPct(baseline: number | null, value: number | null, better: Better = 'lower'): number | null {
  if (baseline === null || value === null || baseline === 0) return null;
  const pct = ((baseline - value) / baseline) * 100;
  return better === 'lower' ? pct : pct === 0 ? 0 : -pct;
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
      ? (baselineByScenario as ReadonlyMap<string, string>).get(scenario)
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
          const better = betterOf(metric);
          out.push({
            scenario,
            attack,
            metric,
            better,
            baseline,
            policy,
            baseline_n: base?.n ?? 0,
            baseline_mean: baselineMean,
            n: row?.n ?? 0,
            mean: m,
            reduction_pct: reductionPct(baselineMean, m, better),
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
