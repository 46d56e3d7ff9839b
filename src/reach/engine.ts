/**
 * The attacker's reachability over time: SPEC §1 and §4, as fixed in docs/DESIGN.md §2.3.
 *
 * R1 Control of a node = acting as it: using every credential it holds that is valid at that moment,
 *    and invoking what it invokes. A pattern's foothold is controlled from its start time.
 * R2 Using a valid credential instance on `grants c→x` attempts every granted action (restricted by
 *    the pattern, e.g. intent-drift's targets); each succeeds when the instance's scope covers it and
 *    the broker allows it (R7). A success marks x reached with that action.
 * R3 Any action (read, write or admin — "read or more") on a node that holds credentials exposes them:
 *    the attacker obtains the material present there at that moment (R6).
 * R4 admin on a node gives control of it, for as long as the credential that gave it stays valid.
 * R5 Invoking a tool (from a controlled node; tools it invokes follow one hop later) performs the
 *    tool's own credentials' grants within what the broker allows the chain's principal, but exposes
 *    no material unless the tool itself is controlled (R1).
 * R6 Material: standing → the current version (valid to the next rotation). Broker-managed at a node
 *    that is the workload using it (an agent's own steps, or a tool its steps go via) and that the
 *    attacker controls → fresh tokens on demand within that workload's declared requests. Broker-
 *    managed elsewhere → the newest token copy there (valid to its expiry or revocation; may be dead).
 * R7 Broker: issuance and exchanges are checked against the requester's declared intent (a request
 *    outside it is denied). Use of a live token is re-checked when `reevaluate` is `every-step`, or
 *    `privileged` and the action is write/admin. A token bound to a workload is rejected when replayed
 *    by anyone else.
 * R8 `assumes c1→c2`: a valid instance of c1 yields c2 — standing c2: its current version; managed c2:
 *    a token minted now (role scope or the principal's declared pairs, lifetime ttl) if R7 allows.
 * R9 Detection: each attempted action (success or denial) is noticed with `detection.probability`
 *    after `detection.delay`; the credential involved is then revoked on each target x from
 *    `detection + revocationLatency(env(x))` for the rest of the trial; control that depended on it is
 *    lost with it.
 *
 * Controls (docs/controls.md, src/sim/controls.ts): C1 `scope: role` mints on request with no intent
 *    check (R5, R6, R8); C2 standing instances take standingScope; C3 R5 checks a tool's request against
 *    requestPrincipal; C4 a gated action may be refused by the approver (R2). Every resource success is
 *    also kept before the count filter (`touched`) for records_exfiltrated (C5).
 *
 * Time: hop 1 happens at the foothold time; material and control gained at one hop are used one
 * `hopDelay` later. When a hop gains nothing new the attacker waits for the next moment something can
 * change (a token copy lands where the attacker looks, a standing secret rotates) and looks again.
 * Hop numbers are chain depths (credential uses and invocations from the foothold), not round counts.
 *
 * Added by docs/semantics-engine.md (each stated there once, cited here by number): E1 `runs` edges,
 * E2 live leak sources, E3 minting credentials and bound minted tokens, E4 declared exchanges, E5
 * persistence through `issues` edges, E7 recorded detection; S1 simultaneity, S2 order-free draws,
 * S3 revocation latency by the target's environment, S4 control with several credentials, S5
 * containment, S6 max_hops, S7 exposure and access windows, S8 trace codes, S9 quiet streams, S10
 * static replay (replay.ts).
 *
 * Layout (rules as units, #10): this file keeps the event loop (`expand`) and the public exports; the
 * attacker state is an explicit object (state.ts, built once per trial over the thread's workspace,
 * workspace.ts) and each rule group is a module of functions of that state: instances.ts (holding,
 * covers/dominance, harvest), material.ts (R3, R6, E2), use.ts (R2–R4, R7, C4, C5, E1, E5, S6),
 * tools.ts (R5, C3), exchange.ts (R8, E3, E4), detection.ts (R9, S1–S3, E7, skip lines), control.ts
 * (R4, S4), streams.ts (S9), windows.ts (S5, S7) and trace.ts (S8 codes).
 */
