/**
 * S9 quiet streams (docs/semantics-engine.md): token copies that keep landing where the attacker
 * looks but can change nothing — covered by a held mint capability, or bound to another workload
 * once a bound copy has made its attempts — wake nothing; their spans are added at the end of the
 * trial (streamSpans), each copy read as it lands while the attacker still looks there. Covered
 * streams (coveredChange): copies a held copy covers across what cannot matter (coversAcross) wake
 * nothing while that cover surely lasts, and have no span of their own.
 */
import { boundToRequester, brokerFor } from '../policy/modes.js';
import { forEachToken, newestToken, nextMint } from './context.js';
import { controlActive, controlAllows, controlEnd, sureControlUntil } from './control.js';
import type { Control } from './control.js';
import { deadEverywhere, deadOn, keyOf, revokedBy } from './detection.js';
import { mintEnd } from './exchange.js';
import { blankInstance, coversAcross, scopeCovers } from './instances.js';
import type { Instance, MutableInstance } from './instances.js';
import { nextChange, tokenScope } from './material.js';
import type { AttackerState, LiveFeed } from './state.js';
import { NO_END, SpanRun, spanAt } from './windows.js';
import type { Span } from './windows.js';

/** Kinds of task minting the copies that land at a controlled node. */
const QUIET_COVERED = 1;
const QUIET_BLOCKED = 2;
const QUIET_OPEN = 4;

/**
 * S9 quiet copies: the earliest moment after `t` a credential held at controlled node `c.node` can
 * show something new, skipping quiet credentials (Infinity when none can).
 */
export function lookControlled(s: AttackerState, c: Control, t: number): number {
  const node = c.node;
  const { holds } = s.model;
  let wake = Number.POSITIVE_INFINITY;
  for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
    const cred = holds.to[k]!;
    if (t >= deadEverywhere(s, cred)) continue;
    if (quiet(s, node, cred, c.depth)) continue;
    wake = Math.min(wake, coveredChange(s, node, cred, t, c.depth, true));
  }
  return wake;
}

/**
 * S9 covered streams at a watched holder: coveredChange for the copies its readers read there as
 * nobody, at one hop past the shallowest reader (a new reader comes only at an event, which looks
 * again). A holder read by a tool acting for the attacker wakes at every change.
 */
export function watchedChange(s: AttackerState, node: number, cred: number, t: number): number {
  const readers = s.readersOf.get(node);
  if (readers === undefined) return nextChange(s, cred, t);
  // Readers are only ever added: the fewest hops is kept up to date as they come.
  let known = s.readerDepth.get(node);
  if (known === undefined) s.readerDepth.set(node, (known = { seen: 0, depth: Number.POSITIVE_INFINITY, tool: false }));
  for (; known.seen < readers.length; known.seen++) {
    const inst = readers[known.seen]!.inst;
    if (!inst.material) known.tool = true;
    known.depth = Math.min(known.depth, inst.depth + 1);
  }
  return known.tool ? nextChange(s, cred, t) : coveredChange(s, node, cred, t, known.depth, false);
}

/** A copy as materialAt would read it, for coversAcross (only the fields it looks at are set). */
const probe: MutableInstance = blankInstance(); // not spread: a spread object gets a hidden class of its own
probe.managed = true;

/**
 * S9 covered streams: the next moment a token copy of `cred` landing at `node` can be new to the
 * attacker, read there as the node (`asNode`, at the control's depth) or as nobody by its readers (at
 * `depth` hops or more). A held copy that lasts for good and covers every copy any task can mint
 * there (coversAcross: a mint capability the node's control gives, say) leaves only copies that may
 * outlive the control that copy lasts with (sureControlUntil): those minted within a token's lifetime
 * of that bound. Otherwise the credential's next change (nextChange).
 */
export function coveredChange(s: AttackerState, node: number, cred: number, t: number, depth: number, asNode: boolean): number {
  const next = nextChange(s, cred, t);
  if (next === Number.POSITIVE_INFINITY || s.modes.ephemeral[cred] !== 1) return next;
  const bound = coveredUntil(s, node, cred, depth, asNode);
  if (bound === Number.POSITIVE_INFINITY) return bound;
  const from = bound - brokerFor(s.policy).ttlMs;
  // Asked of nextMint itself: nextChange's cache answers later questions only (an answer for `from`
  // would hide, from every other holder of the credential, the mints between now and then).
  return from <= t ? next : nextMint(s.ctx, cred, from);
}

