/**
 * Per-trial context shared by the reachability rules and the patterns: the model, the policy as
 * applied to each credential, the keyed workload (token timelines), and the trial's random streams.
 */
import type { Policy, Task } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import type { Rng } from '../lib/rng.js';
import type { OccurrenceCache } from '../workload/occurrence-cache.js';
import {
  OccurrenceScratch,
  lastOccurrenceAt,
  occurrenceCount,
  occurrenceStart,
  runOccurrence,
  taskPlan,
} from '../workload/occurrence.js';

/** Everything one trial's attack needs. */
export interface TrialContext {
  readonly model: CompiledModel;
  readonly policy: Policy;
  readonly modes: CredentialModes;
  /** Seed of the keyed workload draws (shared with the cost metrics of the same trial). */
  readonly costSeed: number;
  /** Foothold timing draws (a pattern's leak-to-use delays), in a fixed order. */
  readonly rng: Rng;
  /** Seed of the hop delays, keyed by the moment of the hop (S2): how many events the engine takes never shifts them. */
  readonly hopSeed: number;
  /** Seed of keyed revocation-latency draws. */
  readonly detectSeed: number;
  readonly occurrences: OccurrenceCache;
}

/** How far back (in occurrences) a token lookup searches before giving up: bounds the work per look. */
const MAX_LOOKBACK = 64;

/** The cache row of occurrence `k` of task `task`, replayed into the cache on first use. */
function occurrence(ctx: TrialContext, task: number, k: number): number {
  const cache = ctx.occurrences;
  const row = cache.row(task, k);
  if (row >= 0) return row;
  const { model, policy, modes, costSeed } = ctx;
  runOccurrence(model, policy, taskPlan(model, policy, modes, task), costSeed, task, k, fill);
  return cache.add(task, k, fill);
}

/** The scratch occurrences are replayed into before the cache keeps them (not forEachToken's). */
const fill = new OccurrenceScratch();

/**
 * The newest token minted from `cred` at or before `t` (its copies land at every holder), looking
 * only at tasks that ran before `cutoff` (an orphaned agent stops receiving copies when retired): its
 * entry in the trial's occurrence cache (`ctx.occurrences`), or -1 when there is none.
 */
export function newestToken(ctx: TrialContext, cred: number, t: number, cutoff = Number.POSITIVE_INFINITY): number {
  const { credTasks } = ctx.model;
  const cache = ctx.occurrences;
  const until = Math.min(t, cutoff);
  const horizon = ctx.model.scenario.horizonMs;
  let best = -1;
  for (let i = credTasks.off[cred]!; i < credTasks.off[cred + 1]!; i++) {
    const taskIndex = credTasks.to[i]!;
    const task = ctx.model.scenario.workload[taskIndex]!;
    const last = Math.min(lastOccurrenceAt(task, until), occurrenceCount(task, horizon) - 1);
    // The task's own newest token: each task is searched on its own, so the answer never depends on
    // the order in which tasks are listed (S2).
    let own = -1;
    for (let k = last; k >= 0 && k > last - MAX_LOOKBACK; k--) {
      const row = occurrence(ctx, taskIndex, k);
      const first = cache.first[row]!;
      for (let j = first; j < first + cache.count[row]!; j++) {
        if (cache.cred[j] === cred && cache.mintAt[j]! <= until && (own < 0 || newer(ctx, j, own))) own = j;
      }
      // An occurrence that ran to completion before the newest token so far: the older ones started
      // an interval earlier with the same steps, so they ended earlier too. (One that failed or timed
      // out may have stopped early while an older one, still running, re-minted later.)
      if (own >= 0 && cache.completed[row] === 1 && cache.end[row]! < cache.mintAt[own]!) break;
    }
    if (own >= 0 && (best < 0 || newer(ctx, own, best))) best = own;
  }
  return best;
}

/**
 * Whether token `a` is newer than token `b` (entries of the trial's occurrence cache; R6): minted
 * later; of tokens minted at the same instant (tasks that start together), the one that lives longer,
 * then an order by what each is (its task, step and requester), never by where the tasks are listed
 * (S2; by index only if two task hashes collide).
 */
function newer(ctx: TrialContext, a: number, b: number): boolean {
  const { mintAt, deadAt, task, step, actor } = ctx.occurrences;
  if (mintAt[a] !== mintAt[b]) return mintAt[a]! > mintAt[b]!;
  if (deadAt[a] !== deadAt[b]) return deadAt[a]! > deadAt[b]!;
  const { taskHash, idHash } = ctx.model;
  const ta = task[a]!;
  const tb = task[b]!;
  if (ta !== tb) return taskHash[ta]! !== taskHash[tb]! ? taskHash[ta]! < taskHash[tb]! : ta < tb;
  if (step[a] !== step[b]) return step[a]! < step[b]!;
  return idHash[actor[a]!]! < idHash[actor[b]!]!;
}