import type { Distribution } from '../domain/scenario.js';
import { EventHeap, type HeapItem } from '../lib/heap.js';
import { boundToRequester, brokerFor, standingEnd } from '../policy/modes.js';
import type { TrialContext } from './context.js';
import { newestToken } from './context.js';
import { addControl, controlActive, controlAllows } from './control.js';
import { standingScope } from './controls.js';
import { deadEverywhere } from './detection.js';
import { exchange, mintEnd } from './exchange.js';
import { addInstance } from './instances.js';
import type { Instance } from './instances.js';
import { firstUserOf, materialAt, nextChange, readControlled, stepScope, tokenScope } from './material.js';
import { AttackerState } from './state.js';
import type { Foothold, LiveFeed } from './state.js';
import { lookControlled, quietFeed, quietWatched, readersEnd, streamSpans, watchedChange } from './streams.js';
import { invokeAll } from './tools.js';
import type { TraceEvent } from './trace.js';
import { replayed, replaysPolicy } from './replay.js';
import { useAll } from './use.js';
import { containedAt, heldSpans, unionLength } from './windows.js';
import type { Span } from './windows.js';

export type { Instance } from './instances.js';
export type { Foothold, LiveFeed } from './state.js';
export { REASON_CODES } from './trace.js';
export type { ReasonCode, TraceEvent } from './trace.js';
export { stepScope };

/** The attack's outcome: the raw facts the risk metrics are computed from. */
export interface ReachResult {
  /** resource node → actions that succeeded (after countFilter). */
  readonly reached: ReadonlyMap<number, number>;
  readonly credentialsHarvested: number;
  /** The credentials harvested (held while valid, used or not): credentialsHarvested is its size. */
  readonly harvested: ReadonlySet<number>;
  readonly maxHops: number;
  readonly exposureWindowMs: number;
  /** Time during which the attacker could act on at least one resource by any means (SPEC §5). */
  readonly accessWindowMs: number;
  readonly firstAccessMs: number | null;
  readonly containmentMs: number | null;
  /** resource node → actions that succeeded, before countFilter (in-intent ones included). */
  readonly touched: ReadonlyMap<number, number>;
  /** Engine events processed (hops, wake-ups, detections). */
  readonly events: number;
  /**
   * Attacker steps evaluated inside those events: each action tried with an instance (allowed or
   * denied), each read of a holder's material, each exchange and tool credential use. A hop batches
   * all of its steps into one heap event; an engine with one heap event per step would have this many.
   */
  readonly steps: number;
}

const MAX_ROUNDS = 100_000;

/** An engine event: a hop, a wake-up, or a detection (ordered by time, then this priority, then insertion). */
interface EngineEvent extends HeapItem {
  readonly type: 'detect' | 'hop' | 'wake';
  readonly cred: number;
}
const PRIORITY: Readonly<Record<EngineEvent['type'], number>> = { detect: 0, hop: 1, wake: 2 };

/** Runs the expansion from a foothold until the horizon, the hop limit or nothing left to try. */
export function expand(
  ctx: TrialContext,
  foothold: Foothold,
  hopDelay: Distribution,
  maxHops: number,
  trace?: (event: TraceEvent) => void,
  /** false: none of the S9 shortcuts and no S10 replay (the reference the properties compare them with). */
  shortcuts = true,
): ReachResult {
  if (trace === undefined && shortcuts)
    return replayed(ctx, foothold, hopDelay, maxHops, (record) => run(ctx, foothold, hopDelay, maxHops, undefined, true, record));
  return run(ctx, foothold, hopDelay, maxHops, trace, shortcuts);
}

/** What one expansion did, as S10 replay needs it (replay.ts): its events, how it ended, its windows' spans. */
export interface Recording {
  /** Event times, in order; `onlyHops` false when any event was a wake-up or a detection. */
  readonly times: number[];
  onlyHops: boolean;
  /** Whether the loop ended because nothing was left to do (not at the horizon or the round limit). */
  drained: boolean;
  /** nextHopAt of the last event. */
  lastNextHop: number;
  exposure: Span[];
  access: Span[];
  /** The earliest counted resource success (absolute time). */
  firstAccess: number | null;
}

