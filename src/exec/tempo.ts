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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import { TEMPO_HOP_DELAYS, withHopDelay } from '../attacks/tempo.js';
import type { CompiledModel } from '../model/compile.js';
import type { Scenario } from '../domain/scenario.js';
import { tempoRow, type TempoRow } from '../metrics/tempo.js';
import { TEMPO_COLUMNS, TEMPO_TRIALS_COLUMNS } from '../report/columns.js';
import { openCsvWriter, writeCsv } from '../report/csv.js';
import { parseNumberCell, readRecords, splitRecord } from '../io/records.js';
import type { PlanCell, TrialPlan } from './plan.js';
import { executePlan, type ExecuteOptions } from './pool.js';
import { decodeMetrics } from './worker.js';
import { DEFAULT_VARIANT_TRIALS } from './manifest.js';

/** Default of `--tempo-trials`: tempo variants run on the trials with index below this (Infinity = all). */
export const DEFAULT_TEMPO_TRIALS = DEFAULT_VARIANT_TRIALS;

/** Files of the tempo comparison. */
export const TEMPO_FILES = { tempo: 'tempo.csv', trials: 'tempo-trials.csv' } as const;

/** Key of one (scenario, policy, tempo, attack) cell of tempo-trials.csv. */
function tempoKey(scenario: string, policy: string, tempo: string, attack: string): string {
  return `${scenario}\u0000${policy}\u0000${tempo}\u0000${attack}`;
}

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
  options: Pick<ExecuteOptions, 'workers' | 'signal' | 'workerFile'> & { readonly tempoTrials?: number | undefined },
): Promise<void> {
  const variants = tempoPlan(plan, models, options.tempoTrials ?? DEFAULT_TEMPO_TRIALS);
  const writer = openCsvWriter(join(dir, TEMPO_FILES.trials), TEMPO_TRIALS_COLUMNS);
  try {
    const execute = { workers: options.workers, signal: options.signal, workerFile: options.workerFile, riskOnly: true };
    await executePlan(variants.plan, variants.models, execute, (batch) => {
      const { cell, trialStart, trialEnd, values } = batch;
      const scenario = variants.plan.scenarios[cell.scenarioIndex]!;
      const policy = scenario.policies[cell.policyIndex]!.name;
      const attack = scenario.attacks[cell.attackIndex]!.name;
      const tempo = tempoOf(scenario, cell.attackIndex);
      for (let trial = trialStart; trial < trialEnd; trial++) {
        const blast = decodeMetrics(values, trial - trialStart).blast_radius;
        writer.write({ scenario: scenario.name, policy, tempo, attack, trial, blast_radius: blast });
      }
    });
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** The (scenario, policy, tempo, attack) keys of a plan in file order (module comment). */
function tempoKeys(plan: TrialPlan): string[] {
  const variants = tempoPlan(plan, [], Number.POSITIVE_INFINITY).plan;
  return variants.cells.map((cell) => {
    const scenario = variants.scenarios[cell.scenarioIndex]!;
    const attack = scenario.attacks[cell.attackIndex]!.name;
    return tempoKey(scenario.name, scenario.policies[cell.policyIndex]!.name, tempoOf(scenario, cell.attackIndex), attack);
  });
}

/** Rebuilds tempo-trials.csv from shard folders (in shard index order) into `outDir`, in the unsharded order. */
export async function mergeTempoTrials(shardDirs: readonly string[], whole: TrialPlan, outDir: string): Promise<void> {
  const byKey = new Map<string, string[][]>();
  for (const dir of shardDirs) {
    const file = join(dir, TEMPO_FILES.trials);
    if (!existsSync(file)) throw new OutputError(`merge: ${file} not found (shard written by an older blastlab?)`);
    let header = true;
    for await (const record of readRecords(file)) {
      if (header) {
        header = false;
        continue;
      }
      const cells = splitRecord(record);
      if (cells.length !== TEMPO_TRIALS_COLUMNS.length)
        throw new OutputError(`merge: ${file}: a row has ${cells.length} cells, expected ${TEMPO_TRIALS_COLUMNS.length}`);
      const key = tempoKey(cells[0]!, cells[1]!, cells[2]!, cells[3]!);
      let rows = byKey.get(key);
      if (rows === undefined) byKey.set(key, (rows = []));
      rows.push(cells);
    }
  }
  const writer = openCsvWriter(join(outDir, TEMPO_FILES.trials), TEMPO_TRIALS_COLUMNS);
  try {
    for (const key of tempoKeys(whole)) {
      for (const c of byKey.get(key) ?? []) {
        writer.write({
          scenario: c[0]!,
          policy: c[1]!,
          tempo: c[2]!,
          attack: c[3]!,
          trial: Number(c[4]),
          blast_radius: parseNumberCell(c[5]!),
        });
      }
    }
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** Reads tempo-trials.csv into per-cell means (values as written, summed in trial order), or null when absent. */
async function tempoMeans(dir: string): Promise<Map<string, number> | null> {
  const file = join(dir, TEMPO_FILES.trials);
  if (!existsSync(file)) return null;
  const values = new Map<string, [number, number][]>();
  let header = true;
  for await (const record of readRecords(file)) {
    if (header) {
      header = false;
      continue;
    }
    const cells = splitRecord(record);
    const key = tempoKey(cells[0]!, cells[1]!, cells[2]!, cells[3]!);
    let list = values.get(key);
    if (list === undefined) values.set(key, (list = []));
    list.push([Number(cells[4]), parseNumberCell(cells[5]!) ?? 0]);
  }
  const means = new Map<string, number>();
  for (const [key, list] of values) {
    list.sort((a, b) => a[0] - b[0]);
    let sum = 0;
    for (const [, v] of list) sum += v;
    means.set(key, sum / list.length);
  }
  return means;
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
          const base = means.get(tempoKey(scenario.name, baseline, label, attack.name));
          const mean = means.get(tempoKey(scenario.name, policy.name, label, attack.name));
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
  const means = await tempoMeans(dir);
  if (means === null) return null;
  const rows = tempoRowsFromMeans(plan, baselines, means);
  writeCsv(join(dir, TEMPO_FILES.tempo), TEMPO_COLUMNS, rows);
  return rows;
}
