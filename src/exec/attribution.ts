/**
 * Attribution runs (docs/controls.md "Attribution", rules A1–A4 in metrics/attribution.ts): every
 * non-baseline policy's variants — a subset of its switched controls set back to the baseline's
 * setting — run through the same executor as the policies themselves, on the policy's own trial
 * seeds and the run's (or shard's) trial range, risk metrics only.
 *
 * Their blast radius per trial goes to attribution-trials.csv (one row per scenario × policy × variant
 * × attack × trial, in the order below), so shards merge like trials.csv: `merge` joins the shards'
 * rows per variant cell in shard order, which is the unsharded order. attribution.csv is computed from
 * that file and summary.csv's means, in `finishResults`, for runs and merges alike.
 *
 * Order: scenarios in plan order; per scenario its non-baseline policies in file order, each policy's
 * variants by subset bit mask 1 … 2^k − 1 (bit i = i-th switched control in CONTROLS order), skipping a
 * variant that is the same policy for risk as an earlier one (it reuses that one's trials); attacks in
 * file order; trials ascending.
 */
import { join } from 'node:path';
import type { CompiledModel } from '../model/compile.js';
import {
  ATTRIBUTION_COLUMNS,
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
import { writeCsv } from '../report/csv.js';
import type { Policy, Scenario } from '../domain/scenario.js';
import type { PlanCell, TrialPlan } from './plan.js';
import { mergeVariantRows, rowKey, variantRowMeans, writeVariantRows, type VariantRunOptions } from './variant-rows.js';
import { DEFAULT_VARIANT_TRIALS } from './manifest.js';

/**
 * A5: variants run on the trials with index below this (default of `--attribution-trials`), on the
 * policy's own seeds: common random numbers keep the differences between variants precise with far
 * fewer trials than the run's, and the sampling difference lands in `other` (A4). A cap by trial
 * index, not by count, keeps shards and merges byte-identical.
 */
export const DEFAULT_ATTRIBUTION_TRIALS = DEFAULT_VARIANT_TRIALS;

/** Files of the attribution (SPEC §2 names attribution.csv; the trials file lets shards merge). */
export const ATTRIBUTION_FILES = { attribution: 'attribution.csv', trials: 'attribution-trials.csv' } as const;

/** attribution-trials.csv columns. */
export const ATTRIBUTION_TRIALS_COLUMNS = ['scenario', 'policy', 'variant', 'attack', 'trial', 'blast_radius'] as const;

/** One policy's attribution: its switched controls against the baseline. */
export interface PolicySwitches {
  readonly scenarioIndex: number;
  readonly policy: Policy;
  readonly baseline: Policy;
  readonly switched: readonly Control[];
  /** Per subset mask, the mask whose variant runs for it (metrics/attribution.ts representativeMasks). */
  readonly runs: readonly number[];
}

/** Every non-baseline policy of the plan with its switches, in the order of the module comment. */
export function policySwitches(plan: TrialPlan, baselines: ReadonlyMap<string, string>): PolicySwitches[] {
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

/** Key of one variant cell of attribution-trials.csv. */
export function variantKey(scenario: string, policy: string, variant: string, attack: string): string {
  return rowKey(scenario, policy, variant, attack);
}

/** The variant cells' keys in file order (module comment). */
function variantKeys(plan: TrialPlan, baselines: ReadonlyMap<string, string>): string[] {
  const keys: string[] = [];
  for (const { scenarioIndex, policy, switched, runs } of policySwitches(plan, baselines)) {
    const scenario = plan.scenarios[scenarioIndex]!;
    for (let mask = 1; mask < 1 << switched.length; mask++) {
      if (runs[mask] !== mask) continue;
      const label = variantLabel(subsetOf(switched, mask));
      for (const attack of scenario.attacks) keys.push(variantKey(scenario.name, policy.name, label, attack.name));
    }
  }
  return keys;
}

/** The variants as a plan of their own (one derived scenario per scenario, its policies the variants). */
export interface VariantPlan {
  readonly plan: TrialPlan;
  readonly models: readonly CompiledModel[];
  /** Per derived scenario, per policy index: the policy's name and the variant label. */
  readonly labels: readonly (readonly { readonly policy: string; readonly variant: string }[])[];
}

export function variantPlan(
  plan: TrialPlan,
  models: readonly CompiledModel[],
  baselines: ReadonlyMap<string, string>,
  trialCap: number,
): VariantPlan {
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
    const cell = plan.cells.find((c) => c.scenarioIndex === scenarioIndex);
    if (cell === undefined || variants.length === 0) continue;
    const range = { trialStart: cell.trialStart, trialEnd: Math.min(cell.trialEnd, trialCap) };
    if (range.trialStart >= range.trialEnd) continue;
    const scenario: Scenario = Object.freeze({ ...plan.scenarios[scenarioIndex]!, policies: variants });
    const index = scenarios.length;
    scenarios.push(scenario);
    // The compiled model does not depend on the policies: share its arrays, swap the scenario.
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

/** Runs every variant of the plan's trial range and writes attribution-trials.csv into `dir`. */
export async function writeAttributionTrials(
  dir: string,
  plan: TrialPlan,
  models: readonly CompiledModel[],
  baselines: ReadonlyMap<string, string>,
  options: VariantRunOptions & { readonly attributionTrials?: number | undefined },
): Promise<void> {
  const variants = variantPlan(plan, models, baselines, options.attributionTrials ?? DEFAULT_ATTRIBUTION_TRIALS);
  await writeVariantRows(
    join(dir, ATTRIBUTION_FILES.trials),
    ATTRIBUTION_TRIALS_COLUMNS,
    variants,
    (cell) => {
      const label = variants.labels[cell.scenarioIndex]![cell.policyIndex]!;
      return { policy: label.policy, label: label.variant };
    },
    options,
  );
}

/** Rebuilds attribution-trials.csv from shard folders (in shard index order) into `outDir`, in the unsharded order. */
export async function mergeAttributionTrials(
  shardDirs: readonly string[],
  whole: TrialPlan,
  baselines: ReadonlyMap<string, string>,
  outDir: string,
): Promise<void> {
  await mergeVariantRows(shardDirs, ATTRIBUTION_FILES.trials, ATTRIBUTION_TRIALS_COLUMNS, variantKeys(whole, baselines), outDir);
}

/**
 * attribution.csv rows for the plan (A3/A4): per scenario, attack and non-baseline policy whose every
 * variant ran (a merge under another --baseline than the shards' has none: no rows).
 */
export async function attributionOf(
  dir: string,
  plan: TrialPlan,
  summary: readonly SummaryRow[],
  baselines: ReadonlyMap<string, string>,
): Promise<AttributionRow[]> {
  const means = (await variantRowMeans(join(dir, ATTRIBUTION_FILES.trials))) ?? new Map<string, number>();
  return attributionFromMeans(plan, summary, baselines, means);
}

/** attribution.csv rows (A3/A4) from summary.csv's means and the variant cells' means (keyed by variantKey). */
export function attributionFromMeans(
  plan: TrialPlan,
  summary: readonly SummaryRow[],
  baselines: ReadonlyMap<string, string>,
  means: ReadonlyMap<string, number>,
): AttributionRow[] {
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

/** Writes attribution.csv into `dir` and returns its rows. */
export async function writeAttribution(
  dir: string,
  plan: TrialPlan,
  summary: readonly SummaryRow[],
  baselines: ReadonlyMap<string, string>,
): Promise<AttributionRow[]> {
  const rows = await attributionOf(dir, plan, summary, baselines);
  writeCsv(join(dir, ATTRIBUTION_FILES.attribution), ATTRIBUTION_COLUMNS, rows);
  return rows;
}