/** The event loop (see the file comment); `record` collects what S10 replay needs. */
function run(
  ctx: TrialContext,
  foothold: Foothold,
  hopDelay: Distribution,
  maxHops: number,
  trace: ((event: TraceEvent) => void) | undefined,
  shortcuts: boolean,
  record?: Recording,
): ReachResult {
  const s = new AttackerState(ctx, foothold, hopDelay, maxHops, trace);
  const { horizon, nodeCount } = s;
  // S9 inert hops and idle holders: not in traces (they would move skip lines) nor under a policy S10
  // replays (its recordings count events).
  const lean = shortcuts && trace === undefined && record === undefined && !replaysPolicy(ctx);
  const { assumes } = s.model;
  let events = 0;

  // Foothold.
  const liveFeeds = foothold.liveFeeds ?? [];
  for (const inst of foothold.instances) addInstance(s, inst);
  for (const node of foothold.control) {
    addControl(s, node, { from: foothold.firstHopMs, until: Number.POSITIVE_INFINITY, key: -1 }, 0);
  }

  // The event loop: a hop when the last one gained something, else a wake-up when something can
  // change; detections are events too (they show in traces and count as processed events).
  const queue = new EventHeap<EngineEvent>();
  let seq = 0;
  const schedule = (time: number, type: EngineEvent['type'], cred = -1): void => {
    queue.push({ time, priority: PRIORITY[type], seq: seq++, type, cred });
  };
  s.onDetect = (at: number, cred: number): void => schedule(at, 'detect', cred);
  schedule(foothold.firstHopMs, 'hop');
  const usable: Instance[] = [];
  for (;;) {
    const event = queue.pop();
    if (event === undefined || event.time >= horizon || events >= MAX_ROUNDS) {
      if (record !== undefined) record.drained = event === undefined;
      break;
    }
    events++;
    const t = event.time;
    s.now = t;
    if (record !== undefined) {
      record.times.push(t);
      if (event.type !== 'hop') record.onlyHops = false;
    }
    if (event.type === 'detect') {
      trace?.({
        t,
        hop: 0,
        kind: 'detect',
        cred: event.cred >= nodeCount ? event.cred - nodeCount : event.cred,
        target: -1,
        action: 0,
        reason: 'noticed; revocation starts',
        code: 'detected',
      });
      continue;
    }
    s.progress = false;
    s.gained = false;
    const nextHop = s.nextHopAt(t);
    if (record !== undefined) record.lastNextHop = nextHop;

    // R1/R6: what controlled nodes hold, as of now.
    readControlled(s, t, shortcuts);
    // E2: live leak sources yield their newest material whenever the attacker looks.
    for (const feed of liveFeeds) materialAtFeed(s, feed, t);
    // R2/R8: every instance usable now.
    // A snapshot of what is usable now: copies added while these are used wait for the next event.
    usable.length = 0;
    for (const inst of s.held) {
      if (
        inst.usableFrom <= t &&
        t < inst.until &&
        controlAllows(s, inst, t) &&
        (inst.via === null || t < mintEnd(s, inst).actual)
      )
        usable.push(inst);
    }
    for (const inst of usable) {
      useAll(s, inst, t, nextHop);
      for (let a = assumes.off[inst.cred]!; a < assumes.off[inst.cred + 1]!; a++) exchange(s, inst, assumes.to[a]!, t, nextHop);
    }
    // R5: controlled nodes invoke their tools now; tools those invoke act one hop later.
    invokeAll(s, t, nextHop);

    let after = t;
    if (s.progress) {
      // S9 inert hops: new copies only, all used now, and nothing can change before the hop (a later
      // moment: what is gained now is usable then): the hop would find nothing new, so the wake-up it
      // would schedule is scheduled now, as of its moment.
      if (!(lean && !s.gained && nextHop > t && settledUntilHop(s, t, nextHop, liveFeeds))) {
        schedule(nextHop, 'hop');
        if (shortcuts) s.hopWaits.push(t, nextHop);
        continue;
      }
      after = s.now = nextHop;
    }
    // Nothing new: wait for the next moment a watched or controlled holder can show something new.
    const wake = nextWake(s, after, liveFeeds, shortcuts, lean);
    // Wake at the exact moment (mints fall on fractional milliseconds); never at or before now.
    if (wake < horizon) schedule(wake > after ? wake : after + 1, 'wake');
  }

  // Windows (S5, S7) and S6 max_hops.
  const exposureSpans: Span[] = [];
  const accessSpans: Span[] = [];
  heldSpans(s, exposureSpans, accessSpans);
  streamSpans(s, exposureSpans);
  let maxHop = 0;
  for (const node of s.hopNodes) {
    for (let slot = node * 8; slot < node * 8 + 8; slot++) {
      const hops = s.minHop[slot]!;
      if (hops !== 0x7fffffff && hops > maxHop) maxHop = hops;
    }
  }
  const end = containedAt(exposureSpans, horizon);
  if (record !== undefined) {
    record.exposure = exposureSpans;
    record.access = accessSpans;
    record.firstAccess = s.firstAccess;
  }
  return {
    reached: new Map(s.reachedOrder.map((r) => [r, s.reachedBits[r]!])),
    touched: new Map(s.touchedOrder.map((r) => [r, s.touchedBits[r]!])),
    credentialsHarvested: s.harvested.size,
    harvested: s.harvested,
    maxHops: maxHop,
    exposureWindowMs: unionLength(exposureSpans),
    accessWindowMs: unionLength(accessSpans),
    firstAccessMs: s.firstAccess === null ? null : s.firstAccess - foothold.startMs,
    containmentMs: end === null ? null : end - foothold.startMs,
    events,
    steps: s.steps + events,
  };
}

