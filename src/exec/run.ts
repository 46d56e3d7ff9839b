/**
 * `runScenarios`: plan → (shard) → compile → run on workers → trials.csv streamed in plan order →
 * summaries, comparison, scenarios, report, run.json — all into a temp folder that lands in `out`
 * only when everything succeeded.
 */
import { join } from 'node:path';
import { compile, type CompiledModel } from '../model/compile.js';
import { TRIALS_COLUMNS } from '../report/columns.js';
import { formatTrialRow, openCsvWriter } from '../report/csv.js';
import type { Scenario } from '../scenario/types.js';
import { trialSeed } from '../sim/trial.js';
import { baselines } from './baseline.js';
import { finishResults, OUTPUT_FILES, type RunSummary } from './finish.js';
import { buildManifest } from './manifest.js';
import { planTrials, type PlanOptions, type TrialPlan } from './plan.js';
import { executePlan } from './pool.js';
import { shardPlan, WHOLE, type ShardSpec } from './shard.js';
import { openStaging } from './staging.js';
import { decodeMetrics } from './worker.js';

/** Where a run stands (for a progress bar). */
export interface RunProgress {
  readonly trialsDone: number;
  readonly trialsTotal: number;
  readonly scenariosDone: number;
  readonly scenariosTotal: number;
}

/** Options of `runScenarios`. */
export interface RunOptions extends PlanOptions {
  /** Output folder (created; existing files of the same names are replaced). */
  readonly out: string;
  /** Worker threads (default: available cores; 1 = in this thread). */
  readonly workers?: number | undefined;
  /** Run only this slice of the plan. */
  readonly shard?: ShardSpec | undefined;
  /** Baseline policy name for comparison.csv (default: each scenario's first policy). */
  readonly baseline?: string | undefined;
  /** Abort to stop (rejects with RunInterruptedError; nothing is written). */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: RunProgress) => void) | undefined;
  /** Worker module override (tests running from sources). */
  readonly workerFile?: string | URL | undefined;
}

/** What `runScenarios` produced. */
export interface RunResult extends RunSummary {
  /** The (shard's) plan that ran. */
  readonly plan: TrialPlan;
  /** Files written, as paths under `out`. */
  readonly files: readonly string[];
}

/** Runs every trial of the scenarios and writes the result files (SPEC §8) plus run.json into `options.out`. */
export async function runScenarios(scenarios: readonly Scenario[], options: RunOptions): Promise<RunResult> {
  const whole = planTrials(scenarios, options);
  const shard = options.shard ?? WHOLE;
  const plan = shardPlan(whole, shard);
  const chosen = baselines(whole, options.baseline);
  const models = plan.scenarios.map((s) => compile(s));
  const staging = openStaging(options.out);
  try {
    await writeTrials(staging.dir, plan, models, options);
    const manifest = buildManifest(plan.scenarios, options, whole, shard, plan.size);
    const summary = await finishResults(staging.dir, plan, chosen, manifest);
    const files = staging.land();
    return { ...summary, plan, files };
  } finally {
    staging.discard();
  }
}

/** Runs the plan and streams trials.csv in plan order. */
async function writeTrials(dir: string, plan: TrialPlan, models: readonly CompiledModel[], options: RunOptions): Promise<void> {
  const writer = openCsvWriter(join(dir, OUTPUT_FILES.trials), TRIALS_COLUMNS);
  const remaining = plan.scenarios.map((_, i) =>
    plan.cells.filter((c) => c.scenarioIndex === i).reduce((n, c) => n + c.trialEnd - c.trialStart, 0),
  );
  let scenariosDone = remaining.filter((n) => n === 0).length;
  const report = options.onProgress;
  const onProgress =
    report === undefined
      ? undefined
      : (trialsDone: number): void =>
          report({ trialsDone, trialsTotal: plan.size, scenariosDone, scenariosTotal: plan.scenarios.length });
  try {
    await executePlan(plan, models, { workers: options.workers, signal: options.signal, workerFile: options.workerFile, onProgress }, (batch) => {
      const { cell, trialStart, trialEnd, values } = batch;
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
      remaining[cell.scenarioIndex]! -= trialEnd - trialStart;
      if (remaining[cell.scenarioIndex] === 0) scenariosDone++;
    });
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
}
