/**
 * Per-trial context shared by the reachability rules and the patterns: the model, the policy as
 * applied to each credential, the keyed workload (token timelines), and the trial's random streams.
 */
import type { Policy, Task } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import type { Rng } from '../lib/rng.js';
import type { Issuance, OccurrenceTokens } from '../workload/occurrence.js';
import type { OccurrenceCache } from '../workload/occurrence-cache.js';
import {
  OccurrenceScratch,
  lastOccurrenceAt,
  occurrenceCount,
  occurrenceStart,
  runOccurrence,
  occurrenceTokens,
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
  /** Detection draws. */
  readonly detectRng: Rng;
  /** Seed of keyed revocation-latency draws. */
  readonly detectSeed: number;
  readonly occurrences: OccurrenceCache;
}

/** How far back (in occurrences) a token lookup searches before giving up: bounds the work per look. */
const MAX_LOOKBACK = 64;

function occurrence(ctx: TrialContext, task: number, k: number): OccurrenceTokens {
  let occ = ctx.occurrences.get(task, k);
  if (occ === undefined) {
    occ = occurrenceTokens(ctx.model, ctx.policy, ctx.modes, ctx.costSeed, task, k);
    ctx.occurrences.set(task, k, occ);
  }
  return occ;
}

/**
 * The newest token minted from `cred` at or before `t` (its copies land at every holder), looking
 * only at tasks that ran before `cutoff` (an orphaned agent stops receiving copies when retired).
 */
export function newestToken(ctx: TrialContext, cred: number, t: number, cutoff = Number.POSITIVE_INFINITY): Issuance | null {
  const { credTasks } = ctx.model;
  const until = Math.min(t, cutoff);
  const horizon = ctx.model.scenario.horizonMs;
  let best: Issuance | null = null;
  for (let i = credTasks.off[cred]!; i < credTasks.off[cred + 1]!; i++) {
    const taskIndex = credTasks.to[i]!;
    const task = ctx.model.scenario.workload[taskIndex]!;
    const last = Math.min(lastOccurrenceAt(task, until), occurrenceCount(task, horizon) - 1);
    // The task's own newest token: each task is searched on its own, so the answer never depends on
    // the order in which tasks are listed (S2).
    let own: Issuance | null = null;
    for (let k = last; k >= 0 && k > last - MAX_LOOKBACK; k--) {
      const occ = occurrence(ctx, taskIndex, k);
      for (const token of occ.issuances) {
        if (token.cred === cred && token.mintAt <= until && (own === null || newer(ctx, token, own))) own = token;
      }
      // An occurrence that ran to completion before the newest token so far: the older ones started
      // an interval earlier with the same steps, so they ended earlier too. (One that failed or timed
      // out may have stopped early while an older one, still running, re-minted later.)
      if (own !== null && occ.status === 'completed' && occ.end < own.mintAt) break;
    }
    if (own !== null && (best === null || newer(ctx, own, best))) best = own;
  }
  return best;
}

/**
 * Whether `a` is newer than `b` (R6): minted later; of tokens minted at the same instant (tasks that
 * start together), the one that lives longer, then an order by what each is (its task, step and
 * requester), never by where the tasks are listed (S2; by index only if two task hashes collide).
 */
function newer(ctx: TrialContext, a: Issuance, b: Issuance): boolean {
  if (a.mintAt !== b.mintAt) return a.mintAt > b.mintAt;
  if (a.deadAt !== b.deadAt) return a.deadAt > b.deadAt;
  const { taskHash, idHash } = ctx.model;
  if (a.task !== b.task) return taskHash[a.task]! !== taskHash[b.task]! ? taskHash[a.task]! < taskHash[b.task]! : a.task < b.task;
  if (a.step !== b.step) return a.step < b.step;
  return idHash[a.actor]! < idHash[b.actor]!;
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
      const known = ctx.occurrences.get(taskIndex, k);
      if (known !== undefined) {
        for (const token of known.issuances) {
          if (token.cred === cred && token.mintAt >= from && token.mintAt < to)
            visit(token.mintAt, token.deadAt, token.actor, principal, taskIndex);
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
      for (const token of occurrence(ctx, taskIndex, k).issuances) {
        if (token.cred === cred && token.mintAt > t && token.mintAt < next) next = token.mintAt;
      }
    }
    // Nothing minted in the window (failed issuances): later tokens start no sooner than the next occurrence.
    const after = latest + NEXT_MINT_WINDOW;
    if (after < count) next = Math.min(next, occurrenceStart(task, after));
  }
  return next;
}