/** The moment up to which every copy of `cred` read at `node` from now on is covered by a held copy (−Infinity: none is). */
function coveredUntil(s: AttackerState, node: number, cred: number, depth: number, asNode: boolean): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const i of s.heldByCred.get(cred) ?? []) {
    const h = s.held[i]!;
    if (h.until !== Number.POSITIVE_INFINITY || h.usableFrom > s.now || !coversEveryTask(s, h, node, cred, depth, asNode))
      continue;
    // The copies read as the node last with its control, as `h` does when it is the node's.
    const bound =
      h.controlOf < 0 || (asNode && h.controlOf === node) ? Number.POSITIVE_INFINITY : sureControlUntil(s, h.controlOf, s.now);
    if (bound > best) best = bound;
  }
  return best;
}

/**
 * Whether `h` covers the copy of `cred` each task minting it could leave at `node`, control aside. A
 * task's scope for the credential holds each of its steps' (model.taskCredPairs), so covering it
 * covers the step-scoped copies too.
 */
function coversEveryTask(s: AttackerState, h: Instance, node: number, cred: number, depth: number, asNode: boolean): boolean {
  const { model, ctx } = s;
  probe.cred = cred;
  probe.obtainedAt = probe.usableFrom = s.now;
  probe.actingAs = asNode ? node : -1;
  probe.controlOf = h.controlOf; // control is bounded apart (coveredUntil)
  probe.depth = depth;
  for (let i = model.credTasks.off[cred]!; i < model.credTasks.off[cred + 1]!; i++) {
    const task = model.credTasks.to[i]!;
    probe.principal = model.taskAgent[task]!;
    probe.scope = tokenScope(ctx, task, -1, cred);
    if (!coversAcross(s, h, probe)) return false;
  }
  return true;
}

/**
 * S9 quiet copies: a new token copy of `cred` at controlled `node` changes nothing when every task
 * minting it is covered (the node's own steps, under a held mint capability of the node that covers
 * their scope) or blocked (bound to another workload) and a blocked copy has already made its
 * attempts at this depth. Such a credential wakes nothing; the spans of its blocked copies — each
 * read as it lands while the node is controlled — are added at the end (streamSpans).
 */
export function quiet(s: AttackerState, node: number, cred: number, depth: number): boolean {
  const { model, policy } = s;
  if (s.modes.ephemeral[cred] !== 1) return false;
  const id = node * s.nodeCount + cred;
  let kinds = s.copyKinds.get(id);
  if (kinds === undefined) {
    kinds = 0;
    const broker = brokerFor(policy);
    for (let i = model.credTasks.off[cred]!; i < model.credTasks.off[cred + 1]!; i++) {
      const task = model.credTasks.to[i]!;
      const agent = model.taskAgent[task]!;
      for (const step of model.scenario.workload[task]!.steps) {
        if (model.indexOf.get(step.credential) !== cred) continue;
        const actor = step.via === null ? agent : model.indexOf.get(step.via)!;
        if (boundToRequester(model, broker, agent, actor) && actor !== node) kinds |= QUIET_BLOCKED;
        else if (agent === node && actor === node) kinds |= QUIET_COVERED;
        else kinds |= QUIET_OPEN;
      }
    }
    s.copyKinds.set(id, kinds);
  }
  if ((kinds & QUIET_OPEN) !== 0 || kinds === 0) return false;
  if ((kinds & QUIET_BLOCKED) !== 0 && !((s.blockedDepth.get(cred) ?? Number.POSITIVE_INFINITY) <= depth)) return false;
  if ((kinds & QUIET_COVERED) !== 0 && !coveredByCapability(s, node, cred, depth)) return false;
  if ((kinds & QUIET_BLOCKED) !== 0 && !s.streams.has(id)) s.streams.set(id, s.now);
  return true;
}

/** A held mint capability of `node` for `cred` (R6) that covers every task-level scope of the node's own copies. */
function coveredByCapability(s: AttackerState, node: number, cred: number, depth: number): boolean {
  const model = s.model;
  for (const i of s.heldByCred.get(cred) ?? []) {
    const cap = s.held[i]!;
    if (cap.until !== Number.POSITIVE_INFINITY || cap.controlOf !== node || cap.actingAs !== node || cap.principal !== node)
      continue;
    if (!cap.managed || !cap.material || cap.boundTo >= 0 || cap.via !== null || cap.created === true || cap.depth > depth)
      continue;
    let all = true;
    for (let i2 = model.credTasks.off[cred]!; i2 < model.credTasks.off[cred + 1]! && all; i2++) {
      const task = model.credTasks.to[i2]!;
      if (model.taskAgent[task] === node) all = scopeCovers(cap.scope, tokenScope(s.ctx, task, -1, cred));
    }
    if (all) return true;
  }
  return false;
}

