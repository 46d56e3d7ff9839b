/**
 * The operational cost of a policy for one trial (SPEC §5 cost metrics), from the workload schedule:
 * every task occurrence inside the horizon, plus the rotations of standing secrets. Attacker requests
 * are not counted. Initial provisioning at time 0 is not an issuance (the secrets exist already).
 *
 * The pass is linear in the number of issuances and allocates no per-token objects beyond what an
 * occurrence returns: per-second counts live in one typed array over the horizon, waits in one
 * growable Float64Array whose p95 is found by selection, not by sorting.
 */
import type { Policy } from '../domain/scenario.js';
import { NumberBuffer } from '../lib/buffer.js';
import { brokerOf } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import { KIND_CREDENTIAL } from '../model/compile.js';
import { versionEnd, type CredentialModes } from '../policy/modes.js';
import type { CostMetrics } from '../domain/metrics.js';
import type { Issuance } from './occurrence.js';
import { OccurrenceScratch, drawsNothing, occurrenceCount, occurrenceOf, runOccurrence, taskPlan } from './occurrence.js';

/** Receives every token the workload mints, in schedule order (e.g. `--real-tokens`). */
export type IssuanceSink = (issuance: Issuance) => void;

/** Horizons up to this many seconds count issuances per second in a typed array (4 bytes a second). */
const MAX_DENSE_SECONDS = 100_000_000;
/** Dense counting pays once occurrences reach 1/DENSE_FILL of the horizon's seconds. */
const DENSE_FILL = 16;

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
  const horizon = model.scenario.horizonMs;
  const counter = new SecondCounter(horizon, occurrencesPerTrial(model));
  const waits = new NumberBuffer();
  let tokensIssued = 0;
  let tasksTotal = 0;
  let tasksFailed = 0;
  let reauthorizations = 0;

  // Rotations of standing secrets inside the horizon: from the version's phase (T1), every R, before
  // the horizon and the expiry (T2).
  for (let c = 0; c < model.nodeCount; c++) {
    if (model.kind[c] !== KIND_CREDENTIAL || modes.ephemeral[c] === 1) continue;
    const rotation = modes.rotationMs[c]!;
    if (!Number.isFinite(rotation) || rotation <= 0) continue;
    const end = Math.min(horizon, modes.expiresAtMs[c]!);
    for (let at = versionEnd(rotation, 0, modes.phaseMs[c]); at < end; at += rotation) {
      tokensIssued++;
      counter.bump(at);
    }
  }

  const workload = model.scenario.workload;
  const out = new OccurrenceScratch();
  for (let t = 0; t < workload.length; t++) {
    const count = occurrenceCount(workload[t]!, horizon);
    if (count === 0) continue;
    tasksTotal += count;
    const plan = taskPlan(model, policy, modes, t);
    // Without a draw every occurrence runs alike: one stands for all (no token, no wait).
    if (drawsNothing(model, policy, modes, t)) {
      runOccurrence(model, policy, plan, costSeed, t, 0, out);
      if (out.status !== 'completed') tasksFailed += count;
      continue;
    }
    for (let k = 0; k < count; k++) {
      runOccurrence(model, policy, plan, costSeed, t, k, out);
      if (out.status !== 'completed') tasksFailed++;
      reauthorizations += out.reauthorizations;
      tokensIssued += out.count;
      for (let i = 0; i < out.waits.length; i++) waits.push(out.waits.values[i]!);
      for (let i = 0; i < out.count; i++) counter.bump(out.mintAt[i]!);
      if (onIssue !== undefined)
        for (const token of occurrenceOf(model, brokerOf(policy)?.ttlMs ?? 0, t, k, out).issuances) onIssue(token);
    }
  }

  return {
    tokens_issued: tokensIssued,
    peak_issuance_per_s: counter.peak(),
    issuance_wait_p95_ms: p95(waits),
    tasks_total: tasksTotal,
    tasks_failed: tasksFailed,
    reauthorizations,
  };
}

