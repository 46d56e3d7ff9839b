/**
 * `run --no-trials` and its `merge`: no trials.csv and no attribution-trials.csv; instead summaries.json,
 * the mergeable summaries of the trials this run (or shard) ran — per plan cell and metric the count,
 * exact sum and sum of squares, min, max and a quantile sketch (metrics/partial.ts), and per attribution
 * variant cell the count and exact sum of its blast radius (exec/attribution-summary.ts). summary.csv,
 * comparison.csv, attribution.csv and the report are computed from them. Guarantees: docs/reliability.md
 * "Runs without trials.csv".
 *
 * The file lists every cell of the (shard's) plan in plan order with its trial range, so `merge` checks
 * each shard's cells against the plan (names and ranges) as it checks trials.csv rows.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultsInputError } from '../errors.js';
import { ExactSum } from '../lib/exact-sum.js';
import { EXACT_DISTINCT, SKETCH_ALPHA } from '../lib/sketch.js';
import type { CompiledModel } from '../model/compile.js';
import { METRICS, type TrialMetrics } from '../domain/metrics.js';
import { addTrial, emptyCell, MetricPartial, summaryRowsOf, type CellPartials } from '../metrics/partial.js';
import { orderOf, type SummaryRow } from '../metrics/summary.js';
import { formatNumber } from '../report/format.js';
import { readRegularFile } from '../io/read.js';
import { variantKey, variantSummaries, type VariantSummary } from './attribution-summary.js';
import type { TrialPlan } from './plan.js';
import { executePlan, type ExecuteOptions } from './pool.js';
import { decodeMetrics, realTokenWork, type RealTokenWork } from './worker.js';

/** The file of mergeable summaries a `--no-trials` run writes instead of trials.csv. */
export const SUMMARIES_FILE = 'summaries.json';

/** Its format tag: a reader refuses any other. */
const FORMAT = 'blastlab-summaries/1';

/** summaries.json of a whole run of 10⁸ trials is a few MB; larger is not one blastlab wrote. */
const MAX_SUMMARIES_BYTES = 512 * 1024 * 1024;

/** The mergeable summaries of a (shard's) plan: one entry per plan cell, one per attribution variant cell. */
export interface PlanSummaries {
  readonly cells: readonly { readonly trials: number; readonly partials: CellPartials }[];
  /** The baseline policy per scenario the attribution variants ran against (recorded in the file). */
  readonly variantBaselines: ReadonlyMap<string, string>;
  /** The attribution variants' trial cap (A5, `--attribution-trials`; Infinity = all), recorded in the file. */
  readonly attributionTrials: number;
  readonly variants: readonly VariantSummary[];
}

/** The metrics of a trial as trials.csv holds them (6 decimals, empty = null), so the summaries match a full run's. */
function asWritten(metrics: TrialMetrics): TrialMetrics {
  const out: Record<string, number | null> = {};
  for (const m of METRICS) {
    const text = formatNumber(metrics[m]);
    out[m] = text === '' ? null : Number(text);
  }
  return out as TrialMetrics;
}

/** Runs the plan, keeping per-cell summaries instead of rows; returns them and the real-token work per scenario. */
export async function summarizeTrials(
  plan: TrialPlan,
  models: readonly CompiledModel[],
  execute: ExecuteOptions,
  onBatch?: (scenarioIndex: number, trials: number) => void,
): Promise<{ cells: PlanSummaries['cells']; tokenWork: RealTokenWork[] }> {
  const tokenWork = plan.scenarios.map(() => ({ minted: 0, verified: 0, wallMs: 0 }));
  const cells = plan.cells.map(() => ({ trials: 0, partials: emptyCell() }));
  const indexOf = new Map(plan.cells.map((cell, i) => [cell, i]));
  await executePlan(plan, models, execute, (batch) => {
    const rows = batch.trialEnd - batch.trialStart;
    const work = realTokenWork(batch.values, rows);
    const sum = tokenWork[batch.cell.scenarioIndex]!;
    sum.minted += work.minted;
    sum.verified += work.verified;
    sum.wallMs += work.wallMs;
    const cell = cells[indexOf.get(batch.cell)!]!;
    for (let row = 0; row < rows; row++) addTrial(cell.partials, asWritten(decodeMetrics(batch.values, row)));
    cell.trials += rows;
    onBatch?.(batch.cell.scenarioIndex, rows);
  });
  return { cells, tokenWork };
}

