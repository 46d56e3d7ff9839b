/**
 * The operational cost of a policy for one trial (SPEC §5 cost metrics), from the workload schedule:
 * every task occurrence inside the horizon, plus the rotations of standing secrets. Attacker requests
 * are not counted. Initial provisioning at time 0 is not an issuance (the secrets exist already).
 *
 * The pass is linear in the number of issuances and allocates nothing per occurrence or token: under
 * a broker each occurrence is added straight to the sums (direct.ts), per-second counts live in one
 * typed array (second-counter.ts), waits as counts per distinct value (lib/value-counts.ts), whose
 * nearest-rank p95 is exact. A big pass can be split by tasks into parts that merge exactly
 * (workloadCostPart, mergeCostParts), one part per worker.
 */
import type { Policy } from '../domain/scenario.js';
import { ValueCounts } from '../lib/value-counts.js';
import { brokerOf } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import { KIND_CREDENTIAL } from '../model/compile.js';
import { versionEnd, type CredentialModes } from '../policy/modes.js';
import type { CostMetrics } from '../domain/metrics.js';
import { SecondCounter } from './second-counter.js';
import { DirectTask, type OccurrenceSums } from './direct.js';
import type { Issuance } from './occurrence.js';
import {
  OccurrenceScratch,
  drawsNothing,
  occurrenceCount,
  occurrenceOf,
  occurrenceStart,
  occurrencesShift,
  runOccurrence,
  taskPlan,
  type TaskPlan,
} from './occurrence.js';

/** Receives every token the workload mints, in schedule order (e.g. `--real-tokens`). */
export type IssuanceSink = (issuance: Issuance) => void;

/** The occurrences a trial's cost pass replays: every occurrence of every task inside the horizon. */
export function occurrencesPerTrial(model: CompiledModel): number {
  let total = 0;
  for (const task of model.scenario.workload) total += occurrenceCount(task, model.scenario.horizonMs);
  return total;
}

/** Computes the cost metrics of `policy` over the whole workload for one trial. */
export function workloadCost(
  model: CompiledModel,
  policy: Policy,
  modes: CredentialModes,
  costSeed: number,
  onIssue?: IssuanceSink,
): CostMetrics {
  const sums = new CostSums(model);
  accumulate(sums, model, policy, modes, costSeed, { index: 0, of: 1 }, onIssue);
  return sums.metrics();
}

/** Part `index` of a cost pass split `of` ways: a range of the workload's tasks (rotations go to part 0). */
export interface CostPartOf {
  readonly index: number;
  readonly of: number;
}

/**
 * What one part of a cost pass adds up: its totals, its issuances per touched second, and its
 * request waits as counts per distinct value. Parts merge exactly (mergeCostParts): a pass split over
 * several workers gives the metrics of the whole pass, to the last bit.
 */
export interface CostPart {
  readonly tokensIssued: number;
  readonly tasksTotal: number;
  readonly tasksFailed: number;
  readonly reauthorizations: number;
  /** Seconds with at least one issuance, and their counts (parallel arrays). */
  readonly seconds: Float64Array;
  readonly secondCounts: Float64Array;
  /** Distinct request waits (ms), ascending, and how many requests waited each (parallel arrays). */
  readonly waitValues: Float64Array;
  readonly waitCounts: Float64Array;
}

/** Runs part `part` of the cost pass of `policy` with the workload draws of `costSeed`. */
export function workloadCostPart(
  model: CompiledModel,
  policy: Policy,
  modes: CredentialModes,
  costSeed: number,
  part: CostPartOf,
): CostPart {
  const sums = new CostSums(model);
  accumulate(sums, model, policy, modes, costSeed, part);
  const { values, counts } = sums.waits.entries();
  const { seconds, counts: secondCounts } = sums.counter.drain();
  return {
    tokensIssued: sums.tokensIssued,
    tasksTotal: sums.tasksTotal,
    tasksFailed: sums.tasksFailed,
    reauthorizations: sums.reauthorizations,
    seconds,
    secondCounts,
    waitValues: values,
    waitCounts: counts,
  };
}

