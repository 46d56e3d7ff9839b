/**
 * Attacker tempo runs (SPEC §1 "attacker tempo", docs/semantics-engine.md E6, docs/outputs.md): every
 * (policy, attack) cell of the plan run again with the attack's `hopDelay` fixed at each of
 * TEMPO_HOP_DELAYS (1m, 10m, 1h; attacks/tempo.ts), through the same executor, on the cell's own trial
 * seeds (names are kept, so trial i of a tempo variant draws what trial i of the run draws, but for
 * the hop timing), on the trials with index below a cap (`--tempo-trials`, default 50, as A5 does for
 * attribution), risk metrics only.
 *
 * Their blast radius per trial goes to tempo-trials.csv, so shards merge like attribution-trials.csv:
 * `merge` joins the shards' rows per (scenario, policy, tempo, attack) in shard order, which is the
 * unsharded order. tempo.csv (the reduction against the baseline at the same tempo) is computed from
 * that file in `finishResults`, for runs and merges alike. A `--no-trials` run writes neither.
 *
 * Order of tempo-trials.csv: scenarios in plan order; per scenario its policies in file order; per
 * policy the tempos in TEMPO_HOP_DELAYS order; per tempo the attacks in file order; trials ascending.
 */
import { join } from 'node:path';
import { TEMPO_HOP_DELAYS, withHopDelay } from '../attacks/tempo.js';
import type { CompiledModel } from '../model/compile.js';
import type { Scenario } from '../domain/scenario.js';
import { tempoRow, type TempoRow } from '../metrics/tempo.js';
import { TEMPO_COLUMNS, TEMPO_TRIALS_COLUMNS } from '../report/columns.js';
import { writeCsv } from '../report/csv.js';
import type { PlanCell, TrialPlan } from './plan.js';
import { mergeVariantRows, rowKey, variantRowMeans, writeVariantRows, type VariantRunOptions } from './variant-rows.js';
import { DEFAULT_VARIANT_TRIALS } from './manifest.js';

/** Default of `--tempo-trials`: tempo variants run on the trials with index below this (Infinity = all). */
export const DEFAULT_TEMPO_TRIALS = DEFAULT_VARIANT_TRIALS;

/** Files of the tempo comparison. */
export const TEMPO_FILES = { tempo: 'tempo.csv', trials: 'tempo-trials.csv' } as const;

/**
 * The tempo variants as a plan of their own: per scenario one derived scenario whose attacks are the
 * scenario's attacks at each tempo in turn (attack index t·A + a = attack a at tempo t; names kept, so
 * seeds are the run's). The compiled model does not depend on the attacks: it is shared.
 */
export function tempoPlan(
  plan: TrialPlan,
  models: readonly CompiledModel[],
  trialCap: number,
): { plan: TrialPlan; models: CompiledModel[] } {
  const scenarios: Scenario[] = [];
  const derived: CompiledModel[] = [];
  const cells: PlanCell[] = [];
  let size = 0;
  plan.scenarios.forEach((scenario, scenarioIndex) => {
    const own = plan.cells.filter((c) => c.scenarioIndex === scenarioIndex && c.trialStart < Math.min(c.trialEnd, trialCap));
    if (own.length === 0) return;
    const attacks = TEMPO_HOP_DELAYS.flatMap(({ hopDelay }) => withHopDelay(scenario, hopDelay).attacks);
    const variant: Scenario = Object.freeze({ ...scenario, attacks: Object.freeze(attacks) });
    const index = scenarios.length;
    scenarios.push(variant);
    if (models.length > 0) derived.push({ ...models[scenarioIndex]!, scenario: variant });
    const policies = [...new Set(own.map((c) => c.policyIndex))];
    for (const policyIndex of policies) {
      TEMPO_HOP_DELAYS.forEach((_, tempo) => {
        for (const cell of own.filter((c) => c.policyIndex === policyIndex)) {
          const trialEnd = Math.min(cell.trialEnd, trialCap);
          const attackIndex = tempo * scenario.attacks.length + cell.attackIndex;
          cells.push({ scenarioIndex: index, policyIndex, attackIndex, trialStart: cell.trialStart, trialEnd });
          size += trialEnd - cell.trialStart;
        }
      });
    }
  });
  return { plan: { scenarios, cells, size }, models: derived };
}

