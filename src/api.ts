/**
 * `simulate(scenarioOrPath, options)`: the library entry point (docs/api.md). Runs one scenario's
 * trials exactly as `blastlab run` does (same plan, same seeds, same numbers as summary.csv and
 * comparison.csv) and returns the results in memory, addressed by policy and attack names. Writes
 * no file.
 */
import { BlastlabError, ScenarioError, UsageError } from './errors.js';
import { METRICS, type Metric } from './domain/metrics.js';
import { compare, type ComparisonRow } from './metrics/comparison.js';
import { SummaryBuilder, orderOf, type SummaryRow } from './metrics/summary.js';
import { compile } from './model/compile.js';
import { recommend, type Recommendation } from './report/recommend.js';
import { didYouMean } from './scenario/hints.js';
import { loadScenarioFile, scenarioOfDocument } from './scenario/load.js';
import type { Scenario } from './domain/scenario.js';
import { planTrials } from './exec/plan.js';
import { executePlan } from './exec/pool.js';
import { decodeMetrics } from './exec/worker.js';

/** Options of `simulate`; every field is optional. */
export interface SimulateOptions {
  /** Trials per (policy, attack), replacing the scenario's `trials`. */
  readonly trials?: number;
  /** Base seed, replacing the scenario's `seed`. */
  readonly seed?: number;
  /** Run only these policies (file order is kept). */
  readonly policies?: readonly string[];
  /** The policy the others are compared with (default: the scenario's first policy that runs). */
  readonly baseline?: string;
  /** Worker threads; 1 (the default) runs in the calling thread. Results do not depend on it. */
  readonly workers?: number;
  /** Aborting stops the run; `simulate` then rejects with RunInterruptedError. */
  readonly signal?: AbortSignal;
}

/** One metric of one policy against one attack: the numbers of its summary.csv row. */
export interface MetricSummary {
  /** Trials in which the metric is defined (conditional metrics, such as time to containment, may have fewer). */
  readonly n: number;
  readonly mean: number | null;
  readonly stddev: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** 95% confidence interval of the mean (Wilson for attack_success, Student-t otherwise). */
  readonly ci95Low: number | null;
  readonly ci95High: number | null;
}

/** Every metric of one policy against one attack. */
export type MetricSummaries = { readonly [M in Metric]: MetricSummary };

/** What `simulate` returns. Names are the scenario's; an unknown name throws UsageError with a hint. */
export interface SimulationResult {
  /** The scenario as run (after `trials`/`seed` overrides). */
  readonly scenario: Scenario;
  readonly baseline: string;
  /** Policies that ran, in file order. */
  readonly policies: readonly string[];
  /** Attacks, in file order. */
  readonly attacks: readonly string[];
  /** Every metric of `policy` against `attack`. */
  metrics(policy: string, attack: string): MetricSummaries;
  /** One metric's per-trial values of `policy` against `attack`, in trial order (defined trials only). */
  values(policy: string, attack: string, metric: Metric): Float64Array;
  /** `policy` against the baseline on `metric` (comparison.csv's row); `null` for the baseline itself. */
  comparison(policy: string, attack: string, metric: Metric): ComparisonRow | null;
  /** The "At a glance" recommendation for `attack` (docs/outputs.md). */
  recommendation(attack: string): Recommendation;
  /** summary.csv's rows. */
  readonly summary: readonly SummaryRow[];
  /** comparison.csv's rows. */
  readonly comparisons: readonly ComparisonRow[];
}

/**
 * Runs every trial of one scenario and returns the results in memory. `scenarioOrPath` is a scenario
 * file's path, a scenario loaded with `loadScenarioFile`/`parseScenarioText`, or a plain scenario
 * object written as in a file (validated the same way). Throws ScenarioError for an invalid scenario
 * and UsageError for unknown names in `options`.
 */