/** The cost metrics of a whole pass from its parts (every part of one split, in any order). */
export function mergeCostParts(model: CompiledModel, parts: readonly CostPart[]): CostMetrics {
  const sums = new CostSums(model);
  for (const part of parts) {
    sums.tokensIssued += part.tokensIssued;
    sums.tasksTotal += part.tasksTotal;
    sums.tasksFailed += part.tasksFailed;
    sums.reauthorizations += part.reauthorizations;
    for (let i = 0; i < part.seconds.length; i++) sums.counter.bumpSecond(part.seconds[i]!, part.secondCounts[i]!);
    for (let i = 0; i < part.waitValues.length; i++) sums.waits.add(part.waitValues[i]!, part.waitCounts[i]);
  }
  return sums.metrics();
}

/** The first task of each part of a split `of` ways, and the end: ranges of about equal occurrences. */
function partBounds(model: CompiledModel, of: number): number[] {
  const workload = model.scenario.workload;
  const horizon = model.scenario.horizonMs;
  const total = occurrencesPerTrial(model);
  const bounds = [0];
  let seen = 0;
  for (let t = 0; t < workload.length && bounds.length < of; t++) {
    seen += occurrenceCount(workload[t]!, horizon);
    if (seen * of >= total * bounds.length) bounds.push(t + 1);
  }
  while (bounds.length <= of) bounds.push(workload.length);
  return bounds;
}

/** The running sums of a cost pass, or of parts of one. */
class CostSums implements OccurrenceSums {
  tokensIssued = 0;
  tasksTotal = 0;
  tasksFailed = 0;
  reauthorizations = 0;
  readonly counter: SecondCounter;
  readonly waits = new ValueCounts();

  constructor(model: CompiledModel) {
    this.counter = new SecondCounter(model.scenario.horizonMs, occurrencesPerTrial(model));
  }

  metrics(): CostMetrics {
    return {
      tokens_issued: this.tokensIssued,
      peak_issuance_per_s: this.counter.peak(),
      // Nearest rank (a wait is one of the draws; no interpolation needed); 0 when nothing waited.
      issuance_wait_p95_ms: this.waits.nearestRank(0.95),
      tasks_total: this.tasksTotal,
      tasks_failed: this.tasksFailed,
      reauthorizations: this.reauthorizations,
    };
  }
}