/**
 * S9 watched streams: every copy of `cred` landing at read holder `node` is bound to a workload (a
 * reader, acting as nobody, is denied every use), and one such copy has made its attempts. Its later
 * copies wake nothing; their spans are added at the end (each read as it lands while a reader still
 * reads the holder, usable one keyed hop delay later).
 */
export function quietWatched(s: AttackerState, node: number, cred: number): boolean {
  const id = node * s.nodeCount + cred;
  if (s.watchStreams.has(id)) return true;
  if (!everyCopyBlocked(s, cred, s.readDepth[node]!)) return false;
  const readers = s.readersOf.get(node);
  if (readers !== undefined) for (const r of readers) if (!r.inst.material) return false; // read by a tool acting for the attacker
  s.watchStreams.set(id, s.now);
  return true;
}

/**
 * S9 quiet feeds: every copy of a live leak source's credential (E2), read as nobody, is bound to a
 * workload, and a bound copy has made its attempts at depth 0 (where feed copies are read). Its later
 * copies wake nothing; their spans are added at the end (each read as it lands, usable at once).
 */
export function quietFeed(s: AttackerState, feed: LiveFeed): boolean {
  const id = feed.holder * s.nodeCount + feed.cred;
  if (s.feedStreams.has(id)) return true;
  if (!everyCopyBlocked(s, feed.cred, 0)) return false;
  s.feedStreams.set(id, s.now);
  return true;
}

/**
 * Whether every token copy of `cred` read as nobody at `depth` hops is denied and adds no attempt: the
 * broker binds tokens, every task minting it runs as workload identities (so every copy is bound to
 * one), and a bound copy has made its attempts at this depth or fewer.
 */
function everyCopyBlocked(s: AttackerState, cred: number, depth: number): boolean {
  const model = s.model;
  if (s.modes.ephemeral[cred] !== 1 || !brokerFor(s.policy).bindToWorkload) return false;
  if (!((s.blockedDepth.get(cred) ?? Number.POSITIVE_INFINITY) <= depth)) return false;
  for (let i = model.credTasks.off[cred]!; i < model.credTasks.off[cred + 1]!; i++) {
    const task = model.credTasks.to[i]!;
    const agent = model.taskAgent[task]!;
    if (model.isWorkloadIdentity[agent] !== 1) return false;
    for (const step of model.scenario.workload[task]!.steps) {
      if (model.indexOf.get(step.credential) !== cred) continue;
      if (model.isWorkloadIdentity[step.via === null ? agent : model.indexOf.get(step.via)!] !== 1) return false;
    }
  }
  return true;
}

/**
 * S9 idle holders: a bound past which no instance that has read watched holder `node` (its readers,
 * readersOf) can read it again: the latest of their natural ends, or one past their revocation there
 * (S1), whichever comes first for each. After it the holder's changes show the attacker nothing.
 * Readers are only ever added, so the bound is extended as they come, and recomputed when a
 * revocation (or a control, `endsRevision`) moves.
 */
export function readersEnd(s: AttackerState, node: number): number {
  const list = s.readersOf.get(node);
  if (list === undefined) return Number.NEGATIVE_INFINITY;
  let bound = s.readersEnd.get(node);
  if (bound === undefined || bound.revision !== s.endsRevision) {
    bound = { revision: s.endsRevision, seen: 0, until: Number.NEGATIVE_INFINITY };
    s.readersEnd.set(node, bound);
  }
  for (; bound.seen < list.length; bound.seen++) {
    const inst = list[bound.seen]!.inst;
    bound.until = Math.max(bound.until, Math.min(inst.until, deadOn(s, keyOf(s, inst), node) + 1));
  }
  return bound.until;
}

/**
 * The readers of a watched holder, asked in time order whether one reads it at `m` (usable, not
 * revoked there, used before). `from` and `until` bound the moments any of them can: a sweep need not
 * look outside them. The reader that answered last is asked first (copies of a stream land in time
 * order, and one reader usually covers a run of them).
 */
class Readers {
  readonly from: number;
  readonly until: number;
  private last = 0;

  constructor(
    private readonly s: AttackerState,
    private readonly node: number,
    private readonly list: readonly { readonly inst: Instance; readonly from: number }[],
  ) {
    let from = Number.POSITIVE_INFINITY;
    let until = Number.NEGATIVE_INFINITY;
    for (const { inst, from: since } of list) {
      // S1: an action at the revocation instant itself may still be made, so the bound is one past it.
      const revoked = deadOn(s, keyOf(s, inst), node) + 1;
      const end = Math.min(inst.until, revoked, inst.via === null ? Number.POSITIVE_INFINITY : mintEnd(s, inst).actual);
      from = Math.min(from, Math.max(since, inst.usableFrom));
      until = Math.max(until, end);
    }
    this.from = from;
    this.until = until;
  }

