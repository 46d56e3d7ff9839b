/**
 * Attribution under `--no-trials`: the variant runs of exec/attribution.ts (same variants, same order,
 * same trial seeds and ranges), but each variant cell keeps a mergeable summary — its trial count and
 * the exact sum of its blast radius — instead of attribution-trials.csv rows. attribution.csv is then
 * computed from the merged means with the rules of metrics/attribution.ts (A3/A4).
 *
 * The plan and the A3/A4 assembly repeat exec/attribution.ts, which is frozen while the engine is
 * rewritten: once it exports `policySwitches`, `variantPlan` and an `attributionOf` that takes the means,
 * this module should use those instead of its copies.
 */
import { ExactSum } from '../lib/exact-sum.js';
import type { CompiledModel } from '../model/compile.js';
import {
  attributionRows,
  representativeMasks,
  subsetOf,
  switchedControls,
  variantLabel,
  variantPolicy,
  type AttributionRow,
  type Control,
} from '../metrics/attribution.js';
import type { SummaryRow } from '../metrics/summary.js';
import { formatNumber } from '../report/format.js';
import type { Policy, Scenario } from '../domain/scenario.js';
import type { PlanCell, TrialPlan } from './plan.js';
import { executePlan, type ExecuteOptions } from './pool.js';
import { decodeMetrics } from './worker.js';

/** One variant cell's summary: the blast radius of `n` trials (an empty cell counts as 0, as in attribution-trials.csv). */
export interface VariantSummary {
  readonly scenario: string;
  readonly policy: string;
  readonly variant: string;
  readonly attack: string;
  readonly trialStart: number;
  readonly trialEnd: number;
  n: number;
  readonly sum: ExactSum;
}

interface PolicySwitches {
  readonly scenarioIndex: number;
  readonly policy: Policy;
  readonly baseline: Policy;
  readonly switched: readonly Control[];
  readonly runs: readonly number[];
}

function policySwitches(plan: TrialPlan, baselines: ReadonlyMap<string, string>): PolicySwitches[] {
  const out: PolicySwitches[] = [];
  plan.scenarios.forEach((scenario, scenarioIndex) => {
    const baseline = scenario.policies.find((p) => p.name === baselines.get(scenario.name));
    if (baseline === undefined) return;
    const kept = new Set(plan.cells.filter((c) => c.scenarioIndex === scenarioIndex).map((c) => c.policyIndex));
    scenario.policies.forEach((policy, policyIndex) => {
      if (!kept.has(policyIndex) || policy.name === baseline.name) return;
      const switched = switchedControls(policy, baseline);
      out.push({ scenarioIndex, policy, baseline, switched, runs: representativeMasks(policy, baseline, switched) });
    });
  });
  return out;
}

/** Key of a variant cell. */
export function variantKey(scenario: string, policy: string, variant: string, attack: string): string {
  return `${scenario}\u0000${policy}\u0000${variant}\u0000${attack}`;
}

interface VariantPlan {
  readonly plan: TrialPlan;
  readonly models: readonly CompiledModel[];
  readonly labels: readonly (readonly { readonly policy: string; readonly variant: string }[])[];
}

function variantPlan(plan: TrialPlan, models: readonly CompiledModel[], baselines: ReadonlyMap<string, string>): VariantPlan {
  const byScenario = new Map<number, { variants: Policy[]; labels: { policy: string; variant: string }[] }>();
  for (const { scenarioIndex, policy, baseline, switched, runs } of policySwitches(plan, baselines)) {
    let entry = byScenario.get(scenarioIndex);
    if (entry === undefined) byScenario.set(scenarioIndex, (entry = { variants: [], labels: [] }));
    for (let mask = 1; mask < 1 << switched.length; mask++) {
      if (runs[mask] !== mask) continue;
      const back = subsetOf(switched, mask);
      entry.variants.push(variantPolicy(policy, baseline, back));
      entry.labels.push({ policy: policy.name, variant: variantLabel(back) });
    }
  }
  const scenarios: Scenario[] = [];
  const derived: CompiledModel[] = [];
  const labels: { policy: string; variant: string }[][] = [];
  const cells: PlanCell[] = [];
  let size = 0;
  for (const [scenarioIndex, { variants, labels: names }] of [...byScenario].sort((a, b) => a[0] - b[0])) {
    const range = plan.cells.find((c) => c.scenarioIndex === scenarioIndex);
    if (range === undefined || variants.length === 0) continue;
    const scenario: Scenario = Object.freeze({ ...plan.scenarios[scenarioIndex]!, policies: variants });
    const index = scenarios.length;
    scenarios.push(scenario);
    derived.push({ ...models[scenarioIndex]!, scenario });
    labels.push(names);
    variants.forEach((_, policyIndex) => {
      scenario.attacks.forEach((_a, attackIndex) => {
        cells.push({ scenarioIndex: index, policyIndex, attackIndex, trialStart: range.trialStart, trialEnd: range.trialEnd });
        size += range.trialEnd - range.trialStart;
      });
    });
  }
  return { plan: { scenarios, cells, size }, models: derived, labels };
}