/** Adds part `part` of the pass to `sums`: the rotations of standing secrets (part 0), then its tasks' occurrences. */
function accumulate(
  sums: CostSums,
  model: CompiledModel,
  policy: Policy,
  modes: CredentialModes,
  costSeed: number,
  part: CostPartOf,
  onIssue?: IssuanceSink,
): void {
  const horizon = model.scenario.horizonMs;
  const { counter, waits } = sums;

  // Rotations of standing secrets inside the horizon: from the version's phase (T1), every R, before
  // the horizon and the expiry (T2).
  if (part.index === 0) {
    for (let c = 0; c < model.nodeCount; c++) {
      if (model.kind[c] !== KIND_CREDENTIAL || modes.ephemeral[c] === 1) continue;
      const rotation = modes.rotationMs[c]!;
      if (!Number.isFinite(rotation) || rotation <= 0) continue;
      const end = Math.min(horizon, modes.expiresAtMs[c]!);
      for (let at = versionEnd(rotation, 0, modes.phaseMs[c]); at < end; at += rotation) {
        sums.tokensIssued++;
        counter.bump(at);
      }
    }
  }

  const workload = model.scenario.workload;
  const bounds = partBounds(model, part.of);
  const out = new OccurrenceScratch();
  // The tasks whose occurrences are replayed one by one, and for each the next one to replay.
  const replayed: {
    readonly task: number;
    readonly count: number;
    readonly plan: TaskPlan;
    readonly mints: Float64Array | null;
    /** Without a sink, under a broker, the occurrences are added straight to the sums (direct.ts). */
    readonly direct: DirectTask | null;
  }[] = [];
  const broker = brokerOf(policy);
  for (let t = bounds[part.index]!; t < bounds[part.index + 1]!; t++) {
    const count = occurrenceCount(workload[t]!, horizon);
    if (count === 0) continue;
    sums.tasksTotal += count;
    const plan = taskPlan(model, policy, modes, t);
    // Without a draw every occurrence runs alike: one stands for all (no token, no wait).
    if (drawsNothing(model, policy, modes, t)) {
      runOccurrence(model, policy, plan, costSeed, t, 0, out);
      if (out.status !== 'completed') sums.tasksFailed += count;
      continue;
    }
    // Without a random draw every occurrence is the first one shifted: its outcome and waits count
    // `count` times, and only its mints are replayed, shifted (tokens go to a sink one by one).
    if (onIssue === undefined && occurrencesShift(model, policy, modes, t)) {
      runOccurrence(model, policy, plan, costSeed, t, 0, out);
      if (out.status !== 'completed') sums.tasksFailed += count;
      sums.reauthorizations += out.reauthorizations * count;
      sums.tokensIssued += out.count * count;
      for (let i = 0; i < out.waits.length; i++) waits.add(out.waits.values[i]!, count);
      replayed.push({ task: t, count, plan, mints: out.mintAt.slice(0, out.count), direct: null });
    } else if (onIssue === undefined && broker !== null) {
      const direct = new DirectTask(model, policy, broker, t, plan, costSeed, sums);
      replayed.push({ task: t, count, plan, mints: null, direct });
    } else replayed.push({ task: t, count, plan, mints: null, direct: null });
  }

  // Occurrences replayed a window of time at a time, every task's in turn: the counts per second they
  // bump then stay in the cache (task by task, a month of them is a cache miss a token). Every sum is
  // a count, so the order changes nothing; with a sink, task by task in schedule order (one window).
  // A window without an occurrence is skipped (a years-long horizon of yearly tasks has mostly those).
  const next = new Int32Array(replayed.length);
  const window = onIssue === undefined ? REPLAY_WINDOW_MS : Number.POSITIVE_INFINITY;
  for (let until = window, earliest = 0; earliest < Number.POSITIVE_INFINITY; until = Math.max(until, earliest) + window) {
    earliest = Number.POSITIVE_INFINITY;
    for (let r = 0; r < replayed.length; r++) {
      const { task: t, count, plan, mints, direct } = replayed[r]!;
      const task = workload[t]!;
      let k = next[r]!;
      if (direct !== null) for (; k < count && occurrenceStart(task, k) < until; k++) direct.add(k);
      for (; k < count && occurrenceStart(task, k) < until; k++) {
        if (mints !== null) {
          for (let i = 0; i < mints.length; i++) counter.bump(mints[i]! + k * task.everyMs);
          continue;
        }
        runOccurrence(model, policy, plan, costSeed, t, k, out);
        if (out.status !== 'completed') sums.tasksFailed++;
        sums.reauthorizations += out.reauthorizations;
        sums.tokensIssued += out.count;
        for (let i = 0; i < out.waits.length; i++) waits.add(out.waits.values[i]!);
        for (let i = 0; i < out.count; i++) counter.bump(out.mintAt[i]!);
        if (onIssue !== undefined)
          for (const token of occurrenceOf(model, broker?.ttlMs ?? 0, t, k, out).issuances) onIssue(token);
      }
      next[r] = k;
      if (k < count) earliest = Math.min(earliest, occurrenceStart(task, k));
    }
  }
}

/** The span of time whose occurrences a cost pass replays together (see accumulate). */
const REPLAY_WINDOW_MS = 6 * 3_600_000;