  readAt(m: number): boolean {
    const { s, node, list } = this;
    for (let n = 0; n < list.length; n++) {
      const i = (this.last + n) % list.length;
      const { inst, from } = list[i]!;
      if (from > m || inst.usableFrom > m || m >= inst.until || !controlAllows(s, inst, m)) continue;
      if (inst.via !== null && m >= mintEnd(s, inst).actual) continue;
      if (revokedBy(s, keyOf(s, inst), node, m)) continue;
      this.last = i;
      return true;
    }
    return false;
  }
}

/** S9: whether `m` falls strictly inside a wait for a hop (AttackerState.hopWaits), when the attacker reads nothing. */
function waitingForHop(s: AttackerState, m: number): boolean {
  const waits = s.hopWaits;
  // The last wait starting before m (starts increase).
  let lo = 0;
  let hi = waits.length / 2 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (waits[2 * mid]! < m) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && m < waits[2 * found + 1]!;
}

/** S9, at the end of the trial: the exposure spans of the copies of watched, fed and controlled quiet streams. */
export function streamSpans(s: AttackerState, exposureSpans: Span[]): void {
  const { model, policy, ctx, nodeCount, horizon } = s;
  const run = new SpanRun(exposureSpans);
  for (const [id, start] of s.watchStreams) {
    const node = Math.floor(id / nodeCount);
    const cred = id - node * nodeCount;
    // Each copy as a reader, acting as nobody, obtained it: revoked with its credential (S5, S7).
    const revoked = deadEverywhere(s, cred);
    const readers = new Readers(s, node, s.readersOf.get(node) ?? []);
    const until = Math.min(horizon, readers.until);
    forEachToken(ctx, cred, Math.max(start, readers.from), until, (mintAt, deadAt) => {
      if (mintAt <= start || deadAt <= mintAt || waitingForHop(s, mintAt) || !readers.readAt(mintAt)) return;
      // Read by the event at its landing: usable when that event's hop delay has passed.
      run.add(spanAt(s, s.nextHopAt(mintAt), deadAt, revoked, NO_END));
    });
    run.flush();
    // Copies that landed while a hop was awaited: the hop reads the newest one there, if it lives.
    const waits = s.hopWaits;
    for (let i = 0; i < waits.length; i += 2) {
      const hop = waits[i + 1]!;
      if (hop <= start || hop >= until) continue;
      const token = newestToken(ctx, cred, hop);
      if (token < 0) continue;
      const mintAt = ctx.occurrences.mintAt[token]!;
      const deadAt = ctx.occurrences.deadAt[token]!;
      if (mintAt <= Math.max(start, waits[i]!) || mintAt >= hop || deadAt <= hop) continue;
      if (readers.readAt(hop)) run.add(spanAt(s, s.nextHopAt(hop), deadAt, revoked, NO_END));
    }
    run.flush();
  }
  // The copies of quiet feeds, each read as it landed (not while a hop was awaited: the hop read the
  // newest, held already), usable at once, as nobody: bound elsewhere, exposure only.
  for (const [id, start] of s.feedStreams) {
    const cred = id % nodeCount;
    const revoked = deadEverywhere(s, cred);
    forEachToken(ctx, cred, start, horizon, (mintAt, deadAt) => {
      if (mintAt <= start || deadAt <= mintAt || waitingForHop(s, mintAt)) return;
      run.add(spanAt(s, mintAt, deadAt, revoked, NO_END));
    });
    run.flush();
  }
  // The blocked copies of quiet streams, each read as it landed while its node was controlled: they
  // last with that control.
  for (const [id, start] of s.streams) {
    const node = Math.floor(id / nodeCount);
    const cred = id - node * nodeCount;
    const c = s.controls.get(node)!;
    const revoked = deadEverywhere(s, cred);
    const end = controlEnd(s, node)!;
    const broker = brokerFor(policy); // a quiet stream is of a broker-managed credential
    // Control is active at most up to its actual end (at that instant itself too, S1).
    forEachToken(ctx, cred, start, Math.min(horizon, end.actual + 1), (mintAt, deadAt, actor, principal) => {
      // Read at `start` by the event that made the stream quiet; while a hop is awaited, by the hop
      // (the newest copy then, as the node: held already).
      if (mintAt <= start || waitingForHop(s, mintAt)) return;
      const bound = boundToRequester(model, broker, principal, actor);
      if (!bound || actor === node || deadAt <= mintAt || !controlActive(s, c, mintAt)) return;
      run.add(spanAt(s, mintAt, deadAt, revoked, end));
    });
    run.flush();
  }
}
