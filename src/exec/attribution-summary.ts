/**
 * Attribution under `--no-trials`: the variant runs of exec/attribution.ts (same variants, same order,
 * same trial seeds and ranges), but each variant cell keeps a mergeable summary — its trial count and
 * the exact sum of its blast radius — instead of attribution-trials.csv rows. attribution.csv is then
 * computed from the merged means with the rules of metrics/attribution.ts (A3/A4).
 *
 * The variant plan (with the A5 trial cap) and the A3/A4 assembly are exec/attribution.ts's.
 */
import { ExactSum } from '../lib/exact-sum.js';
import type { CompiledModel } from '../model/compile.js';
import type { AttributionRow } from '../metrics/attribution.js';
import { attributionFromMeans, DEFAULT_ATTRIBUTION_TRIALS, variantKey, variantPlan } from './attribution.js';
import type { SummaryRow } from '../metrics/summary.js';
import { formatNumber } from '../report/format.js';
import type { TrialPlan } from './plan.js';
import { executePlan } from './pool.js';
import { variantExecution, type VariantRunOptions } from './variant-rows.js';
import { decodeMetrics } from './worker.js';

export { variantKey } from './attribution.js';

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

/** The variant cells of a plan (file order of exec/attribution.ts), each with its trial range and an empty summary. */
export function variantSummaries(plan: TrialPlan, baselines: ReadonlyMap<string, string>, trialCap: number): VariantSummary[] {
  // Compiled models are not needed to list the cells: only the scenarios are read.
  const variants = variantPlan(plan, [], baselines, trialCap);
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
  options: VariantRunOptions & { readonly attributionTrials?: number | undefined },
): Promise<VariantSummary[]> {
  const cap = options.attributionTrials ?? DEFAULT_ATTRIBUTION_TRIALS;
  const variants = variantPlan(plan, models, baselines, cap);
  const summaries = variantSummaries(plan, baselines, cap);
  const indexOf = new Map(variants.plan.cells.map((cell, i) => [cell, i]));
  await executePlan(variants.plan, variants.models, variantExecution(options), (batch) => {
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
  return attributionFromMeans(plan, summary, baselines, means);
}
