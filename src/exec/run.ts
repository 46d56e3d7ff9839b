/**
 * `runScenarios`: plan → (shard) → compile → run on workers → trials.csv streamed in plan order →
 * summaries, comparison, scenarios, report, run.json — all into a temp folder that lands in `out`
 * only when everything succeeded. With `noTrials`, mergeable summaries (summaries.json,
 * exec/no-trials.ts) take the place of trials.csv and attribution-trials.csv.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { compile, type CompiledModel } from '../model/compile.js';
import { TRIALS_COLUMNS } from '../report/columns.js';
import { formatTrialRow, openCsvWriter } from '../report/csv.js';
import type { Scenario } from '../domain/scenario.js';
import { brokerOf } from '../domain/scenario.js';
import { trialSeed } from '../sim/trial.js';
import { DEFAULT_ATTRIBUTION_TRIALS, variantPlan, writeAttributionTrials } from './attribution.js';
import { DEFAULT_TEMPO_TRIALS, tempoPlan, writeTempoTrials } from './tempo.js';
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { MAX_TOKEN_LENGTH } from '../issuer/claims.js';
import { RealTokenSink } from '../workload/real-tokens.js';
import { baselines } from './baseline.js';
import { workBudgetIssues } from './budget.js';
import { finishResults, finishSummaries, OUTPUT_FILES, type RunSummary } from './finish.js';
import { buildManifest, type IssuerProvenance, type RunManifest } from './manifest.js';
import { summarizeTrials } from './no-trials.js';
import { summarizeAttributionTrials } from './attribution-summary.js';
import { planTrials, type PlanOptions, type TrialPlan } from './plan.js';
import { RunInterruptedError } from '../errors.js';
import { defaultWorkers, executePlan, TrialPool, usesThreads, type ExecuteOptions } from './pool.js';
import { shardPlan, WHOLE, type ShardSpec } from './shard.js';
import { openStaging } from '../io/staging.js';
import { decodeMetrics, realTokenWork, type RealTokenWork } from './worker.js';

/** Where a run stands (for a progress bar). */
export interface RunProgress {
  readonly trialsDone: number;
  readonly trialsTotal: number;
  readonly scenariosDone: number;
  readonly scenariosTotal: number;
  /**
   * The attribution and tempo variant trials (risk only, capped by `--attribution-trials` and
   * `--tempo-trials`): they run beside the trials, and a run ends when both are done.
   */
  readonly variantTrialsDone: number;
  readonly variantTrialsTotal: number;
}

/** Options of `runScenarios`: the plan's, the executor's (workers, signal, worker file, real tokens), and these. */
export interface RunOptions extends PlanOptions, Omit<ExecuteOptions, 'onProgress'> {
  /** Output folder: replaced whole by this run's files when it succeeds (io/staging.ts). */
  readonly out: string;
  /** Run only this slice of the plan. */
  readonly shard?: ShardSpec | undefined;
  /** Baseline policy name for comparison.csv (default: each scenario's first policy). */
  readonly baseline?: string | undefined;
  readonly onProgress?: ((progress: RunProgress) => void) | undefined;
  /** Work budget: task events per trial a scenario may ask for (default DEFAULT_MAX_EVENTS, exec/budget.ts). */
  readonly maxEvents?: number | undefined;
  /** `--csv-bom`: summary.csv, comparison.csv and scenarios.csv start with a UTF-8 byte order mark. */
  readonly csvBom?: boolean | undefined;
  /** `--attribution-trials`: attribution variants run on trials below this index (A5; Infinity = all). */
  readonly attributionTrials?: number | undefined;
  /** `--tempo-trials`: attacker tempo variants run on trials below this index (exec/tempo.ts; Infinity = all). */
  readonly tempoTrials?: number | undefined;
  /** Recorded in run.json (`run --issuer-from`); the scenarios already carry the issuer. */
  readonly issuerFrom?: IssuerProvenance | undefined;
  /** `--no-trials`: mergeable summaries (summaries.json) instead of trials.csv and attribution-trials.csv (exec/no-trials.ts). */
  readonly noTrials?: boolean | undefined;
}