/** E2: a live leak source read as nobody at `t`, usable at once. */
function materialAtFeed(s: AttackerState, feed: LiveFeed, t: number): void {
  materialAt(s, feed.cred, feed.holder, t, t, 0, -1, -1);
}

/**
 * After a hop that gained nothing: the next moment a watched holder, a live feed or a controlled
 * node can show something new, a pending control support starts, a held copy becomes usable, or the
 * standing secret of a tool acting for the attacker rotates (Infinity when nothing can change). S9
 * quiet streams and feeds wake nothing, nor (`idle`) do holders none of whose readers can read them again.
 */
function nextWake(s: AttackerState, t: number, liveFeeds: readonly LiveFeed[], shortcuts: boolean, idle: boolean): number {
  const { holds } = s.model;
  let wake = Number.POSITIVE_INFINITY;
  for (const node of s.watched) {
    if (idle && readersEnd(s, node) <= t) continue;
    for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
      const cred = holds.to[k]!;
      if (t >= deadEverywhere(s, cred) || (shortcuts && quietWatched(s, node, cred))) continue;
      wake = Math.min(wake, shortcuts ? watchedChange(s, node, cred, t) : nextChange(s, cred, t));
    }
  }
  for (const feed of liveFeeds) {
    if (t < deadEverywhere(s, feed.cred) && !(shortcuts && quietFeed(s, feed)))
      wake = Math.min(wake, nextChange(s, feed.cred, t));
  }
  for (const c of s.controls.values()) {
    let pending = false;
    for (const support of c.supports) if (support.from > t) pending = true;
    const active = controlActive(s, c, t);
    // A node both controlled and watched: the watched loop above already woke for what its readers see.
    if (shortcuts && active) wake = Math.min(wake, lookControlled(s, c, t));
    else if (active || pending) {
      for (let k = holds.off[c.node]!; k < holds.off[c.node + 1]!; k++) {
        const cred = holds.to[k]!;
        if (t < deadEverywhere(s, cred)) wake = Math.min(wake, nextChange(s, cred, t));
      }
    }
    for (const support of c.supports) if (support.from > t) wake = Math.min(wake, support.from);
  }
  for (const inst of s.held) if (inst.usableFrom > t) wake = Math.min(wake, inst.usableFrom);
  // A tool acting for the attacker with a standing secret: its next version (the tool acts with it).
  for (const { inst } of s.acting) if (inst.until > t) wake = Math.min(wake, inst.until);
  return wake;
}