export async function simulate(
  scenarioOrPath: string | Scenario | Readonly<Record<string, unknown>>,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  const loaded = toScenario(scenarioOrPath);
  if (options.baseline !== undefined && options.policies !== undefined && !options.policies.includes(options.baseline)) {
    throw new UsageError(
      `simulate: baseline "${options.baseline}" is not among the policies to run (${options.policies.join(', ')})`,
    );
  }
  const plan = planTrials([loaded], { trials: options.trials, seed: options.seed, policies: options.policies });
  const scenario = plan.scenarios[0]!;
  const ran = scenario.policies
    .filter((p) => options.policies === undefined || options.policies.includes(p.name))
    .map((p) => p.name);
  const attacks = scenario.attacks.map((a) => a.name);
  const baseline = options.baseline ?? ran[0]!;
  check('policy', baseline, ran);

  const builder = new SummaryBuilder(orderOf([{ ...scenario, policies: scenario.policies.filter((p) => ran.includes(p.name)) }]));
  await executePlan(
    plan,
    [compile(scenario)],
    { workers: options.workers ?? 1, signal: options.signal },
    ({ cell, trialStart, trialEnd, values }) => {
      for (let trial = trialStart; trial < trialEnd; trial++) {
        builder.add({
          scenario: scenario.name,
          policy: scenario.policies[cell.policyIndex]!.name,
          attack: scenario.attacks[cell.attackIndex]!.name,
          trial,
          seed: 0,
          metrics: decodeMetrics(values, trial - trialStart),
        });
      }
    },
  );
  const summary = builder.rows();
  const comparisons = compare(summary, { [scenario.name]: baseline });
  const rows = new Map(summary.map((r) => [`${r.policy}\u0000${r.attack}\u0000${r.metric}`, r]));
  const row = (policy: string, attack: string, metric: Metric): SummaryRow | undefined =>
    rows.get(`${policy}\u0000${attack}\u0000${metric}`);

  return {
    scenario,
    baseline,
    policies: ran,
    attacks,
    summary,
    comparisons,
    metrics(policy, attack) {
      check('policy', policy, ran);
      check('attack', attack, attacks);
      return Object.fromEntries(METRICS.map((m) => [m, metricSummary(row(policy, attack, m))])) as MetricSummaries;
    },
    values(policy, attack, metric) {
      check('policy', policy, ran);
      check('attack', attack, attacks);
      check('metric', metric, METRICS);
      return builder.values(scenario.name, policy, attack, metric);
    },
    comparison(policy, attack, metric) {
      check('policy', policy, ran);
      check('attack', attack, attacks);
      check('metric', metric, METRICS);
      return comparisons.find((c) => c.policy === policy && c.attack === attack && c.metric === metric) ?? null;
    },
    recommendation(attack) {
      check('attack', attack, attacks);
      return recommend(
        ran.map((policy) => ({
          policy,
          blast: row(policy, attack, 'blast_radius'),
          tasksFailed: row(policy, attack, 'tasks_failed')?.mean ?? null,
          tokensIssued: row(policy, attack, 'tokens_issued')?.mean ?? null,
        })),
        baseline,
      );
    },
  };
}

function toScenario(input: string | Scenario | Readonly<Record<string, unknown>>): Scenario {
  if (typeof input === 'string') return loadScenarioFile(input);
  if (isResolved(input)) return input;
  const result = scenarioOfDocument(
    {
      file: '<scenario object>',
      data: structuredClone(input),
      position: () => ({ line: null, column: null }),
      release: () => undefined,
    },
    '',
  );
  if (!result.ok) throw new ScenarioError(result.issues);
  return result.scenario;
}

function isResolved(input: Scenario | Readonly<Record<string, unknown>>): input is Scenario {
  return typeof (input as Partial<Scenario>).horizonMs === 'number' && typeof (input as Partial<Scenario>).source === 'object';
}

function check(what: string, name: string, names: readonly string[]): void {
  if (names.includes(name)) return;
  const hint = didYouMean(name, names);
  throw new UsageError(`simulate: no ${what} "${name}" (${names.join(', ')})${hint === undefined ? '' : `; ${hint}`}`);
}

function metricSummary(row: SummaryRow | undefined): MetricSummary {
  if (row === undefined) throw new BlastlabError('simulate: a summary row is missing (a bug: please report it)');
  return {
    n: row.n,
    mean: row.mean,
    stddev: row.stddev,
    p50: row.p50,
    p95: row.p95,
    min: row.min,
    max: row.max,
    ci95Low: row.ci95_low,
    ci95High: row.ci95_high,
  };
}