/** Receives one token: when it was minted and dies, the workload that requested it, whose task it serves. */
export type TokenVisitor = (mintAt: number, deadAt: number, actor: number, principal: number, task: number) => void;

/** The scratch forEachToken replays occurrences into (calls are synchronous: one at a time). */
const sweep = new OccurrenceScratch();

/**
 * Calls `visit` with every token of `cred` minted in [from, to), task by task, in occurrence order.
 * Occurrences the trial has not looked up are replayed into a scratch, not kept: a sweep over a
 * month of copies allocates no object per occurrence or token.
 */
export function forEachToken(ctx: TrialContext, cred: number, from: number, to: number, visit: TokenVisitor): void {
  const { credTasks } = ctx.model;
  const cache = ctx.occurrences;
  const horizon = ctx.model.scenario.horizonMs;
  for (let i = credTasks.off[cred]!; i < credTasks.off[cred + 1]!; i++) {
    const taskIndex = credTasks.to[i]!;
    const task = ctx.model.scenario.workload[taskIndex]!;
    const principal = ctx.model.taskAgent[taskIndex]!;
    const count = occurrenceCount(task, horizon);
    const plan = taskPlan(ctx.model, ctx.policy, ctx.modes, taskIndex);
    // Occurrences that started before `from` may still mint after it (re-authorisation mid-task).
    const first = Math.max(0, lastOccurrenceAt(task, from) - overlapping(task));
    for (let k = first; k < count && occurrenceStart(task, k) < to; k++) {
      const row = cache.row(taskIndex, k);
      if (row >= 0) {
        const firstToken = cache.first[row]!;
        for (let j = firstToken; j < firstToken + cache.count[row]!; j++) {
          const mintAt = cache.mintAt[j]!;
          if (cache.cred[j] === cred && mintAt >= from && mintAt < to)
            visit(mintAt, cache.deadAt[j]!, cache.actor[j]!, principal, taskIndex);
        }
        continue;
      }
      runOccurrence(ctx.model, ctx.policy, plan, ctx.costSeed, taskIndex, k, sweep);
      for (let j = 0; j < sweep.count; j++) {
        const mintAt = sweep.mintAt[j]!;
        if (sweep.cred[j] === cred && mintAt >= from && mintAt < to)
          visit(mintAt, sweep.deadAt[j]!, sweep.actor[j]!, principal, taskIndex);
      }
    }
  }
}

/** How many occurrences before the latest one to start may still be running (and re-minting). */
function overlapping(task: Task): number {
  return Number.isFinite(task.everyMs) ? Math.ceil(task.durationMs / task.everyMs) + 1 : 1;
}

/** Occurrences per task that nextMint looks at before settling for a lower bound. */
const NEXT_MINT_WINDOW = 3;

/** The first moment after `t` at which a new token of `cred` is minted (Infinity if none before the horizon); a lower bound when the next occurrences mint nothing. */
export function nextMint(ctx: TrialContext, cred: number, t: number): number {
  const { credTasks } = ctx.model;
  const horizon = ctx.model.scenario.horizonMs;
  let next = Number.POSITIVE_INFINITY;
  for (let i = credTasks.off[cred]!; i < credTasks.off[cred + 1]!; i++) {
    const taskIndex = credTasks.to[i]!;
    const task = ctx.model.scenario.workload[taskIndex]!;
    const count = occurrenceCount(task, horizon);
    const latest = Math.max(0, lastOccurrenceAt(task, t));
    // Occurrences that started earlier may still be running and re-mint (re-authorisation) after `t`.
    // An occurrence mints at or after its start and by its end, which is no later than its timeout:
    // one that starts at or after the best so far, or times out by `t`, cannot change the answer.
    for (let k = Math.max(0, latest - overlapping(task)); k < count && k < latest + NEXT_MINT_WINDOW; k++) {
      const start = occurrenceStart(task, k);
      if (start >= next) break;
      if (start + task.timeoutMs <= t) continue;
      const row = occurrence(ctx, taskIndex, k);
      const cache = ctx.occurrences;
      const first = cache.first[row]!;
      for (let j = first; j < first + cache.count[row]!; j++) {
        const mintAt = cache.mintAt[j]!;
        if (cache.cred[j] === cred && mintAt > t && mintAt < next) next = mintAt;
      }
    }
    // Nothing minted in the window (failed issuances): later tokens start no sooner than the next occurrence.
    const after = latest + NEXT_MINT_WINDOW;
    if (after < count) next = Math.min(next, occurrenceStart(task, after));
  }
  return next;
}