/**
 * S9 inert hops: whether nothing a hop at `hop` could find is new since the event at `t`: no material
 * changing where the attacker reads or acts (any credential there, quiet or revoked: a hop re-reads
 * what changed; an idle holder is read by nobody), no live feed changing, no held copy becoming
 * usable (one that dies first never does), no control support or invocation starting, no tool's
 * credential version ending, in (t, hop]. The cheap checks first: the copies just gained usually
 * become usable at that very hop.
 */
function settledUntilHop(s: AttackerState, t: number, hop: number, liveFeeds: readonly LiveFeed[]): boolean {
  for (const inst of s.held) if (inst.usableFrom < inst.until && within(inst.usableFrom, t, hop)) return false;
  for (const inv of s.invocations.values()) if (within(inv.from, t, hop)) return false;
  for (const { inst } of s.acting) if (within(inst.until, t, hop)) return false;
  for (const c of s.controls.values()) for (const support of c.supports) if (within(support.from, t, hop)) return false;
  for (const feed of liveFeeds) if (nextChange(s, feed.cred, t) <= hop) return false;
  for (const node of s.watched) if (readersEnd(s, node) > t && changesBy(s, node, t, hop)) return false;
  for (const c of s.controls.values()) if (changesBy(s, c.node, t, hop)) return false;
  return true;
}

/** Whether `at` falls in (t, hop]. */
function within(at: number, t: number, hop: number): boolean {
  return at > t && at <= hop;
}

/** Whether any credential `node` holds can change in (t, hop]. */
function changesBy(s: AttackerState, node: number, t: number, hop: number): boolean {
  const { holds } = s.model;
  for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) if (nextChange(s, holds.to[k]!, t) <= hop) return true;
  return false;
}

/**
 * An instance of a leaked copy (used by the leak patterns): the material at `holder` at `leakAt`, usable
 * at `useAt`. Its fields are written out, not spread from blankInstance: a spread copy gets a hidden
 * class of its own, the rules' checks over held copies stop being monomorphic, and the goal's run took
 * 6% longer (7.34 s against 6.92 s, four alternated runs each).
 */
export function leakedInstance(ctx: TrialContext, cred: number, leakAt: number, useAt: number, cutoff?: number): Instance | null {
  const { model, modes, policy } = ctx;
  if (modes.ephemeral[cred] === 0) {
    return {
      cred,
      obtainedAt: useAt,
      usableFrom: useAt,
      until: standingEnd(modes, cred, leakAt),
      scope: standingScope(ctx, cred),
      boundTo: -1,
      actingAs: -1,
      principal: firstUserOf(ctx, cred),
      managed: false,
      material: true,
      depth: 0,
      controlOf: -1,
      created: false,
      via: null,
      exposes: null,
      exposedGen: 0,
    };
  }
  const token = newestToken(ctx, cred, leakAt, cutoff);
  if (token < 0) return null;
  const copies = ctx.occurrences;
  const task = copies.task[token]!;
  const step = copies.step[token]!;
  const actor = copies.actor[token]!;
  const principal = model.taskAgent[task]!;
  const bound = boundToRequester(model, brokerFor(policy), principal, actor);
  return {
    cred,
    obtainedAt: useAt,
    usableFrom: useAt,
    until: copies.deadAt[token]!,
    scope: tokenScope(ctx, task, step, cred),
    boundTo: bound ? actor : -1,
    actingAs: -1,
    principal,
    managed: true,
    material: true,
    depth: 0,
    controlOf: -1,
    created: false,
    via: null,
    exposes: null,
    exposedGen: 0,
  };
}