/** summary.csv rows of the summaries (order of metrics/summary.ts; a cell without trials has no rows). */
export function summaryOfSummaries(plan: TrialPlan, summaries: PlanSummaries): SummaryRow[] {
  const byKey = new Map<string, CellPartials>();
  plan.cells.forEach((cell, i) => {
    const s = plan.scenarios[cell.scenarioIndex]!;
    const entry = summaries.cells[i]!;
    if (entry.trials > 0)
      byKey.set(cellKey(s.name, s.policies[cell.policyIndex]!.name, s.attacks[cell.attackIndex]!.name), entry.partials);
  });
  return summaryRowsOf(orderOf(plan.scenarios), (scenario, policy, attack) => byKey.get(cellKey(scenario, policy, attack)));
}

function cellKey(scenario: string, policy: string, attack: string): string {
  return `${scenario}\u0000${policy}\u0000${attack}`;
}

/** Writes summaries.json: canonical (a function of the trials' values alone), one cell per line. */
export function writeSummaries(dir: string, plan: TrialPlan, summaries: PlanSummaries): void {
  const cells = plan.cells.map((cell, i) => {
    const s = plan.scenarios[cell.scenarioIndex]!;
    const metrics: Record<string, unknown> = {};
    for (const m of METRICS) metrics[m] = summaries.cells[i]!.partials[m].toJSON();
    return JSON.stringify({
      scenario: s.name,
      policy: s.policies[cell.policyIndex]!.name,
      attack: s.attacks[cell.attackIndex]!.name,
      trials: [cell.trialStart, cell.trialEnd],
      n: summaries.cells[i]!.trials,
      metrics,
    });
  });
  const variants = summaries.variants.map((v) =>
    JSON.stringify({
      scenario: v.scenario,
      policy: v.policy,
      variant: v.variant,
      attack: v.attack,
      trials: [v.trialStart, v.trialEnd],
      n: v.n,
      sum: v.sum.canonical(),
    }),
  );
  const head = JSON.stringify({
    format: FORMAT,
    alpha: SKETCH_ALPHA,
    exactDistinct: EXACT_DISTINCT,
    variantBaselines: Object.fromEntries(summaries.variantBaselines),
    attributionTrials: Number.isFinite(summaries.attributionTrials) ? summaries.attributionTrials : 'all',
  }).slice(0, -1);
  const list = (items: string[]): string => (items.length === 0 ? '[]' : `[\n${items.join(',\n')}\n]`);
  writeFileSync(join(dir, SUMMARIES_FILE), `${head},"cells":${list(cells)},"variants":${list(variants)}}\n`);
}

/**
 * Reads a shard's summaries.json and checks it holds exactly the cells the shard's plan puts there
 * (names, order, trial ranges; trial counts) and the variant cells of the baselines it records.
 * ResultsInputError naming the file and the cell otherwise.
 */
