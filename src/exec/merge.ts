/**
 * `mergeRuns`: joins the output folders of shards 0 … n−1 into the result of the unsharded run.
 *
 * Checks first (nothing lands unless all pass; a refusal is ResultsInputError, exit 2, naming the
 * folder and the row): every folder has a run.json from the same blastlab version, the same scenario
 * files (by sha256, and the files on disk still hash the same), the same overrides and plan size, the
 * same shard count, and the shards are exactly 0 … n−1, each once; every file each run.json lists
 * still has its recorded SHA-256. Then trials.csv is rebuilt by copying each shard's rows byte for
 * byte, per (scenario, policy, attack) cell in shard order — the unsharded order — checking that
 * every row's scenario, policy, attack, trial and seed are the ones the plan puts there; the
 * summaries, comparison, scenarios and report are recomputed from it. Shards run with `--no-trials`
 * carry summaries.json instead: its cells are checked against the plan and merged exactly
 * (exec/no-trials.ts); a set mixing both kinds is refused. What this does and does not prove:
 * docs/reliability.md.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ResultsInputError, ScenarioError, UsageError } from '../errors.js';
import { digestFile } from '../io/digest.js';
import type { CompiledModel } from '../model/compile.js';
import { formatCell } from '../report/csv.js';
import { trialSeed } from '../sim/trial.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { Scenario } from '../domain/scenario.js';
import { mergeAttributionTrials } from './attribution.js';
import { mergeTempoTrials } from './tempo.js';
import { baselines } from './baseline.js';
import { finishResults, finishSummaries, OUTPUT_FILES } from './finish.js';
import { mergeSummaries, readSummaries } from './no-trials.js';
import { MANIFEST_FILE, readManifest, type RunManifest } from './manifest.js';
import { planTrials, type PlanCell, type TrialPlan } from './plan.js';
import { readRecords, splitRecord } from '../io/records.js';
import type { RunResult } from './run.js';
import { shardRange, shardPlan } from './shard.js';
import { openStaging } from '../io/staging.js';

/** Options of `mergeRuns`. */
export interface MergeOptions {
  /** Output folder of the merged result. */
  readonly out: string;
  /** Overrides the baseline the shards recorded. */
  readonly baseline?: string | undefined;
  /** `--csv-bom`, as for `run`. */
  readonly csvBom?: boolean | undefined;
}

/** Checks that the folders are one complete shard set; returns their records ordered by shard index. */
export async function checkShardSet(dirs: readonly string[]): Promise<{ dir: string; manifest: RunManifest }[]> {
  if (dirs.length === 0) throw new UsageError('merge: give the output folders of every shard');
  const runs = await Promise.all(dirs.map(async (dir) => ({ dir, manifest: await readManifest(dir) })));
  const first = runs[0]!;
  const same = (label: string, pick: (m: RunManifest) => unknown): void => {
    const expected = JSON.stringify(pick(first.manifest));
    for (const run of runs) {
      const got = JSON.stringify(pick(run.manifest));
      if (got !== expected) {
        throw new ResultsInputError(
          `merge: ${run.dir} and ${first.dir} are not shards of the same run: different ${label} (${got} vs ${expected})`,
        );
      }
    }
  };
  same('blastlab version', (m) => m.blastlab);
  const summarized = runs.filter((r) => r.manifest.noTrials === true);
  const full = runs.find((r) => r.manifest.noTrials !== true);
  if (summarized.length > 0 && full !== undefined) {
    throw new ResultsInputError(
      `merge: ${summarized[0]!.dir} was run with --no-trials (summaries.json) and ${full.dir} without (trials.csv): run every shard the same way`,
    );
  }
  same('scenario files', (m) => m.scenarios);
  same('options (--trials, --seed, --policies, --baseline)', (m) => m.options);
  same('plan size', (m) => m.planSize);
  same('--issuer-from', (m) => m.issuerFrom ?? null);
  same('--attribution-trials and --tempo-trials', (m) => m.variantTrials ?? null);
  same('shard count', (m) => m.shard.count);
  const count = first.manifest.shard.count;
  const byIndex = new Map<number, string>();
  for (const run of runs) {
    const { index } = run.manifest.shard;
    if (index < 0 || index >= count)
      throw new ResultsInputError(`merge: ${run.dir} holds shard ${index}/${count}, which does not exist`);
    const other = byIndex.get(index);
    if (other !== undefined) throw new ResultsInputError(`merge: shard ${index}/${count} given twice (${other} and ${run.dir})`);
    byIndex.set(index, run.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new ResultsInputError(
      `merge: incomplete set: missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')}`,
    );
  }
  for (const run of runs) verifyDigests(run.dir, run.manifest);
  return [...runs].sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);
}

