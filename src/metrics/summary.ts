/**
 * summary.csv rows: one per scenario × policy × attack × metric, from trial rows (SPEC §8).
 *
 * Empty metric cells (`null`: never accessed, never contained) are not values: they are left out of
 * `n`, so `n` can be smaller than the trial count. The 95% CI is Student-t for every metric but the 0/1
 * ones (attack_success), which use the Wilson score interval (see src/lib/stats.ts). Every metric of
 * SPEC §5 is non-negative, so a t interval's lower end is clipped at 0 (the true mean cannot be lower;
 * small skewed samples would otherwise print a negative blast radius).
 */
import { MetricAccumulator, type CiMethod, type Stats } from '../lib/stats.js';
import type { Scenario } from '../domain/scenario.js';
import { METRICS, type Metric, type TrialRow } from '../domain/metrics.js';

/** Metrics whose every value is 0 or 1: their CI is a Wilson interval for a proportion. */
export const PROPORTION_METRICS: ReadonlySet<Metric> = new Set<Metric>(['attack_success']);

/** The CI method used for a metric. */
export function ciMethodOf(metric: Metric): CiMethod {
  return PROPORTION_METRICS.has(metric) ? 'wilson' : 'student-t';
}

/** One row of summary.csv before formatting; keys are the CSV columns. `null` = empty cell. */
export interface SummaryRow {
  readonly scenario: string;
  readonly policy: string;
  readonly attack: string;
  readonly metric: Metric;
  readonly n: number;
  readonly mean: number | null;
  readonly stddev: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly ci95_low: number | null;
  readonly ci95_high: number | null;
}

/** Row order of a scenario's outputs: policies and attacks as the scenario file lists them. */
export interface ScenarioOrder {
  readonly scenario: string;
  readonly policies: readonly string[];
  readonly attacks: readonly string[];
}

/** The order hint for a list of scenarios (scenario order as given, then file order inside each). */
export function orderOf(scenarios: Iterable<Scenario>): ScenarioOrder[] {
  return [...scenarios].map((s) => ({
    scenario: s.name,
    policies: s.policies.map((p) => p.name),
    attacks: s.attacks.map((a) => a.name),
  }));
}

/** Ranks names by a hint first, then by first appearance; stable and independent of Map internals. */
class Ranking {
  private readonly rank = new Map<string, number>();
  constructor(hint: readonly string[] = []) {
    for (const name of hint) if (!this.rank.has(name)) this.rank.set(name, this.rank.size);
  }
  see(name: string): void {
    if (!this.rank.has(name)) this.rank.set(name, this.rank.size);
  }
  of(name: string): number {
    return this.rank.get(name) ?? Number.MAX_SAFE_INTEGER;
  }
}

interface Group {
  readonly scenario: string;
  readonly policy: string;
  readonly attack: string;
  readonly accumulators: Record<Metric, MetricAccumulator>;
}

/**
 * Streams trial rows into per-(scenario, policy, attack) accumulators. Keep one for a whole run (or
 * merge shards' trial rows into one in trials.csv order): `rows()` gives summary.csv, `values()` the
 * raw per-metric samples the report's distribution charts need.
 */
export class SummaryBuilder {
  private readonly groups = new Map<string, Group>();
  private readonly scenarioRank: Ranking;
  private readonly policyRank = new Map<string, Ranking>();
  private readonly attackRank = new Map<string, Ranking>();

  constructor(order: readonly ScenarioOrder[] = []) {
    this.scenarioRank = new Ranking(order.map((o) => o.scenario));
    for (const o of order) {
      this.policyRank.set(o.scenario, new Ranking(o.policies));
      this.attackRank.set(o.scenario, new Ranking(o.attacks));
    }
  }

  /** Adds one trial's metrics; `null` cells are skipped. */
  add(row: TrialRow): void {
    const key = groupKey(row.scenario, row.policy, row.attack);
    let group = this.groups.get(key);
    if (group === undefined) {
      this.scenarioRank.see(row.scenario);
      rankingFor(this.policyRank, row.scenario).see(row.policy);
      rankingFor(this.attackRank, row.scenario).see(row.attack);
      const accumulators = {} as Record<Metric, MetricAccumulator>;
      for (const m of METRICS) accumulators[m] = new MetricAccumulator();
      group = { scenario: row.scenario, policy: row.policy, attack: row.attack, accumulators };
      this.groups.set(key, group);
    }
    for (const m of METRICS) {
      const v = row.metrics[m];
      if (v !== null) group.accumulators[m].add(v);
    }
  }

  /** The kept values of one metric (insertion order), or an empty array when the group is unknown. */
  values(scenario: string, policy: string, attack: string, metric: Metric): Float64Array {
    return this.groups.get(groupKey(scenario, policy, attack))?.accumulators[metric].values() ?? new Float64Array(0);
  }

  /** summary.csv rows: scenario, then policy and attack in scenario file order, then metric in METRICS order. */
  rows(): SummaryRow[] {
    const groups = [...this.groups.values()].sort(
      (a, b) =>
        this.scenarioRank.of(a.scenario) - this.scenarioRank.of(b.scenario) ||
        rankingFor(this.policyRank, a.scenario).of(a.policy) - rankingFor(this.policyRank, b.scenario).of(b.policy) ||
        rankingFor(this.attackRank, a.scenario).of(a.attack) - rankingFor(this.attackRank, b.scenario).of(b.attack),
    );
    const out: SummaryRow[] = [];
    for (const g of groups) {
      for (const metric of METRICS) {
        out.push(summaryRow(g.scenario, g.policy, g.attack, metric, g.accumulators[metric].stats(ciMethodOf(metric))));
      }
    }
    return out;
  }
}

/** One summary.csv row from a cell's statistics (the CI's lower end clipped at 0: every metric is non-negative). */
export function summaryRow(scenario: string, policy: string, attack: string, metric: Metric, s: Stats): SummaryRow {
  return {
    scenario,
    policy,
    attack,
    metric,
    n: s.n,
    mean: s.mean,
    stddev: s.stddev,
    p50: s.p50,
    p95: s.p95,
    min: s.min,
    max: s.max,
    ci95_low: s.ci95 === null ? null : Math.max(0, s.ci95.low),
    ci95_high: s.ci95?.high ?? null,
  };
}

/** summary.csv rows for trial rows (see SummaryBuilder for order and empty cells). */
export function summarize(rows: Iterable<TrialRow>, order: readonly ScenarioOrder[] = []): SummaryRow[] {
  const builder = new SummaryBuilder(order);
  for (const row of rows) builder.add(row);
  return builder.rows();
}

function groupKey(scenario: string, policy: string, attack: string): string {
  // NUL cannot occur in names that came through the scenario loader, so the key is unambiguous.
  return `${scenario}\u0000${policy}\u0000${attack}`;
}

function rankingFor(map: Map<string, Ranking>, scenario: string): Ranking {
  let r = map.get(scenario);
  if (r === undefined) {
    r = new Ranking();
    map.set(scenario, r);
  }
  return r;
}