/** The real issuer's work for one scenario under `--real-tokens` (wallMs summed over workers). */
export interface RealTokenReport extends RealTokenWork {
  readonly scenario: string;
}

/** Wall-clock µs per real token (trial time included); 0 when none was minted. */
export function usPerToken(r: RealTokenWork): number {
  return r.minted > 0 ? (r.wallMs * 1000) / r.minted : 0;
}

/** What `runScenarios` produced. */
export interface RunResult extends RunSummary {
  /** The (shard's) plan that ran. */
  readonly plan: TrialPlan;
  /** Files written, as paths under `out`. */
  readonly files: readonly string[];
  /** Per scenario, with `realTokens`; empty otherwise. */
  readonly realTokens: readonly RealTokenReport[];
}

/** Runs every trial of the scenarios and writes the result files (SPEC §8) plus run.json into `options.out`. */
export async function runScenarios(scenarios: readonly Scenario[], options: RunOptions): Promise<RunResult> {
  const overBudget = workBudgetIssues(scenarios, options.maxEvents);
  if (overBudget.length > 0) throw new ScenarioError(overBudget);
  const whole = planTrials(scenarios, options);
  const shard = options.shard ?? WHOLE;
  const plan = shardPlan(whole, shard);
  const chosen = baselines(whole, options.baseline);
  // One set of worker threads for the trials and both variant runs: each model reaches each worker
  // once. Started first, so the threads boot while this one compiles the models.
  const pool =
    options.pool ?? (usesThreads(options) ? new TrialPool(options.workers ?? defaultWorkers(), options.workerFile) : undefined);
  const run: RunOptions = { ...options, pool };
  let staging: ReturnType<typeof openStaging> | undefined;
  try {
    const models = plan.scenarios.map((s) => compile(s));
    if (options.realTokens === true) {
      const tooLong = models.flatMap(realTokenSizeIssues);
      if (tooLong.length > 0) throw new ScenarioError(tooLong);
    }
    const stage = openStaging(options.out);
    staging = stage;
    const record = buildManifest(plan.scenarios, options, whole, shard, plan.size);
    const manifest: RunManifest = options.noTrials === true ? { ...record, noTrials: true } : record;
    let tokenWork: RealTokenWork[];
    let summary: RunSummary;
    // The variant runs' sizes up front, so the bar's total never grows (--no-trials runs no tempo variants).
    const progress = trackProgress(plan, options.onProgress, {
      attribution: variantPlan(plan, [], chosen, options.attributionTrials ?? DEFAULT_ATTRIBUTION_TRIALS).plan.size,
      tempo: options.noTrials === true ? 0 : tempoPlan(plan, [], options.tempoTrials ?? DEFAULT_TEMPO_TRIALS).plan.size,
    });
    if (options.noTrials === true) {
      const { execute, cellDone } = progress.trials(run);
      let cells;
      ({ cells, tokenWork } = await summarizeTrials(plan, models, execute, cellDone));
      const variants = await summarizeAttributionTrials(plan, models, chosen, { ...run, onProgress: progress.attribution });
      summary = await finishSummaries(
        stage.dir,
        plan,
        { cells, variantBaselines: chosen, attributionTrials: options.attributionTrials ?? DEFAULT_ATTRIBUTION_TRIALS, variants },
        chosen,
        manifest,
        options.csvBom,
      );
    } else {
      // On a pool, the three files are written at once: the variant runs fill the workers while the
      // last batches of the trials finish (each file in its own plan order, so nothing else changes).
      // The report's modules (vega: about 0.2 s) load meanwhile, on this thread, which only waits for
      // results then; a failure to load shows where the report imports them (finish.ts).
      if (pool !== undefined) void import('../report/report.js').catch(() => undefined);
      [tokenWork] = await together(run, [
        (o) => writeTrials(stage.dir, plan, models, o, progress.trials(o)),
        (o) => writeAttributionTrials(stage.dir, plan, models, chosen, { ...o, onProgress: progress.attribution }),
        (o) => writeTempoTrials(stage.dir, plan, models, { ...o, onProgress: progress.tempo }),
      ] as const);
      // The workers' heaps go before the summaries are computed: the run's peak memory is then one or the other.
      if (options.pool === undefined) await pool?.close();
      summary = await finishResults(stage.dir, plan, chosen, manifest, { csvBom: options.csvBom });
    }
    const realTokens = options.realTokens === true ? plan.scenarios.map((s, i) => ({ scenario: s.name, ...tokenWork[i]! })) : [];
    if (options.realTokens === true) writeRealTokens(join(stage.dir, REAL_TOKENS_FILE), realTokens);
    // A signal that arrived after the last batch still stops the run: nothing lands.
    if (options.signal?.aborted === true) throw RunInterruptedError.from(options.signal);
    const files = stage.land(manifest);
    return { ...summary, plan, files, realTokens };
  } finally {
    if (options.pool === undefined) await pool?.close();
    staging?.discard();
  }
}