/** The tempo label of a derived scenario's attack index. */
function tempoOf(scenario: Scenario, attackIndex: number): string {
  return TEMPO_HOP_DELAYS[Math.floor(attackIndex / (scenario.attacks.length / TEMPO_HOP_DELAYS.length))]!.label;
}

/** Runs every tempo variant of the plan's trial range (below the cap) and writes tempo-trials.csv into `dir`. */
export async function writeTempoTrials(
  dir: string,
  plan: TrialPlan,
  models: readonly CompiledModel[],
  options: VariantRunOptions & { readonly tempoTrials?: number | undefined },
): Promise<void> {
  const variants = tempoPlan(plan, models, options.tempoTrials ?? DEFAULT_TEMPO_TRIALS);
  await writeVariantRows(
    join(dir, TEMPO_FILES.trials),
    TEMPO_TRIALS_COLUMNS,
    variants,
    (cell) => {
      const scenario = variants.plan.scenarios[cell.scenarioIndex]!;
      return { policy: scenario.policies[cell.policyIndex]!.name, label: tempoOf(scenario, cell.attackIndex) };
    },
    options,
  );
}

/** The (scenario, policy, tempo, attack) keys of a plan in file order (module comment). */
function tempoKeys(plan: TrialPlan): string[] {
  const variants = tempoPlan(plan, [], Number.POSITIVE_INFINITY).plan;
  return variants.cells.map((cell) => {
    const scenario = variants.scenarios[cell.scenarioIndex]!;
    const attack = scenario.attacks[cell.attackIndex]!.name;
    return rowKey(scenario.name, scenario.policies[cell.policyIndex]!.name, tempoOf(scenario, cell.attackIndex), attack);
  });
}

/** Rebuilds tempo-trials.csv from shard folders (in shard index order) into `outDir`, in the unsharded order. */
export async function mergeTempoTrials(shardDirs: readonly string[], whole: TrialPlan, outDir: string): Promise<void> {
  await mergeVariantRows(shardDirs, TEMPO_FILES.trials, TEMPO_TRIALS_COLUMNS, tempoKeys(whole), outDir);
}

/**
 * tempo.csv rows from the cells' means: per scenario (plan order), attack, non-baseline policy (file
 * order) and tempo, the mean blast radius of the policy and of the baseline at that tempo. A cell
 * without trials (the baseline left out by `--policies`) gives no row.
 */
export function tempoRowsFromMeans(
  plan: TrialPlan,
  baselines: ReadonlyMap<string, string>,
  means: ReadonlyMap<string, number>,
): TempoRow[] {
  const rows: TempoRow[] = [];
  plan.scenarios.forEach((scenario, scenarioIndex) => {
    const baseline = baselines.get(scenario.name);
    if (baseline === undefined) return;
    const kept = new Set(plan.cells.filter((c) => c.scenarioIndex === scenarioIndex).map((c) => c.policyIndex));
    const policies = scenario.policies.filter((p, i) => kept.has(i) && p.name !== baseline);
    for (const attack of scenario.attacks) {
      for (const policy of policies) {
        for (const { label } of TEMPO_HOP_DELAYS) {
          const base = means.get(rowKey(scenario.name, baseline, label, attack.name));
          const mean = means.get(rowKey(scenario.name, policy.name, label, attack.name));
          if (base === undefined || mean === undefined) continue;
          rows.push(tempoRow({ scenario: scenario.name, attack: attack.name, policy: policy.name, tempo: label }, base, mean));
        }
      }
    }
  });
  return rows;
}

/** Writes tempo.csv into `dir` from its tempo-trials.csv and returns the rows; null (no file written) when there is none. */
export async function writeTempo(
  dir: string,
  plan: TrialPlan,
  baselines: ReadonlyMap<string, string>,
): Promise<TempoRow[] | null> {
  const means = await variantRowMeans(join(dir, TEMPO_FILES.trials));
  if (means === null) return null;
  const rows = tempoRowsFromMeans(plan, baselines, means);
  writeCsv(join(dir, TEMPO_FILES.tempo), TEMPO_COLUMNS, rows);
  return rows;
}