/** Checks every file a shard's run.json lists against its recorded SHA-256 (trials.csv must be listed). */
function verifyDigests(dir: string, manifest: RunManifest): void {
  const files = manifest.files;
  if (files === undefined)
    throw new ResultsInputError(
      `merge: ${join(dir, MANIFEST_FILE)} lists no file digests (written by an older blastlab? run the shard again)`,
    );
  const data = manifest.noTrials === true ? OUTPUT_FILES.summaries : OUTPUT_FILES.trials;
  if (!files.some((f) => f.path === data))
    throw new ResultsInputError(`merge: ${join(dir, MANIFEST_FILE)} does not list ${data}`);
  for (const file of files) {
    let actual: { sha256: string; bytes: number };
    try {
      actual = digestFile(join(dir, file.path));
    } catch {
      throw new ResultsInputError(`merge: ${join(dir, file.path)} is missing (listed in ${MANIFEST_FILE})`);
    }
    if (actual.sha256 !== file.sha256 || actual.bytes !== file.bytes) {
      throw new ResultsInputError(
        `merge: ${join(dir, file.path)} was changed after the shard ran (sha256 ${actual.sha256}, ${MANIFEST_FILE} records ${file.sha256})`,
      );
    }
  }
}

/** Reloads the scenario files a run recorded and checks they have not changed since. */
function reloadScenarios(manifest: RunManifest): Scenario[] {
  return manifest.scenarios.map((recorded) => {
    let scenario: Scenario;
    try {
      scenario = loadScenarioFile(recorded.file);
    } catch (error) {
      if (
        error instanceof ScenarioError &&
        error.issues.some((i) => i.message.startsWith('cannot read') || i.message === 'not found')
      ) {
        throw new ResultsInputError(
          `merge: scenario file ${recorded.file} (recorded in run.json) cannot be read: run merge from the folder the shards ran in`,
        );
      }
      throw error;
    }
    if (scenario.source.sha256 !== recorded.sha256) {
      throw new ResultsInputError(
        `merge: scenario file ${recorded.file} changed since the shards ran (sha256 ${scenario.source.sha256} vs ${recorded.sha256})`,
      );
    }
    return scenario;
  });
}

/** Merges shard folders into `options.out`: trials.csv byte-identical to the unsharded run, everything else recomputed. */
export async function mergeRuns(dirs: readonly string[], options: MergeOptions): Promise<RunResult> {
  const runs = await checkShardSet(dirs);
  const recorded = runs[0]!.manifest;
  const scenarios = reloadScenarios(recorded);
  const planOptions = {
    trials: recorded.options.trials ?? undefined,
    seed: recorded.options.seed ?? undefined,
    policies: recorded.options.policies ?? undefined,
  };
  const whole = planTrials(scenarios, planOptions);
  if (whole.size !== recorded.planSize) {
    throw new ResultsInputError(`merge: the scenarios now plan ${whole.size} trials, the shards recorded ${recorded.planSize}`);
  }
  const baseline = options.baseline ?? recorded.options.baseline ?? undefined;
  const chosen = baselines(whole, baseline);
  if (recorded.noTrials === true) return mergeSummaryRuns(runs, whole, recorded, options);
  const staging = openStaging(options.out);
  try {
    await concatenateTrials(runs, whole, staging.dir);
    await mergeAttributionTrials(
      runs.map((r) => r.dir),
      whole,
      chosen,
      staging.dir,
    );
    await mergeTempoTrials(
      runs.map((r) => r.dir),
      whole,
      staging.dir,
    );
    const { files: _shardFiles, ...record } = recorded;
    const manifest: RunManifest = {
      ...record,
      options: { ...recorded.options, baseline: baseline ?? null },
      shard: { index: 0, count: 1, size: whole.size },
    };
    const summary = await finishResults(staging.dir, whole, chosen, manifest, { csvBom: options.csvBom });
    const files = staging.land(manifest);
    return { ...summary, plan: whole, files, realTokens: [] };
  } finally {
    staging.discard();
  }
}