/**
 * Runs the phases of a run: at once on a pool, each with the run's signal and a stop that the first
 * phase to fail pulls for the others (its error is the run's); one after another in this thread.
 */
async function together<R extends readonly unknown[]>(
  options: RunOptions,
  phases: { readonly [K in keyof R]: (options: RunOptions) => Promise<R[K]> },
): Promise<R> {
  if (options.pool === undefined) {
    const out: unknown[] = [];
    for (const phase of phases) out.push(await phase(options));
    return out as unknown as R;
  }
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  const failures: unknown[] = [];
  const settled = await Promise.allSettled(
    phases.map((phase) =>
      phase({ ...options, signal }).catch((error: unknown) => {
        failures.push(error);
        stop.abort();
        throw error;
      }),
    ),
  );
  if (failures.length > 0) throw failures[0];
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as R;
}

/**
 * `--real-tokens` with a role-scoped policy: the credentials whose token would exceed MAX_TOKEN_LENGTH
 * with its scope inline. Such a scope is carried by reference (issuer/scope-table.ts): `byReference`
 * lists those (notes), `issues` those whose token would be too long even so (refused).
 */
export function realTokenSizes(model: CompiledModel): { issues: ScenarioIssue[]; byReference: ScenarioIssue[] } {
  const scenario = model.scenario;
  const roleScoped = scenario.policies.filter((p) => brokerOf(p)?.scope === 'role').map((p) => p.name);
  if (roleScoped.length === 0) return { issues: [], byReference: [] };
  const issues: ScenarioIssue[] = [];
  const byReference: ScenarioIssue[] = [];
  for (const { credential, items, inlineLength, length } of new RealTokenSink(model).oversizedRoleScopes()) {
    const id = model.ids[credential]!;
    const where = {
      file: scenario.source.file,
      line: null,
      column: null,
      path: `nodes[${scenario.nodes.findIndex((n) => n.id === id)}]`,
    };
    const what = `--real-tokens: credential "${id}" under policy ${roleScoped.map((n) => `"${n}"`).join(', ')} (scope: role) would mint a ${inlineLength}-character token (${items} scope items), over the ${MAX_TOKEN_LENGTH} verifiers accept`;
    if (length > MAX_TOKEN_LENGTH) {
      issues.push({
        ...where,
        code: 'token-too-large',
        message: `${what}, and ${length} characters even with the scope by reference`,
        hint: "give that policy scope: task or step, or split the credential's grants",
      });
    } else
      byReference.push({
        ...where,
        code: 'scope-by-reference',
        message: `${what}: its scope is carried by reference (scope_ref, a ${length}-character token)`,
      });
  }
  return { issues, byReference };
}

/** The credentials `--real-tokens` cannot mint a token for (realTokenSizes' `issues`). */
export function realTokenSizeIssues(model: CompiledModel): ScenarioIssue[] {
  return realTokenSizes(model).issues;
}

/** Written next to the SPEC §8 files under `--real-tokens` (wall-clock numbers: not byte-stable by nature). */
export const REAL_TOKENS_FILE = 'real-tokens.csv';