/** The variant cells of a plan (file order of exec/attribution.ts), each with its trial range and an empty summary. */
export function variantSummaries(plan: TrialPlan, baselines: ReadonlyMap<string, string>): VariantSummary[] {
  // Compiled models are not needed to list the cells: only the scenarios are read.
  const variants = variantPlan(plan, [], baselines);
  return variants.plan.cells.map((cell) => {
    const label = variants.labels[cell.scenarioIndex]![cell.policyIndex]!;
    const scenario = variants.plan.scenarios[cell.scenarioIndex]!;
    return {
      scenario: scenario.name,
      policy: label.policy,
      variant: label.variant,
      attack: scenario.attacks[cell.attackIndex]!.name,
      trialStart: cell.trialStart,
      trialEnd: cell.trialEnd,
      n: 0,
      sum: new ExactSum(),
    };
  });
}

/** Runs every variant of the plan's trial range and returns each variant cell's summary. */
export async function summarizeAttributionTrials(
  plan: TrialPlan,
  models: readonly CompiledModel[],
  baselines: ReadonlyMap<string, string>,
  options: Pick<ExecuteOptions, 'workers' | 'signal' | 'workerFile'>,
): Promise<VariantSummary[]> {
  const variants = variantPlan(plan, models, baselines);
  const summaries = variantSummaries(plan, baselines);
  const indexOf = new Map(variants.plan.cells.map((cell, i) => [cell, i]));
  const execute = { workers: options.workers, signal: options.signal, workerFile: options.workerFile, riskOnly: true };
  await executePlan(variants.plan, variants.models, execute, (batch) => {
    const summary = summaries[indexOf.get(batch.cell)!]!;
    for (let row = 0; row < batch.trialEnd - batch.trialStart; row++) {
      // The value as attribution-trials.csv would hold it (6 decimals), an empty cell as 0.
      const text = formatNumber(decodeMetrics(batch.values, row).blast_radius);
      summary.sum.add(text === '' ? 0 : Number(text));
      summary.n++;
    }
  });
  return summaries;
}

/** attribution.csv rows (A3/A4) from summary.csv's means and the variant cells' merged summaries. */
export function attributionFromSummaries(
  plan: TrialPlan,
  summary: readonly SummaryRow[],
  baselines: ReadonlyMap<string, string>,
  variants: readonly VariantSummary[],
): AttributionRow[] {
  const means = new Map<string, number>();
  for (const v of variants) if (v.n > 0) means.set(variantKey(v.scenario, v.policy, v.variant, v.attack), v.sum.value() / v.n);
  const blast = new Map<string, number | null>();
  for (const row of summary)
    if (row.metric === 'blast_radius') blast.set(`${row.scenario}\u0000${row.policy}\u0000${row.attack}`, row.mean);
  const rows: AttributionRow[] = [];
  const all = policySwitches(plan, baselines);
  plan.scenarios.forEach((scenario, scenarioIndex) => {
    for (const attack of scenario.attacks) {
      for (const { policy, baseline, switched, runs } of all.filter((p) => p.scenarioIndex === scenarioIndex)) {
        const baselineMean = blast.get(`${scenario.name}\u0000${baseline.name}\u0000${attack.name}`) ?? null;
        const policyMean = blast.get(`${scenario.name}\u0000${policy.name}\u0000${attack.name}`) ?? null;
        if (baselineMean === null || policyMean === null) continue;
        const variantMean = (mask: number): number | undefined =>
          runs[mask] === 0
            ? policyMean
            : means.get(variantKey(scenario.name, policy.name, variantLabel(subsetOf(switched, runs[mask]!)), attack.name));
        let complete = true;
        for (let mask = 1; mask < 1 << switched.length; mask++) if (variantMean(mask) === undefined) complete = false;
        if (!complete) continue;
        rows.push(
          ...attributionRows({
            scenario: scenario.name,
            attack: attack.name,
            policy: policy.name,
            switched,
            baselineMean,
            policyMean,
            variantMean: (mask) => variantMean(mask)!,
          }),
        );
      }
    }
  });
  return rows;
}