/** `--no-trials` shards: reads and checks each shard's summaries.json against its plan, merges them, finishes from them. */
async function mergeSummaryRuns(
  runs: readonly { dir: string; manifest: RunManifest }[],
  whole: TrialPlan,
  recorded: RunManifest,
  options: MergeOptions,
): Promise<RunResult> {
  // The variants ran against the baselines each file records; a merge under another baseline keeps them
  // (so its folder merges again) but has no attribution rows for it, as with full shards.
  const shards = runs.map((run) =>
    readSummaries(run.dir, shardPlan(whole, { index: run.manifest.shard.index, count: run.manifest.shard.count })),
  );
  const merged = mergeSummaries(whole, shards);
  const baseline = options.baseline ?? recorded.options.baseline ?? undefined;
  const chosen = baselines(whole, baseline);
  const staging = openStaging(options.out);
  try {
    const { files: _shardFiles, ...record } = recorded;
    const manifest: RunManifest = {
      ...record,
      options: { ...recorded.options, baseline: baseline ?? null },
      shard: { index: 0, count: 1, size: whole.size },
    };
    const summary = await finishSummaries(staging.dir, whole, merged, chosen, manifest, options.csvBom);
    const files = staging.land(manifest);
    return { ...summary, plan: whole, files, realTokens: [] };
  } finally {
    staging.discard();
  }
}

/** Rebuilds trials.csv from the shards' files, checking every row is the one the plan expects. */
async function concatenateTrials(
  runs: readonly { dir: string; manifest: RunManifest }[],
  whole: ReturnType<typeof planTrials>,
  outDir: string,
): Promise<void> {
  const count = runs.length;
  const readers = runs.map((run) => ({
    file: join(run.dir, OUTPUT_FILES.trials),
    records: readRecords(join(run.dir, OUTPUT_FILES.trials)),
    rows: 0,
  }));
  const fd = openSync(join(outDir, OUTPUT_FILES.trials), 'w');
  let buffer = '';
  const emit = (record: string): void => {
    buffer += `${record}\n`;
    if (buffer.length >= 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  try {
    let header: string | undefined;
    for (const reader of readers) {
      const first = await nextRecord(reader.file, reader.records);
      if (header === undefined) header = first;
      else if (first !== header)
        throw new ResultsInputError(`merge: ${reader.file} has different columns than ${readers[0]!.file}`);
    }
    emit(header!);
    for (const cell of whole.cells) {
      for (let s = 0; s < count; s++) {
        const reader = readers[s]!;
        const { start, end } = shardRange(cell.trialStart, cell.trialEnd, { index: s, count });
        for (let trial = start; trial < end; trial++) {
          const record = await nextRecord(reader.file, reader.records);
          const got = splitRecord(record).slice(0, 5);
          const want = expectedRow(whole, cell, trial);
          if (got.join('\0') !== want.join('\0')) {
            throw new ResultsInputError(
              `merge: ${reader.file} row ${reader.rows + 2} is not the plan's row (expected ${want.join(',')}, got ${got.join(',')}): was the file edited, truncated or from another run?`,
            );
          }
          reader.rows++;
          emit(record);
        }
      }
    }
    for (const [s, reader] of readers.entries()) {
      if ((await reader.records.next()).done !== true)
        throw new ResultsInputError(`merge: ${reader.file} has more rows than shard ${s}/${count} of the plan`);
      const planned = shardPlan(whole, { index: s, count }).size;
      if (reader.rows !== planned)
        throw new ResultsInputError(`merge: ${reader.file} has ${reader.rows} rows, shard ${s}/${count} plans ${planned}`);
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}

async function nextRecord(file: string, records: AsyncGenerator<string>): Promise<string> {
  const next = await records.next();
  if (next.done === true) throw new ResultsInputError(`merge: ${file} ends early (incomplete shard output?)`);
  return next.value;
}

/** The identifying cells (scenario, policy, attack, trial, seed) the plan puts at a trial of a cell, as trials.csv writes them. */
function expectedRow(plan: ReturnType<typeof planTrials>, cell: PlanCell, trial: number): string[] {
  const scenario = plan.scenarios[cell.scenarioIndex]!;
  // trialSeed reads only the model's scenario: no need to compile the estate to check seeds.
  const seed = trialSeed({ scenario } as CompiledModel, cell.policyIndex, cell.attackIndex, trial);
  return [scenario.name, scenario.policies[cell.policyIndex]!.name, scenario.attacks[cell.attackIndex]!.name, trial, seed].map(
    (v) => formatCell(v),
  );
}