function writeRealTokens(file: string, rows: readonly RealTokenReport[]): void {
  const lines = ['scenario,tokens_minted,tokens_verified,wall_ms,us_per_token,tokens_per_s'];
  for (const r of rows) {
    const rate = r.wallMs > 0 ? (r.minted * 1000) / r.wallMs : 0;
    lines.push(
      stringify([[r.scenario, r.minted, r.verified, r.wallMs.toFixed(1), usPerToken(r).toFixed(2), rate.toFixed(0)]]).trimEnd(),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Runs the plan and streams trials.csv in plan order; returns the real-token work per scenario. */
async function writeTrials(
  dir: string,
  plan: TrialPlan,
  models: readonly CompiledModel[],
  options: RunOptions,
  { execute, cellDone }: TrialsProgress,
): Promise<RealTokenWork[]> {
  const tokenWork = plan.scenarios.map(() => ({ minted: 0, verified: 0, wallMs: 0 }));
  const writer = openCsvWriter(join(dir, OUTPUT_FILES.trials), TRIALS_COLUMNS);
  try {
    await executePlan(plan, models, execute, (batch) => {
      const { cell, trialStart, trialEnd, values } = batch;
      const work = realTokenWork(values, trialEnd - trialStart);
      const sum = tokenWork[cell.scenarioIndex]!;
      sum.minted += work.minted;
      sum.verified += work.verified;
      sum.wallMs += work.wallMs;
      const model = models[cell.scenarioIndex]!;
      const scenario = plan.scenarios[cell.scenarioIndex]!;
      const policy = scenario.policies[cell.policyIndex]!.name;
      const attack = scenario.attacks[cell.attackIndex]!.name;
      for (let trial = trialStart; trial < trialEnd; trial++) {
        writer.write(
          formatTrialRow({
            scenario: scenario.name,
            policy,
            attack,
            trial,
            seed: trialSeed(model, cell.policyIndex, cell.attackIndex, trial),
            metrics: decodeMetrics(values, trial - trialStart),
          }),
        );
      }
      cellDone(cell.scenarioIndex, trialEnd - trialStart);
    });
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return tokenWork;
}

/** The trials' executor options (with their progress callback) and `cellDone`, to call after each batch. */
interface TrialsProgress {
  readonly execute: ExecuteOptions;
  readonly cellDone: (scenarioIndex: number, trials: number) => void;
}

/**
 * One run's progress: the trials (counting finished scenarios) and the variant runs (attribution,
 * tempo) that run beside them, reported together, so a bar reaches 100% when the run's work is done.
 * `variants` are the variant plans' sizes, known before any of them runs.
 */
function trackProgress(
  plan: TrialPlan,
  report: ((progress: RunProgress) => void) | undefined,
  variants: { readonly attribution: number; readonly tempo: number },
): {
  trials: (options: RunOptions) => TrialsProgress;
  attribution: ((trialsDone: number) => void) | undefined;
  tempo: ((trialsDone: number) => void) | undefined;
} {
  const remaining = plan.scenarios.map((_, i) =>
    plan.cells.filter((c) => c.scenarioIndex === i).reduce((n, c) => n + c.trialEnd - c.trialStart, 0),
  );
  let scenariosDone = remaining.filter((n) => n === 0).length;
  let trialsDone = 0;
  const variantsDone = { attribution: 0, tempo: 0 };
  const variantTrialsTotal = variants.attribution + variants.tempo;
  const send = (): void =>
    report?.({
      trialsDone,
      trialsTotal: plan.size,
      scenariosDone,
      scenariosTotal: plan.scenarios.length,
      variantTrialsDone: variantsDone.attribution + variantsDone.tempo,
      variantTrialsTotal,
    });
  const variant =
    (which: keyof typeof variantsDone) =>
    (done: number): void => {
      variantsDone[which] = done;
      send();
    };
  return {
    trials: (options) => ({
      execute: {
        workers: options.workers,
        signal: options.signal,
        workerFile: options.workerFile,
        pool: options.pool,
        onProgress:
          report === undefined
            ? undefined
            : (done: number): void => {
                trialsDone = done;
                send();
              },
        realTokens: options.realTokens,
      },
      cellDone: (scenarioIndex, trials) => {
        remaining[scenarioIndex]! -= trials;
        if (remaining[scenarioIndex] === 0) scenariosDone++;
      },
    }),
    attribution: report === undefined ? undefined : variant('attribution'),
    tempo: report === undefined ? undefined : variant('tempo'),
  };
}
