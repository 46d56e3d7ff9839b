/**
 * Per-trial rows of the risk-only variant runs — attribution-trials.csv (exec/attribution.ts) and
 * tempo-trials.csv (exec/tempo.ts): `scenario, policy, <label>, attack, trial, blast_radius`, where
 * `<label>` is the variant (the controls set back) or the tempo. One copy of what both do with them:
 * run the variant plan and write the rows in plan order, join shards' rows back into the unsharded
 * order, and read them back as per-cell means.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import type { CompiledModel } from '../model/compile.js';
import type { CsvRow } from '../report/columns.js';
import { openCsvWriter } from '../report/csv.js';
import { parseNumberCell, readRecords, splitRecord } from '../io/records.js';
import type { PlanCell, TrialPlan } from './plan.js';
import { executePlan, type ExecuteOptions } from './pool.js';
import { decodeMetrics } from './worker.js';

/** The columns of a variant-rows file; the third names the label. */
export type VariantRowColumns = readonly ['scenario', 'policy', string, 'attack', 'trial', 'blast_radius'];

/** Key of one (scenario, policy, label, attack) cell. */
export function rowKey(scenario: string, policy: string, label: string, attack: string): string {
  return `${scenario}\u0000${policy}\u0000${label}\u0000${attack}`;
}

/** One row as the writer takes it. */
function row<C extends VariantRowColumns>(
  columns: C,
  scenario: string,
  policy: string,
  label: string,
  attack: string,
  trial: number,
  blast: number | null,
): CsvRow<C> {
  return { scenario, policy, [columns[2]]: label, attack, trial, blast_radius: blast } as CsvRow<C>;
}

/** What a variant run takes from the run that asks for it: its workers, signal, pool and progress callback (trials done). */
export type VariantRunOptions = Pick<ExecuteOptions, 'workers' | 'signal' | 'workerFile' | 'pool' | 'onProgress'>;

/** The executor options of a risk-only variant run (attribution, tempo). */
export function variantExecution(options: VariantRunOptions): ExecuteOptions {
  const { workers, signal, workerFile, pool, onProgress } = options;
  return { workers, signal, workerFile, pool, onProgress, riskOnly: true };
}

/** Runs a variant plan (risk only) and writes its rows into `file`, in plan order. */
export async function writeVariantRows<C extends VariantRowColumns>(
  file: string,
  columns: C,
  variants: { readonly plan: TrialPlan; readonly models: readonly CompiledModel[] },
  /** The policy name and label of a cell. */
  labelOf: (cell: PlanCell) => { readonly policy: string; readonly label: string },
  options: VariantRunOptions,
): Promise<void> {
  const writer = openCsvWriter(file, columns);
  try {
    await executePlan(variants.plan, variants.models, variantExecution(options), (batch) => {
      const { cell, trialStart, trialEnd, values } = batch;
      const scenario = variants.plan.scenarios[cell.scenarioIndex]!;
      const attack = scenario.attacks[cell.attackIndex]!.name;
      const { policy, label } = labelOf(cell);
      for (let trial = trialStart; trial < trialEnd; trial++) {
        const blast = decodeMetrics(values, trial - trialStart).blast_radius;
        writer.write(row(columns, scenario.name, policy, label, attack, trial, blast));
      }
    });
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * Rebuilds `fileName` from shard folders (given in shard index order) into `outDir`: each cell's rows
 * in shard order, the cells in `keys` order (the unsharded order), so the file is the unsharded one.
 */
export async function mergeVariantRows<C extends VariantRowColumns>(
  shardDirs: readonly string[],
  fileName: string,
  columns: C,
  keys: readonly string[],
  outDir: string,
): Promise<void> {
  const byKey = new Map<string, string[][]>();
  for (const dir of shardDirs) {
    const file = join(dir, fileName);
    if (!existsSync(file)) throw new OutputError(`merge: ${file} not found (shard written by an older blastlab?)`);
    for await (const cells of dataRows(file)) {
      if (cells.length !== columns.length)
        throw new OutputError(`merge: ${file}: a row has ${cells.length} cells, expected ${columns.length}`);
      const key = rowKey(cells[0]!, cells[1]!, cells[2]!, cells[3]!);
      let rows = byKey.get(key);
      if (rows === undefined) byKey.set(key, (rows = []));
      rows.push(cells);
    }
  }
  const writer = openCsvWriter(join(outDir, fileName), columns);
  try {
    for (const key of keys) {
      for (const c of byKey.get(key) ?? []) {
        writer.write(row(columns, c[0]!, c[1]!, c[2]!, c[3]!, Number(c[4]), parseNumberCell(c[5]!)));
      }
    }
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** Reads a variant-rows file into per-cell means (values as written, an empty cell as 0, summed in trial order); null when absent. */
export async function variantRowMeans(file: string): Promise<Map<string, number> | null> {
  if (!existsSync(file)) return null;
  const values = new Map<string, [number, number][]>();
  for await (const cells of dataRows(file)) {
    const key = rowKey(cells[0]!, cells[1]!, cells[2]!, cells[3]!);
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

/** The rows of a CSV file after its header, split into cells. */
async function* dataRows(file: string): AsyncGenerator<string[]> {
  let header = true;
  for await (const record of readRecords(file)) {
    if (header) header = false;
    else yield splitRecord(record);
  }
}