/** Horizons up to this many seconds (92 days) count sparse passes in the reusable array (4 bytes a second). */
const MAX_REUSED_SECONDS = 8_000_000;
/**
 * The one zeroed counter array this thread reuses between sparse passes, as long as the longest
 * horizon seen (never over MAX_REUSED_SECONDS); `reusedDirty` when a pass that threw left counts in it.
 */
let reused = new Uint32Array(0);
let reusedDirty = false;

/**
 * Issuances per whole second of simulated time: a typed array over the horizon when the workload is
 * busy enough to fill it (a month is 2.6 million seconds: 10 MB to clear per pass); for a sparse pass,
 * the thread's one reused zeroed array, of which only the seconds a pass touched are cleared again (no
 * map per token); past MAX_REUSED_SECONDS (years-long horizons), an open-addressing table of the
 * seconds a pass touched (no object per second). Passes on one thread run one after another.
 */
class SecondCounter {
  private readonly dense: Uint32Array | null;
  private readonly sparse: Uint32Array | null;
  private readonly touched: number[] = [];
  private readonly rest = SecondTable.reused();
  private max = 0;

  constructor(horizonMs: number, occurrences: number) {
    const seconds = Math.ceil(horizonMs / 1000) + 1;
    this.dense = seconds <= MAX_DENSE_SECONDS && occurrences * DENSE_FILL >= seconds ? new Uint32Array(seconds) : null;
    let sparse: Uint32Array | null = null;
    if (this.dense === null && seconds <= MAX_REUSED_SECONDS) {
      if (reused.length < seconds) reused = new Uint32Array(seconds);
      else if (reusedDirty) reused.fill(0);
      reusedDirty = true;
      sparse = reused;
    }
    this.sparse = sparse;
  }

  bump(ms: number): void {
    const second = Math.floor(ms / 1000);
    let value: number;
    if (this.dense !== null && second < this.dense.length) {
      value = ++this.dense[second]!;
    } else if (this.sparse !== null && second < this.sparse.length) {
      if (this.sparse[second] === 0) this.touched.push(second);
      value = ++this.sparse[second]!;
    } else {
      value = this.rest.bump(second);
    }
    if (value > this.max) this.max = value;
  }

  /** The busiest second's count; clears what the pass wrote into the reused array. */
  peak(): number {
    if (this.sparse !== null) {
      for (const second of this.touched) this.sparse[second] = 0;
      this.touched.length = 0;
      reusedDirty = false;
    }
    return this.max;
  }
}

/**
 * Counts per whole second in an open-addressing table (linear probing, at most half full): the
 * sparse seconds of a years-long horizon without a map entry per second.
 */
class SecondTable {
  private static shared: SecondTable | null = null;
  private keys = new Float64Array(1024).fill(-1);
  private counts = new Uint32Array(1024);
  private size = 0;

  /** This thread's one table, emptied (it keeps the capacity an earlier pass grew it to). */
  static reused(): SecondTable {
    const table = (SecondTable.shared ??= new SecondTable());
    if (table.size > 0) {
      table.keys.fill(-1);
      table.counts.fill(0);
      table.size = 0;
    }
    return table;
  }

  /** Adds one to `second`'s count and returns the new count. */
  bump(second: number): number {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const i = this.slot(second);
    if (this.keys[i] !== second) {
      this.keys[i] = second;
      this.size++;
    }
    return ++this.counts[i]!;
  }

  private slot(second: number): number {
    const mask = this.keys.length - 1;
    let i = Math.imul(second | 0, 0x9e3779b1) & mask;
    while (this.keys[i] !== -1 && this.keys[i] !== second) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.counts = new Uint32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const j = this.slot(keys[i]!);
      this.keys[j] = keys[i]!;
      this.counts[j] = counts[i]!;
    }
  }
}

/** Nearest-rank p95 of a pass's request waits (a wait is one of the draws; no interpolation needed); 0 when nothing waited. */
function p95(waits: NumberBuffer): number {
  if (waits.length === 0) return 0;
  return select(waits.values.subarray(0, waits.length), Math.ceil(0.95 * waits.length) - 1);
}

/** The k-th smallest value (0-based) of `a`, reordering it in place (Hoare's quickselect, median of three). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot keeps sorted and constant inputs linear.
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i++] = a[j]!;
        a[j--] = tmp;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