export function readSummaries(dir: string, plan: TrialPlan): PlanSummaries {
  const file = join(dir, SUMMARIES_FILE);
  const read = readRegularFile(file, MAX_SUMMARIES_BYTES);
  if (!read.ok) {
    throw new ResultsInputError(
      read.code === 'unreadable' ? `merge: ${file} not found (listed in run.json?)` : `merge: ${file}: ${read.message}`,
    );
  }
  const fail = (what: string): never => {
    throw new ResultsInputError(`merge: ${file}: ${what}: was the file edited or from another run?`);
  };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(read.bytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || json['format'] !== FORMAT) return fail(`not a ${FORMAT} file`);
  if (json['alpha'] !== SKETCH_ALPHA || json['exactDistinct'] !== EXACT_DISTINCT)
    return fail(`written with another sketch (alpha ${String(json['alpha'])}, exactDistinct ${String(json['exactDistinct'])})`);
  const cellsIn = json['cells'];
  const variantsIn = json['variants'];
  if (!Array.isArray(cellsIn) || !Array.isArray(variantsIn)) return fail('"cells" and "variants" lists expected');
  if (cellsIn.length !== plan.cells.length) return fail(`${cellsIn.length} cells, the shard's plan has ${plan.cells.length}`);
  const cells = plan.cells.map((cell, i) => {
    const s = plan.scenarios[cell.scenarioIndex]!;
    const want = [s.name, s.policies[cell.policyIndex]!.name, s.attacks[cell.attackIndex]!.name, cell.trialStart, cell.trialEnd];
    const got = cellsIn[i] as Record<string, unknown>;
    const trials = got?.['trials'] as unknown[] | undefined;
    const have = [got?.['scenario'], got?.['policy'], got?.['attack'], trials?.[0], trials?.[1]];
    if (JSON.stringify(have) !== JSON.stringify(want))
      fail(`cell ${i + 1} is not the plan's (expected ${want.join(',')}, got ${have.map(String).join(',')})`);
    const size = cell.trialEnd - cell.trialStart;
    if (got['n'] !== size)
      fail(`cell ${i + 1} (${want.slice(0, 3).join('/')}) holds ${String(got['n'])} trials, the plan ${size}`);
    const metrics = got['metrics'] as Record<string, unknown> | undefined;
    const partials = {} as CellPartials;
    for (const m of METRICS) {
      try {
        partials[m] = MetricPartial.fromJSON(metrics?.[m]);
      } catch (error) {
        fail(`cell ${i + 1} (${want.slice(0, 3).join('/')}) metric ${m}: ${(error as Error).message}`);
      }
      if (partials[m].n > size)
        fail(`cell ${i + 1} (${want.slice(0, 3).join('/')}) metric ${m}: ${partials[m].n} values from ${size} trials`);
    }
    return { trials: size, partials };
  });
  const recorded = json['variantBaselines'] as Record<string, unknown> | undefined;
  const variantBaselines = new Map<string, string>();
  for (const scenario of plan.scenarios) {
    const policy = recorded?.[scenario.name];
    if (typeof policy !== 'string' || !scenario.policies.some((p) => p.name === policy))
      fail(`"variantBaselines" names no policy of scenario "${scenario.name}"`);
    variantBaselines.set(scenario.name, policy as string);
  }
  const cap = json['attributionTrials'];
  if (cap !== 'all' && !(typeof cap === 'number' && Number.isSafeInteger(cap) && cap > 0))
    fail('"attributionTrials" is neither a positive integer nor "all"');
  const attributionTrials = cap === 'all' ? Number.POSITIVE_INFINITY : (cap as number);
  const variants = variantSummaries(plan, variantBaselines, attributionTrials);
  if (variantsIn.length !== variants.length)
    return fail(`${variantsIn.length} variant cells, the shard's plan has ${variants.length}`);
  variants.forEach((v, i) => {
    const got = variantsIn[i] as Record<string, unknown>;
    const trials = got?.['trials'] as unknown[] | undefined;
    const want = [v.scenario, v.policy, v.variant, v.attack, v.trialStart, v.trialEnd, v.trialEnd - v.trialStart];
    const have = [got?.['scenario'], got?.['policy'], got?.['variant'], got?.['attack'], trials?.[0], trials?.[1], got?.['n']];
    if (JSON.stringify(have) !== JSON.stringify(want))
      fail(`variant cell ${i + 1} is not the plan's (expected ${want.join(',')}, got ${have.map(String).join(',')})`);
    const sum = got['sum'];
    if (!Array.isArray(sum) || !sum.every((x) => typeof x === 'number' && Number.isFinite(x)))
      fail(`variant cell ${i + 1}: "sum" is not a list of numbers`);
    v.sum.merge(ExactSum.of(sum as number[]));
    v.n = v.trialEnd - v.trialStart;
  });
  return { cells, variantBaselines, attributionTrials, variants };
}

/** Merges shards' summaries (any order gives the same result: the sums and sketches merge exactly). */
export function mergeSummaries(whole: TrialPlan, shards: readonly PlanSummaries[]): PlanSummaries {
  const baselines = shards[0]!.variantBaselines;
  const key = JSON.stringify([...baselines]);
  if (shards.some((s) => JSON.stringify([...s.variantBaselines]) !== key))
    throw new ResultsInputError('merge: the shards ran attribution variants against different baselines');
  const attributionTrials = shards[0]!.attributionTrials;
  if (shards.some((s) => s.attributionTrials !== attributionTrials))
    throw new ResultsInputError('merge: the shards ran attribution variants on different --attribution-trials');
  const cells = whole.cells.map((_, i) => {
    const partials = emptyCell();
    let trials = 0;
    for (const shard of shards) {
      const cell = shard.cells[i]!;
      trials += cell.trials;
      for (const m of METRICS) partials[m].merge(cell.partials[m]);
    }
    return { trials, partials };
  });
  const variants = variantSummaries(whole, baselines, attributionTrials);
  const byKey = new Map(variants.map((v) => [variantKey(v.scenario, v.policy, v.variant, v.attack), v]));
  for (const shard of shards) {
    for (const v of shard.variants) {
      const into = byKey.get(variantKey(v.scenario, v.policy, v.variant, v.attack));
      if (into === undefined)
        throw new ResultsInputError('merge: the shards ran attribution variants against different baselines');
      into.n += v.n;
      into.sum.merge(v.sum);
    }
  }
  return { cells, variantBaselines: baselines, attributionTrials, variants };
}
