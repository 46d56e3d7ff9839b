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
 * containment, S6 max_hops, S7 exposure and access windows, S8 trace codes.
 */
import type { Distribution } from '../domain/scenario.js';
import { sampleAt } from '../lib/distribution.js';
import { EventHeap, type HeapItem } from '../lib/heap.js';
import { deriveSeed, keyedUniform } from '../lib/rng.js';
import { KIND_AGENT, KIND_RESOURCE, KIND_TOOL, requestKey } from '../model/compile.js';
import type { PairSet } from '../model/compile.js';
import { PRIVILEGED, READ, WRITE, ADMIN, actionName } from '../domain/actions.js';

const EMPTY_SCOPE: PairSet = new Map();
import { nextStandingVersion, standingEnd } from '../policy/modes.js';
import type { TrialContext } from './context.js';
import { forEachToken, newestToken, nextMint } from './context.js';
import { approvalRefuses, checksIntent, requestPrincipal, standingScope } from './controls.js';
import { nextTaskStart } from './schedule.js';

/** A usable piece of access: a copy of a credential, a mint capability, or a tool acting on the attacker's behalf. */
export interface Instance {
  readonly cred: number;
  /** When the attacker got it (and may first use it: `usableFrom`). */
  readonly obtainedAt: number;
  readonly usableFrom: number;
  /** Natural end: expiry, step/task revocation, rotation; Infinity for a mint capability. */
  readonly until: number;
  /** null = everything the credential grants (role scope or standing). */
  readonly scope: PairSet | null;
  /** Sender-constrained to this node (-1 = not bound). */
  readonly boundTo: number;
  /** The node the attacker acts as when using it (-1 = replayed from elsewhere). */
  readonly actingAs: number;
  /** Whose declared intent the broker checks (-1 = nobody's: every re-checked use is denied). */
  readonly principal: number;
  /** Issued by the broker (R7 re-evaluation applies) rather than a standing secret. */
  readonly managed: boolean;
  /** The attacker holds the material (false for a tool acting on its behalf). */
  readonly material: boolean;
  /** Hops taken to obtain it; actions with it are at depth + 1. */
  readonly depth: number;
  /** Control that this instance lasts with (-1 = none). */
  readonly controlOf: number;
  /** Material the attacker created through an `issues` edge (E5): revoked apart from the credential's other material. */
  readonly created?: true;
  /**
   * E3 mint capability: tokens minted from this source instance on demand (R8 exchanges). Usable while
   * a token minted during the source's usable life is still alive: up to the source's end plus `ttl`.
   */
  readonly via?: Instance;
}

/** A live leak source the attacker keeps reading (E2): the newest material of `cred` at `holder`, whenever it looks. */
export interface LiveFeed {
  readonly holder: number;
  readonly cred: number;
}

/** What a pattern hands the engine. */
export interface Foothold {
  /** The pattern's start (leakAt / at / retiredAt): the origin of time_to_* metrics. */
  readonly startMs: number;
  /** First hop. */
  readonly firstHopMs: number;
  /** Credential copies the attacker starts with. */
  readonly instances: readonly Instance[];
  /** Nodes controlled from `firstHopMs`. */
  readonly control: readonly number[];
  /** Only these (target → actions) are attempted (intent-drift's workflow); null = everything. */
  readonly attemptFilter: PairSet | null;
  /** Only these count as reached (intent-drift: out-of-intent successes); null = every success. */
  readonly countFilter: PairSet | null;
  /** Live leak sources read at every hop and whenever their material changes, from `firstHopMs` (E2). */
  readonly liveFeeds?: readonly LiveFeed[];
}

/** The attack's outcome: the raw facts the risk metrics are computed from. */
export interface ReachResult {
  /** resource node → actions that succeeded (after countFilter). */
  readonly reached: ReadonlyMap<number, number>;
  readonly credentialsHarvested: number;
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

/** One reason the attacker controls a node (#10.2: control lasts while any of them holds). */
interface Support {
  readonly from: number;
  readonly until: number;
  /** Revocation key whose revocation (at the node's environment) ends this support; -1 = unconditional. */
  readonly key: number;
}

interface Control {
  readonly node: number;
  /** Earliest start over the supports. */
  from: number;
  /** Fewest hops over the supports. */
  depth: number;
  readonly supports: Support[];
}

interface Invocation {
  readonly tool: number;
  readonly principal: number;
  readonly from: number;
  readonly depth: number;
  /** The controlled node the chain starts at (the invocation lasts while its control does). */
  readonly root: number;
}

const MAX_ROUNDS = 100_000;

/** An engine event: a hop, a wake-up, or a detection (ordered by time, then this priority, then insertion). */
interface EngineEvent extends HeapItem {
  readonly type: 'detect' | 'hop' | 'wake';
  readonly cred: number;
}
const PRIORITY: Readonly<Record<EngineEvent['type'], number>> = { detect: 0, hop: 1, wake: 2 };

/** Why a trace line happened, as data (#10.7); `reason` is its wording for the trace printer. */
export const REASON_CODES = [
  'credential-use',
  'tool-acting',
  'bound-elsewhere',
  'out-of-scope',
  'out-of-intent',
  'issuance-out-of-intent',
  'approval-refused',
  'exchange-out-of-intent',
  'exchange',
  'declared-exchange',
  'revoked',
  'expose',
  'admin-control',
  'runs-control',
  'invoke',
  'detected',
  'created',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** One line of a trial's trace: what the attacker did, and why it worked or not. */
export interface TraceEvent {
  readonly t: number;
  readonly hop: number;
  readonly kind: 'use' | 'deny' | 'expose' | 'control' | 'invoke' | 'exchange' | 'detect' | 'create' | 'skip';
  readonly cred: number;
  readonly target: number;
  readonly action: number;
  readonly reason: string;
  /** The reason as a code (absent only on lines from code that predates codes). */
  readonly code?: ReasonCode;
}

/** Whether scope `a` allows every (target, action) that `b` allows (null = everything the credential grants). */
function scopeCovers(a: PairSet | null, b: PairSet | null): boolean {
  if (a === null || a === b) return true;
  if (b === null) return false;
  for (const [target, mask] of b) if (((a.get(target) ?? 0) & mask) !== mask) return false;
  return true;
}

/** The scope of a step-scoped token: one (target, action) pair, one shared map per step. */
const stepScopes = new WeakMap<object, Map<string, PairSet>>();
export function stepScope(ctx: TrialContext, task: number, step: number): PairSet {
  let byStep = stepScopes.get(ctx.model);
  if (byStep === undefined) {
    byStep = new Map();
    stepScopes.set(ctx.model, byStep);
  }
  const key = `${task}|${step}`;
  let scope = byStep.get(key);
  if (scope === undefined) {
    const s = ctx.model.scenario.workload[task]!.steps[step]!;
    scope = new Map([[ctx.model.indexOf.get(s.target)!, s.action === 'read' ? READ : s.action === 'write' ? WRITE : ADMIN]]);
    byStep.set(key, scope);
  }
  return scope;
}

/**
 * Reusable per-model arrays of one thread's trials: actions attempted per grant edge, and per holder
 * the depth of its last read and the moment its material next changes (see exposeHolder). An entry
 * counts only when its stamp equals the running trial's generation.
 */
class Scratch {
  readonly grantStamp: Uint32Array;
  readonly grantBits: Uint8Array;
  readonly nodeStamp: Uint32Array;
  readonly readDepth: Int32Array;
  readonly stableUntil: Float64Array;
  /** The same for a controlled node's own reads (R1/R6 as the node): stamp, depth, next change. */
  readonly controlStamp: Uint32Array;
  readonly controlDepth: Int32Array;
  readonly controlStable: Float64Array;
  private generation = 0;

  constructor(edges: number, nodes: number) {
    this.grantStamp = new Uint32Array(edges);
    this.grantBits = new Uint8Array(edges);
    this.nodeStamp = new Uint32Array(nodes);
    this.readDepth = new Int32Array(nodes);
    this.stableUntil = new Float64Array(nodes);
    this.controlStamp = new Uint32Array(nodes);
    this.controlDepth = new Int32Array(nodes);
    this.controlStable = new Float64Array(nodes);
  }

  nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.grantStamp.fill(0);
      this.nodeStamp.fill(0);
      this.controlStamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }
}
const scratches = new WeakMap<object, Scratch>();
function scratchOf(model: TrialContext['model']): Scratch {
  let scratch = scratches.get(model);
  if (scratch === undefined) {
    scratch = new Scratch(model.grants.to.length, model.nodeCount);
    scratches.set(model, scratch);
  }
  return scratch;
}

/** Runs the expansion from a foothold until the horizon, the hop limit or nothing left to try. */
export function expand(
  ctx: TrialContext,
  foothold: Foothold,
  hopDelay: Distribution,
  maxHops: number,
  trace?: (event: TraceEvent) => void,
  /** false: none of the S9 shortcuts (the reference the properties compare them with). */
  shortcuts = true,
): ReachResult {
  let events = 0;
  let steps = 0;
  let onDetect = (_at: number, _cred: number): void => {};
  const { model, policy, modes } = ctx;
  const horizon = model.scenario.horizonMs;
  const { grants, holds, invokes, assumes } = model;

  const held: Instance[] = [];
  /** Instances superseded by a newer copy of the same kind: kept for the exposure window. */
  const superseded: Instance[] = [];
  /** credential → indices into `held` of its instances (one per kind). */
  const heldByCred = new Map<number, number[]>();
  const controls = new Map<number, Control>();
  const invocations = new Map<number, Invocation>();
  const reached = new Map<number, number>();
  /** Every resource success before the pattern's countFilter (records_exfiltrated counts in-intent ones too). */
  const touched = new Map<number, number>();
  const harvested = new Set<number>();
  // Per-edge and per-node state lives in the model's scratch arrays, valid where stamped with this
  // trial's generation: a trial that reaches ten nodes of a million-edge estate clears nothing.
  const scratch = scratchOf(model);
  const gen = scratch.nextGeneration();
  const { grantStamp, grantBits, nodeStamp, readDepth, stableUntil, controlStamp, controlDepth, controlStable } = scratch;
  /** Other attempts (issuance requests, exchanges) as ((cred · nodes) + target) · 8 + action. */
  const attempted = new Set<number>();
  /**
   * Per instance, after its first use: the targets it succeeded on that hold credentials. A later use
   * of the same instance repeats no attempt (all drawn already), changes no reach or control (same
   * instance, later time) and is denied where it was denied: only the material present at those
   * holders can be new, so re-use re-reads them (where the credential is not yet revoked) and nothing else.
   */
  const exposedBy = new Map<Instance, number[]>();
  /**
   * Per instance: the exchange targets already tried with it. The outcome of an exchange depends only
   * on the instance and the target (a mint capability lasts as long as its source, E3), so a later
   * try changes nothing but the skip trace when the source is revoked there.
   */
  const exchanged = new Map<Instance, Set<number>>();
  /** Per tool invocation and held credential: the instance it acts with (valid while `t < until`). */
  const toolInstances = new Map<Invocation, (Instance | null)[]>();
  const nodeCount = model.nodeCount;

  /** revocation key → detection time (revocation starts then, plus the latency of each target's environment). */
  const revokedAt = new Map<number, number>();
  /** deadEverywhere per key, dropped whenever a detection moves that key's revocation. */
  const deadCache = new Map<number, number>();
  /**
   * Per credential: the next moment its material can change after the moment it was asked for (a
   * mint or a rotation), valid for every later question before it: nothing changes in between.
   */
  const nextChangeAt = new Map<number, number>();
  const nextChange = (cred: number, t: number): number => {
    const known = nextChangeAt.get(cred);
    if (known !== undefined && t < known) return known;
    const next = modes.ephemeral[cred] === 1 ? nextMint(ctx, cred, t) : nextStandingVersion(modes, cred, t);
    nextChangeAt.set(cred, next);
    return next;
  };
  /** revocation key → time of the attempt whose detection set `revokedAt` (the simultaneity rule, #10.3). */
  const detectedFrom = new Map<number, number>();
  const latencyCache = new Map<number, number>();
  const envCount = model.envNames.length;
  const watched = new Set<number>();
  /** (target · 8 + action) → fewest hops of a success (#10.5: max_hops is the largest of these). */
  const minHops = new Map<number, number>();
  /** Tool-acting instances with the node whose control they last with (access window, #10.6). */
  const acting: { inst: Instance; root: number }[] = [];
  /** (key · nodes + target) of skips already traced. */
  const skipped = new Set<number>();
  const idHash = (i: number): number => model.idHash[i >= nodeCount ? i - nodeCount : i]!;
  const hashName = (name: string): number => deriveSeed('env', name);
  let firstAccess: number | null = null;
  let progress: boolean;

  const revocationLatency = (cred: number, envIndex: number): number => {
    const key = cred * envCount + envIndex;
    let lat = latencyCache.get(key);
    if (lat === undefined) {
      const envName = model.envNames[envIndex]!;
      const dist = policy.revocationLatency.byEnvironment[envName] ?? policy.revocationLatency.default;
      // Keyed by ids and names, never by index: the draw does not depend on file order (#10.3).
      lat = sampleAt(dist, keyedUniform(ctx.detectSeed, idHash(cred), hashName(envName), cred >= nodeCount ? 1 : 0, 7));
      latencyCache.set(key, lat);
    }
    return lat;
  };
  /** Moment `cred` stops working on `target` (Infinity if never revoked). */
  const deadOn = (cred: number, target: number): number => {
    const d = revokedAt.get(cred);
    return d === undefined ? Number.POSITIVE_INFINITY : d + revocationLatency(cred, model.env[target]!);
  };
  /**
   * Whether `key` is revoked on `target` for an action at `t` (#10.3 simultaneity): revocation takes
   * effect at detection + latency, for every action after that instant and for actions at that
   * instant unless the detection came from an attempt at that same instant — all actions of one
   * instant are attempted and drawn before any revocation they cause applies.
   */
  const revokedBy = (key: number, target: number, t: number): boolean => {
    const r = deadOn(key, target);
    return t > r || (t === r && detectedFrom.get(key)! < t);
  };
  /** #10.7: an attempt not made because its credential is revoked there, traced once per (key, target). */
  const skip = (inst: Instance, target: number, t: number, depth: number): void => {
    if (trace === undefined) return;
    const id = keyOf(inst) * nodeCount + target;
    if (skipped.has(id)) return;
    skipped.add(id);
    trace({
      t,
      hop: depth,
      kind: 'skip',
      cred: inst.cred,
      target,
      action: 0,
      reason: 'credential revoked there',
      code: 'revoked',
    });
  };
  /** Moment `key` (a credential, or a credential's attacker-created material: cred + nodeCount) stops working everywhere it grants. */
  const deadEverywhere = (key: number): number => {
    const d = revokedAt.get(key);
    if (d === undefined) return Number.POSITIVE_INFINITY;
    const known = deadCache.get(key);
    if (known !== undefined) return known;
    const cred = key >= nodeCount ? key - nodeCount : key;
    let end = d;
    // #10.1: each target's own environment (an exchange's target is a credential: the default environment).
    for (let k = grants.off[cred]!; k < grants.off[cred + 1]!; k++) end = Math.max(end, deadOn(key, grants.to[k]!));
    for (let k = assumes.off[cred]!; k < assumes.off[cred + 1]!; k++) end = Math.max(end, deadOn(key, assumes.to[k]!));
    deadCache.set(key, end);
    return end;
  };
  /** The revocation key of an instance: attacker-created material is revoked apart (E5). */
  const keyOf = (inst: Instance): number => (inst.created === true ? inst.cred + nodeCount : inst.cred);
  const supportActive = (s: Support, node: number, t: number): boolean =>
    s.from <= t && t < s.until && (s.key < 0 || !revokedBy(s.key, node, t));
  const controlActive = (c: Control, t: number): boolean => {
    for (const s of c.supports) if (supportActive(s, c.node, t)) return true;
    return false;
  };
  /** #10.2: adds a reason to control `node`; false when an existing one already covers it. */
  const addControl = (node: number, support: Support, depth: number): boolean => {
    const existing = controls.get(node);
    if (existing === undefined) {
      controls.set(node, { node, from: support.from, depth, supports: [support] });
      return true;
    }
    const covered = existing.supports.some(
      (s) => (s.key === support.key || s.key < 0) && s.from <= support.from && s.until >= support.until,
    );
    if (covered && existing.depth <= depth) return false;
    if (!covered) {
      // Two supports with one revocation key whose spans meet are one span: control is active on their
      // union either way. Merging keeps the list as short as the distinct reasons (a fresh token copy
      // giving admin at every task would otherwise add one support each).
      const meets = existing.supports.findIndex(
        (s) => s.key === support.key && s.from <= support.until && support.from <= s.until,
      );
      if (meets < 0) existing.supports.push(support);
      else {
        const s = existing.supports[meets]!;
        existing.supports[meets] = { from: Math.min(s.from, support.from), until: Math.max(s.until, support.until), key: s.key };
      }
    }
    existing.from = Math.min(existing.from, support.from);
    existing.depth = Math.min(existing.depth, depth);
    return true;
  };
  /** When control of `node` ends: naturally (supports' own ends) and in fact (revocations applied); null when never controlled. */
  const controlEnd = (node: number): { natural: number; actual: number } | null => {
    const c = controls.get(node);
    if (c === undefined) return null;
    let natural = Number.NEGATIVE_INFINITY;
    let actual = Number.NEGATIVE_INFINITY;
    for (const s of c.supports) {
      natural = Math.max(natural, s.until);
      actual = Math.max(actual, s.key < 0 ? s.until : Math.min(s.until, deadOn(s.key, node)));
    }
    return { natural, actual };
  };

  /** Two instances of the same kind: a newer one supersedes the older rather than adding to it. */
  const sameKind = (a: Instance, b: Instance): boolean =>
    a.scope === b.scope &&
    a.boundTo === b.boundTo &&
    a.actingAs === b.actingAs &&
    a.principal === b.principal &&
    a.managed === b.managed &&
    a.material === b.material &&
    a.controlOf === b.controlOf &&
    a.created === b.created &&
    a.via === b.via;

  /** A copy bound to a workload the attacker does not act as: every use is denied (R7 binding). */
  const blocked = (i: Instance): boolean => i.boundTo >= 0 && i.actingAs !== i.boundTo;
  /** S9 quiet copies (lookControlled): kinds of task minting the copies that land at a controlled node. */
  const QUIET_COVERED = 1;
  const QUIET_BLOCKED = 2;
  const QUIET_OPEN = 4;
  /** Per (node · nodes + cred): which kinds of task mint the copies landing there (bits above). */
  const copyKinds = new Map<number, number>();
  /** (node · nodes + cred) whose blocked copies were left to the end → the moment they were (copies minted later count). */
  const streams = new Map<number, number>();
  /** Holder → the instances that read it (after their first full use at `from`): who keeps reading it (S9). */
  const readersOf = new Map<number, { inst: Instance; from: number }[]>();
  /** (holder · nodes + cred) → when its bound copies were left to the end (S9 watched streams). */
  const watchStreams = new Map<number, number>();
  /** Credential → lowest depth at which a bound copy of it was used in full (its denied attempts drawn). */
  const blockedDepth = new Map<number, number>();
  /** `a` can do everything `b` can, from as soon, for as long (same revocation key, control, source, principal). */
  const covers = (a: Instance, b: Instance): boolean =>
    a.created === b.created &&
    a.via === b.via &&
    a.principal === b.principal &&
    a.managed === b.managed &&
    a.actingAs === b.actingAs &&
    a.controlOf === b.controlOf &&
    a.material === b.material &&
    (blocked(a) ? blocked(b) && a.boundTo === b.boundTo : true) &&
    a.until >= b.until &&
    a.depth <= b.depth &&
    a.usableFrom <= b.usableFrom &&
    scopeCovers(a.scope, b.scope);

  const addInstance = (inst: Instance): void => {
    if (inst.until <= inst.obtainedAt) return; // a dead copy is worth nothing
    // Scopes are shared, immutable maps, so identity tells kinds apart; a credential has few kinds.
    let slots = heldByCred.get(inst.cred);
    if (slots === undefined) {
      slots = [];
      heldByCred.set(inst.cred, slots);
    }
    // #10.3: a copy is dropped only when one already held dominates it (lasts as long, as few hops,
    // usable as soon), and replaces only one it dominates or one already dead; otherwise both are kept,
    // so what is held never depends on the order in which copies arrive.
    const dominates = (a: Instance, b: Instance): boolean =>
      a.until >= b.until && a.depth <= b.depth && a.usableFrom <= b.usableFrom;
    // A held copy that can do all this one can, for as long and as soon, covers it (a token copy at a
    // controlled workload under its own mint capability, say): it would add no reach, no span, no draw.
    if (slots.some((i) => covers(held[i]!, inst))) return;
    const same = slots.filter((i) => sameKind(held[i]!, inst));
    const previous = same.find((i) => dominates(inst, held[i]!) || held[i]!.until <= inst.obtainedAt);
    if (previous !== undefined) {
      superseded.push(held[previous]!);
      held[previous] = inst;
    } else {
      slots.push(held.length);
      held.push(inst);
    }
    if (inst.material && inst.obtainedAt < deadEverywhere(keyOf(inst))) harvested.add(inst.cred);
    // A copy bound to another workload can only be denied (R7); once a bound copy of the credential
    // has made its attempts at this depth or lower, another adds only its span: no reason for a hop.
    if (!blocked(inst) || (blockedDepth.get(inst.cred) ?? Number.POSITIVE_INFINITY) > inst.depth) progress = true;
  };

  /** R6: the material of `cred` present at `holder` at `t`, as the attacker gets it. */
  const materialAt = (
    cred: number,
    holder: number,
    t: number,
    usableFrom: number,
    depth: number,
    actingAs: number,
    controlOf: number,
  ): void => {
    steps++;
    if (modes.ephemeral[cred] === 0) {
      addInstance({
        cred,
        obtainedAt: t,
        usableFrom,
        until: standingEnd(modes, cred, t),
        scope: standingScope(ctx, cred),
        boundTo: -1,
        actingAs,
        principal: actingAs >= 0 ? actingAs : firstUserOf(ctx, cred),
        managed: false,
        material: true,
        depth,
        controlOf,
      });
      return;
    }
    const selfKey = requestKey(holder, holder, cred);
    // C1: without an intent check the broker mints whatever the credential grants for any workload holding it.
    const mints = checksIntent(policy) ? model.requestPairs.has(selfKey) : principalOf(holder) >= 0;
    if (controlOf === holder && mints) {
      addInstance({
        cred,
        obtainedAt: t,
        usableFrom,
        until: Number.POSITIVE_INFINITY,
        scope: policy.scope === 'role' ? null : model.requestPairs.get(selfKey)!,
        boundTo: -1,
        actingAs: holder,
        principal: holder,
        managed: true,
        material: true,
        depth,
        controlOf,
      });
    }
    const token = newestToken(ctx, cred, t);
    if (token === null || token.deadAt <= t) return;
    const bound =
      policy.bindToWorkload && model.isWorkloadIdentity[token.principal] === 1 && model.isWorkloadIdentity[token.actor] === 1;
    addInstance({
      cred,
      obtainedAt: t,
      usableFrom,
      until: token.deadAt,
      scope: tokenScope(token.task, token.step, cred),
      boundTo: bound ? token.actor : -1,
      actingAs,
      principal: token.principal,
      managed: true,
      material: true,
      depth,
      controlOf,
    });
  };

  const tokenScope = (task: number, step: number, cred: number): PairSet | null => {
    if (policy.scope === 'role') return null;
    if (step >= 0) return stepScope(ctx, task, step);
    return model.taskCredPairs[task]!.get(cred) ?? EMPTY_SCOPE;
  };

  /** R9 on grant edge `g`: the first attempt of an action draws detection. True when it is the first. */
  const attemptGrant = (g: number, cred: number, action: number, t: number): boolean => {
    if (grantStamp[g] !== gen) {
      grantStamp[g] = gen;
      grantBits[g] = 0;
    }
    if ((grantBits[g]! & action) !== 0) return false;
    grantBits[g] = grantBits[g]! | action;
    draw(cred, grants.to[g]!, action, t);
    return true;
  };
  /** R9: first attempt of (cred, target, action) draws detection. True when it is the first. */
  const attempt = (cred: number, target: number, action: number, t: number): boolean => {
    const key = (cred * nodeCount + target) * 8 + action;
    if (attempted.has(key)) return false;
    attempted.add(key);
    draw(cred, target, action, t);
    return true;
  };
  /**
   * Detection of one attempt: noticed with `probability`, revocation of `key` from then plus `delay`.
   * The draws are keyed by (credential id, target id, action), so they never depend on the order in
   * which attempts of one instant are made (#10.3); the earliest detection of a key wins.
   */
  const draw = (key: number, target: number, action: number, t: number): void => {
    const detection = policy.detection;
    if (detection === null) return;
    // E7 recorded detection: every attempt is known at max(t, at) — those before `at` when the
    // incident is noticed, those after it at once.
    let at = Math.max(t, detection.atMs);
    const created = key >= nodeCount ? 1 : 0;
    if (keyedUniform(ctx.detectSeed, idHash(key), idHash(target), action, 2 * created) < detection.probability) {
      at = Math.min(
        at,
        t + sampleAt(detection.delay, keyedUniform(ctx.detectSeed, idHash(key), idHash(target), action, 2 * created + 1)),
      );
    }
    if (at === Number.POSITIVE_INFINITY) return;
    const previous = revokedAt.get(key);
    if (previous === undefined || at < previous) {
      revokedAt.set(key, at);
      deadCache.delete(key);
      detectedFrom.set(key, t);
      onDetect(at, key);
    }
  };

  const reevaluates = (action: number): boolean =>
    policy.reevaluate === 'every-step' || (policy.reevaluate === 'privileged' && (action & PRIVILEGED) !== 0);

  /** R2–R4: use `inst` on `target` with the granted `mask` at time `t`. */
  const use = (inst: Instance, g: number, t: number, nextHop: number, exposes: number[]): void => {
    const target = grants.to[g]!;
    const mask = grants.data[g]!;
    const depth = inst.depth + 1;
    if (depth > maxHops) return;
    const key = keyOf(inst);
    if (revokedBy(key, target, t)) {
      skip(inst, target, t, depth);
      return;
    }
    let exposed = false;
    const filter = foothold.attemptFilter;
    const tries = filter === null ? mask : mask & (filter.get(target) ?? 0);
    for (let action = 1; action <= ADMIN; action <<= 1) {
      if ((tries & action) === 0) continue;
      steps++;
      const first = inst.created === true ? attempt(key, target, action, t) : attemptGrant(g, key, action, t);
      let denied: string | null = null;
      let code: ReasonCode = 'out-of-scope';
      if (inst.boundTo >= 0 && inst.actingAs !== inst.boundTo) {
        denied = `token bound to ${model.ids[inst.boundTo]}, replayed from elsewhere`; // R7 binding
        code = 'bound-elsewhere';
      } else if (inst.scope !== null && ((inst.scope.get(target) ?? 0) & action) === 0) {
        denied = `outside the token's scope`;
      } else if (inst.managed && reevaluates(action)) {
        const intent = inst.principal >= 0 ? model.intent[inst.principal]! : null;
        if (intent === null || ((intent.get(target) ?? 0) & action) === 0) {
          denied = `out-of-intent ${actionName(action)} on ${model.ids[target]} (broker re-evaluation)`; // R7
          code = 'out-of-intent';
        }
      }
      if (denied === null && approvalRefuses(ctx, inst.cred, target, action)) {
        denied = `${actionName(action)} on ${model.ids[target]} refused by the approver`; // C4
        code = 'approval-refused';
      }

      if (denied !== null) {
        if (first) trace?.({ t, hop: depth, kind: 'deny', cred: inst.cred, target, action, reason: denied, code });
        continue;
      }
      if (first)
        trace?.({
          t,
          hop: depth,
          kind: 'use',
          cred: inst.cred,
          target,
          action,
          reason: inst.material ? 'credential material' : `acting through ${model.ids[inst.actingAs]}`,
          code: inst.material ? 'credential-use' : 'tool-acting',
        });
      succeed(inst, target, action, t, nextHop, depth);
      if (!exposed && holds.off[target]! < holds.off[target + 1]!) {
        exposed = true;
        exposes.push(target);
      }
    }
  };

  /** Uses `inst` on everything its credential grants: in full the first time, then only re-reads its exposed holders. */
  const useAll = (inst: Instance, t: number, nextHop: number): void => {
    const cred = inst.cred;
    const known = exposedBy.get(inst);
    if (known === undefined) {
      const exposes: number[] = [];
      for (let g = grants.off[cred]!; g < grants.off[cred + 1]!; g++) use(inst, g, t, nextHop, exposes);
      exposedBy.set(inst, exposes);
      for (const h of exposes) {
        let list = readersOf.get(h);
        if (list === undefined) readersOf.set(h, (list = []));
        list.push({ inst, from: t });
      }
      if (blocked(inst) && inst.created !== true && (blockedDepth.get(cred) ?? Number.POSITIVE_INFINITY) > inst.depth)
        blockedDepth.set(cred, inst.depth);
      return;
    }
    const depth = inst.depth + 1;
    const key = keyOf(inst);
    for (const target of known) {
      if (revokedBy(key, target, t)) {
        skip(inst, target, t, depth);
        continue;
      }
      exposeHolder(target, t, nextHop, depth);
    }
  };

  /**
   * R3/R6 at a holder reached at `depth`: reads what it holds, unless the last read was at the same
   * or a lower depth and nothing there has changed since (no rotation, no new token copy). Hops only
   * move forward (`nextHop` never decreases), so such a read could only yield copies the attacker
   * already has, usable no sooner, at no lower depth: addInstance would drop every one of them.
   */
  const exposeHolder = (target: number, t: number, nextHop: number, depth: number): void => {
    if (nodeStamp[target] === gen && depth >= readDepth[target]! && t < stableUntil[target]!) return;
    let change = Number.POSITIVE_INFINITY;
    for (let k = holds.off[target]!; k < holds.off[target + 1]!; k++) {
      const cred = holds.to[k]!;
      if (!watchStreams.has(target * nodeCount + cred)) materialAt(cred, target, t, nextHop, depth, -1, -1);
      const next = nextChange(cred, t);
      if (next < change) change = next;
    }
    nodeStamp[target] = gen;
    readDepth[target] = depth;
    stableUntil[target] = change;
  };

  const succeed = (inst: Instance, target: number, action: number, t: number, nextHop: number, depth: number): void => {
    const slot = target * 8 + action;
    const fewest = minHops.get(slot);
    if (fewest === undefined || depth < fewest) minHops.set(slot, depth);
    if (model.kind[target] === KIND_RESOURCE) {
      touched.set(target, (touched.get(target) ?? 0) | action);
      const counted = foothold.countFilter === null || ((foothold.countFilter.get(target) ?? 0) & action) !== 0;
      if (counted) {
        const before = reached.get(target) ?? 0;
        if ((before & action) === 0) {
          reached.set(target, before | action);
          progress = true;
        }
        if (firstAccess === null || t < firstAccess) firstAccess = t;
      }
    }
    // R3: the material held there is exposed now, usable next hop.
    if (holds.off[target]! < holds.off[target + 1]!) {
      if (trace !== undefined && !watched.has(target))
        trace({ t, hop: depth, kind: 'expose', cred: -1, target, action, reason: 'holds credentials', code: 'expose' });
      watched.add(target);
      exposeHolder(target, t, nextHop, depth);
    }
    // R4: admin gives control, as long as the credential that gave it lasts.
    if (action === ADMIN) {
      if (addControl(target, { from: nextHop, until: inst.until, key: keyOf(inst) }, depth)) {
        trace?.({
          t,
          hop: depth,
          kind: 'control',
          cred: inst.cred,
          target,
          action,
          reason: 'admin gives control',
          code: 'admin-control',
        });
        progress = true;
      }
      // E5 persistence: admin on a node that issues credentials creates standing material of its own.
      if (!policy.forbidCreation) {
        for (let k = model.issues.off[target]!; k < model.issues.off[target + 1]!; k++)
          createMaterial(model.issues.to[k]!, target, t, nextHop, depth);
      }
    }
    // E1: write or admin on what a workload executes gives control of it from its next task.
    if ((action & PRIVILEGED) !== 0) {
      for (let k = model.runs.off[target]!; k < model.runs.off[target + 1]!; k++) {
        const node = model.runs.to[k]!;
        const from = Math.max(nextHop, nextTaskStart(model, node, t));
        if (from >= horizon || !addControl(node, { from, until: Number.POSITIVE_INFINITY, key: -1 }, depth)) continue;
        trace?.({
          t,
          hop: depth,
          kind: 'control',
          cred: inst.cred,
          target: node,
          action,
          reason: `runs what ${model.ids[target]} holds: control from its next task`,
          code: 'runs-control',
        });
        progress = true;
      }
    }
  };

  /** E5: standing material the attacker creates for `cred` through admin on `issuer`; no TTL, no rotation, revoked apart. */
  const createMaterial = (cred: number, issuer: number, t: number, nextHop: number, depth: number): void => {
    const before = held.length + superseded.length;
    addInstance({
      cred,
      obtainedAt: t,
      usableFrom: nextHop,
      until: Number.POSITIVE_INFINITY,
      scope: standingScope(ctx, cred),
      boundTo: -1,
      actingAs: -1,
      principal: firstUserOf(ctx, cred),
      managed: false,
      material: true,
      depth,
      controlOf: -1,
      created: true,
    });
    if (held.length + superseded.length !== before) {
      trace?.({
        t,
        hop: depth,
        kind: 'create',
        cred,
        target: issuer,
        action: ADMIN,
        reason: 'admin on an issuer: attacker-created standing material',
        code: 'created',
      });
    }
  };

  /** R5: a tool acting for `principal` at `t`, with its own credentials. */
  const invoke = (inv: Invocation, t: number, nextHop: number): void => {
    const tool = inv.tool;
    let cached = toolInstances.get(inv);
    if (cached === undefined) {
      cached = [];
      toolInstances.set(inv, cached);
    }
    for (let k = holds.off[tool]!; k < holds.off[tool + 1]!; k++) {
      const cred = holds.to[k]!;
      const slot = k - holds.off[tool]!;
      steps++;
      const previous = cached[slot];
      if (previous === null) continue; // an issuance outside the principal's intent: denied once, for good
      if (previous !== undefined && t < previous.until) {
        useAll(previous, t, nextHop);
        continue;
      }
      let inst: Instance;
      if (modes.ephemeral[cred] === 0) {
        inst = {
          cred,
          obtainedAt: t,
          usableFrom: t,
          until: standingEnd(modes, cred, t),
          scope: standingScope(ctx, cred),
          boundTo: -1,
          actingAs: tool,
          principal: inv.principal,
          managed: false,
          material: false,
          depth: inv.depth,
          controlOf: -1,
        };
      } else {
        // C3: the broker sees the caller's context only when the policy propagates it.
        const principal = requestPrincipal(policy, inv.principal, tool);
        const pairs = principal >= 0 ? model.requestPairs.get(requestKey(principal, tool, cred)) : undefined;
        if (pairs === undefined && checksIntent(policy)) {
          attempt(cred, tool, 0, t); // an out-of-intent issuance request: denied, maybe noticed
          trace?.({
            t,
            hop: inv.depth,
            kind: 'deny',
            cred,
            target: tool,
            action: 0,
            reason:
              principal === tool
                ? "issuance outside the tool's own declared requests"
                : "issuance outside the principal's declared requests via this tool",
            code: 'issuance-out-of-intent',
          });
          cached[slot] = null;
          continue;
        }
        inst = {
          cred,
          obtainedAt: t,
          usableFrom: t,
          until: Number.POSITIVE_INFINITY,
          scope: policy.scope === 'role' || pairs === undefined ? null : pairs,
          boundTo: -1,
          actingAs: tool,
          principal,
          managed: true,
          material: false,
          depth: inv.depth,
          controlOf: -1,
        };
      }
      if (t >= inst.until) continue;
      cached[slot] = inst;
      acting.push({ inst, root: inv.root });
      useAll(inst, t, nextHop);
    }
    for (let k = invokes.off[tool]!; k < invokes.off[tool + 1]!; k++) {
      const next = invokes.to[k]!;
      const existing = invocations.get(next);
      if (inv.depth + 1 <= maxHops && (existing === undefined || preferred(inv.root, inv.depth + 1, nextHop, existing))) {
        invocations.set(next, { tool: next, principal: inv.principal, from: nextHop, depth: inv.depth + 1, root: inv.root });
        progress = true;
      }
    }
  };

  /**
   * S2: two chains reaching the same tool at the same instant and depth: the one rooted at the
   * smaller id acts (not the one found first), so the principal never depends on file order.
   */
  const preferred = (root: number, depth: number, from: number, existing: Invocation): boolean =>
    existing.from === from && existing.depth === depth && existing.root !== root && model.ids[root]! < model.ids[existing.root]!;

  /** R8: exchange a valid instance for another credential. */
  const exchange = (inst: Instance, target: number, t: number, nextHop: number): void => {
    steps++;
    const depth = inst.depth + 1;
    const key = keyOf(inst);
    if (depth > maxHops) return;
    if (revokedBy(key, target, t)) {
      skip(inst, target, t, depth);
      return;
    }
    let tried = exchanged.get(inst);
    if (tried === undefined) {
      tried = new Set();
      exchanged.set(inst, tried);
    }
    if (tried.has(target)) return;
    tried.add(target);
    attempt(key, target, 0, t);
    if (inst.boundTo >= 0 && inst.actingAs !== inst.boundTo) return;
    if (modes.ephemeral[target] === 0) {
      addInstance({
        cred: target,
        obtainedAt: t,
        usableFrom: nextHop,
        until: standingEnd(modes, target, t),
        scope: standingScope(ctx, target),
        boundTo: -1,
        actingAs: inst.actingAs,
        principal: inst.principal,
        managed: false,
        material: true,
        depth,
        controlOf: -1,
      });
      return;
    }
    const pairs = inst.principal >= 0 ? model.principalCredPairs.get(`${inst.principal}|${target}`) : undefined;
    // E4: an exchange the principal's workload declares is in its intent, whatever its steps use.
    const declared = inst.principal >= 0 && model.declaredExchanges.has(`${inst.principal}|${inst.cred}|${target}`);
    if (pairs === undefined && !declared && checksIntent(policy)) {
      trace?.({
        t,
        hop: depth,
        kind: 'deny',
        cred: inst.cred,
        target,
        action: 0,
        reason: 'exchange outside declared intent',
        code: 'exchange-out-of-intent',
      });
      return; // R7: the broker re-evaluates the exchange against declared intent
    }
    trace?.({
      t,
      hop: depth,
      kind: 'exchange',
      cred: inst.cred,
      target,
      action: 0,
      reason: declared ? 'declared token exchange' : 'token exchange',
      code: declared ? 'declared-exchange' : 'exchange',
    });
    // E3: a minted token is bound to the workload it is minted as, like the workload's own tokens.
    const bound = policy.bindToWorkload && model.isWorkloadIdentity[inst.principal] === 1;
    // E3: the attacker mints whenever it acts, not once per hop: one capability lasting while a token
    // minted during the source's life is alive (its end is refined by revocations in mintEnd).
    addInstance({
      cred: target,
      obtainedAt: t,
      usableFrom: nextHop,
      until: inst.until + policy.ttlMs,
      scope: policy.scope === 'role' || (pairs === undefined && !declared) ? null : (pairs ?? EMPTY_SCOPE),
      boundTo: bound ? inst.principal : -1,
      actingAs: inst.actingAs,
      principal: inst.principal,
      managed: true,
      material: true,
      depth,
      controlOf: -1,
      via: inst,
    });
  };

  /**
   * When a mint capability ends (E3): its source's end — natural (`natural`) or with the revocations
   * known so far applied on the minted credential's environment and the control it lasts with
   * (`actual`) — plus the lifetime of the last token minted then. Infinity for anything else.
   */
  const mintEnd = (inst: Instance): { natural: number; actual: number } => {
    const src = inst.via;
    if (src === undefined) return { natural: Number.POSITIVE_INFINITY, actual: Number.POSITIVE_INFINITY };
    let natural = src.until;
    let actual = Math.min(src.until, deadOn(keyOf(src), inst.cred));
    if (src.controlOf >= 0) {
      const end = controlEnd(src.controlOf);
      if (end !== null) {
        natural = Math.min(natural, end.natural);
        actual = Math.min(actual, end.actual);
      }
    }
    const upstream = mintEnd(src);
    return {
      natural: Math.min(natural, upstream.natural) + policy.ttlMs,
      actual: Math.min(actual, upstream.actual) + policy.ttlMs,
    };
  };

  const principalOf = (node: number): number => (model.kind[node] === KIND_AGENT || model.kind[node] === KIND_TOOL ? node : -1);

  // Foothold.
  const liveFeeds = foothold.liveFeeds ?? [];
  for (const inst of foothold.instances) addInstance(inst);
  for (const node of foothold.control) {
    addControl(node, { from: foothold.firstHopMs, until: Number.POSITIVE_INFINITY, key: -1 }, 0);
  }

  // The event loop: a hop when the last one gained something, else a wake-up when something can
  // change; detections are events too (they show in traces and count as processed events).
  const queue = new EventHeap<EngineEvent>();
  let seq = 0;
  const schedule = (time: number, type: EngineEvent['type'], cred = -1): void => {
    queue.push({ time, priority: PRIORITY[type], seq: seq++, type, cred });
  };
  onDetect = (at: number, cred: number): void => schedule(at, 'detect', cred);
  schedule(foothold.firstHopMs, 'hop');
  let t = foothold.firstHopMs;
  const usable: Instance[] = [];
  for (;;) {
    const event = queue.pop();
    if (event === undefined || event.time >= horizon || events >= MAX_ROUNDS) break;
    events++;
    t = event.time;
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
    progress = false;
    const nextHop = t + sampleAt(hopDelay, ctx.rng());

    // R1/R6: what controlled nodes hold, as of now.
    for (const c of controls.values()) {
      if (!controlActive(c, t)) continue;
      const node = c.node;
      // Nothing there changed since the last read at this depth or lower: it would yield only copies already held.
      if (shortcuts && controlStamp[node] === gen && c.depth >= controlDepth[node]! && t < controlStable[node]!) continue;
      let change = Number.POSITIVE_INFINITY;
      for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
        const cred = holds.to[k]!;
        materialAt(cred, node, t, t, c.depth, node, node);
        const next = nextChange(cred, t);
        if (next < change) change = next;
      }
      controlStamp[node] = gen;
      controlDepth[node] = c.depth;
      controlStable[node] = change;
    }
    // E2: live leak sources yield their newest material whenever the attacker looks.
    for (const feed of liveFeeds) materialAt(feed.cred, feed.holder, t, t, 0, -1, -1);
    // R2/R8: every instance usable now.
    // A snapshot of what is usable now: copies added while these are used wait for the next event.
    usable.length = 0;
    for (const inst of held) {
      if (
        inst.usableFrom <= t &&
        t < inst.until &&
        controlAllows(inst, t) &&
        (inst.via === undefined || t < mintEnd(inst).actual)
      )
        usable.push(inst);
    }
    for (const inst of usable) {
      useAll(inst, t, nextHop);
      for (let a = assumes.off[inst.cred]!; a < assumes.off[inst.cred + 1]!; a++) exchange(inst, assumes.to[a]!, t, nextHop);
    }
    // R5: controlled nodes invoke their tools now; tools those invoke act one hop later.
    for (const c of controls.values()) {
      if (!controlActive(c, t)) continue;
      for (let k = invokes.off[c.node]!; k < invokes.off[c.node + 1]!; k++) {
        const tool = invokes.to[k]!;
        if (c.depth + 1 > maxHops) continue;
        const existing = invocations.get(tool);
        if (existing === undefined || existing.depth > c.depth + 1 || preferred(c.node, c.depth + 1, t, existing)) {
          invocations.set(tool, { tool, principal: principalOf(c.node), from: t, depth: c.depth + 1, root: c.node });
          trace?.({
            t,
            hop: c.depth + 1,
            kind: 'invoke',
            cred: -1,
            target: tool,
            action: 0,
            reason: `invoked by ${model.ids[c.node]}`,
            code: 'invoke',
          });
        }
      }
    }
    for (const inv of [...invocations.values()]) {
      const root = controls.get(inv.root);
      if (inv.from <= t && root !== undefined && controlActive(root, t)) invoke(inv, t, nextHop);
    }

    if (progress) {
      schedule(nextHop, 'hop');
      continue;
    }
    // Nothing new: wait for the next moment a watched or controlled holder can show something new.
    let wake = Number.POSITIVE_INFINITY;
    const look = (node: number): void => {
      for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
        const cred = holds.to[k]!;
        if (t >= deadEverywhere(cred)) continue;
        wake = Math.min(wake, nextChange(cred, t));
      }
    };
    for (const node of watched) {
      for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
        const cred = holds.to[k]!;
        if (t >= deadEverywhere(cred) || (shortcuts && quietWatched(node, cred))) continue;
        wake = Math.min(wake, nextChange(cred, t));
      }
    }
    for (const feed of liveFeeds) {
      if (t < deadEverywhere(feed.cred)) wake = Math.min(wake, nextChange(feed.cred, t));
    }
    for (const c of controls.values()) {
      const pending = c.supports.some((s) => s.from > t);
      const active = controlActive(c, t);
      if (shortcuts && active && !watched.has(c.node)) lookControlled(c, (next) => (wake = Math.min(wake, next)));
      else if (active || pending) look(c.node);
      for (const s of c.supports) if (s.from > t) wake = Math.min(wake, s.from);
    }
    for (const inst of held) if (inst.usableFrom > t) wake = Math.min(wake, inst.usableFrom);
    // Wake at the exact moment (mints fall on fractional milliseconds); never at or before now.
    if (wake < horizon) schedule(wake > t ? wake : t + 1, 'wake');
  }

  /**
   * S9 quiet copies: a new token copy of `cred` at controlled `node` changes nothing when every task
   * minting it is covered (the node's own steps, under a held mint capability of the node that covers
   * their scope) or blocked (bound to another workload) and a blocked copy has already made its
   * attempts at this depth. Such a credential wakes nothing; the spans of its blocked copies — each
   * read as it lands while the node is controlled — are added at the end (streamSpans).
   */
  function lookControlled(c: Control, wakeAt: (next: number) => void): void {
    const node = c.node;
    for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
      const cred = holds.to[k]!;
      if (t >= deadEverywhere(cred)) continue;
      if (quiet(node, cred, c.depth)) continue;
      wakeAt(nextChange(cred, t));
    }
  }
  function quiet(node: number, cred: number, depth: number): boolean {
    if (modes.ephemeral[cred] !== 1) return false;
    const id = node * nodeCount + cred;
    let kinds = copyKinds.get(id);
    if (kinds === undefined) {
      kinds = 0;
      for (let i = model.credTasks.off[cred]!; i < model.credTasks.off[cred + 1]!; i++) {
        const task = model.credTasks.to[i]!;
        const agent = model.taskAgent[task]!;
        for (const step of model.scenario.workload[task]!.steps) {
          if (model.indexOf.get(step.credential) !== cred) continue;
          const actor = step.via === null ? agent : model.indexOf.get(step.via)!;
          const bound = policy.bindToWorkload && model.isWorkloadIdentity[agent] === 1 && model.isWorkloadIdentity[actor] === 1;
          if (bound && actor !== node) kinds |= QUIET_BLOCKED;
          else if (agent === node && actor === node) kinds |= QUIET_COVERED;
          else kinds |= QUIET_OPEN;
        }
        if (model.scenario.workload[task]!.exchanges.some((x) => model.indexOf.get(x.to) === cred)) kinds |= QUIET_OPEN;
      }
      copyKinds.set(id, kinds);
    }
    if ((kinds & QUIET_OPEN) !== 0 || kinds === 0) return false;
    if ((kinds & QUIET_BLOCKED) !== 0 && !((blockedDepth.get(cred) ?? Number.POSITIVE_INFINITY) <= depth)) return false;
    if ((kinds & QUIET_COVERED) !== 0 && !coveredByCapability(node, cred, depth)) return false;
    if ((kinds & QUIET_BLOCKED) !== 0 && !streams.has(id)) streams.set(id, t);
    return true;
  }
  /** A held mint capability of `node` for `cred` (R6) that covers every task-level scope of the node's own copies. */
  function coveredByCapability(node: number, cred: number, depth: number): boolean {
    for (const i of heldByCred.get(cred) ?? []) {
      const cap = held[i]!;
      if (cap.until !== Number.POSITIVE_INFINITY || cap.controlOf !== node || cap.actingAs !== node || cap.principal !== node)
        continue;
      if (!cap.managed || !cap.material || cap.boundTo >= 0 || cap.via !== undefined || cap.created === true || cap.depth > depth)
        continue;
      let all = true;
      for (let i2 = model.credTasks.off[cred]!; i2 < model.credTasks.off[cred + 1]! && all; i2++) {
        const task = model.credTasks.to[i2]!;
        if (model.taskAgent[task] === node) all = scopeCovers(cap.scope, tokenScope(task, -1, cred));
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
  function quietWatched(node: number, cred: number): boolean {
    const id = node * nodeCount + cred;
    if (watchStreams.has(id)) return true;
    if (
      modes.ephemeral[cred] !== 1 ||
      !(policy.bindToWorkload && (blockedDepth.get(cred) ?? Number.POSITIVE_INFINITY) <= readDepth[node]!)
    )
      return false;
    if ((readersOf.get(node) ?? []).some((r) => !r.inst.material)) return false; // read by a tool acting for the attacker
    for (let i = model.credTasks.off[cred]!; i < model.credTasks.off[cred + 1]!; i++) {
      const task = model.credTasks.to[i]!;
      const agent = model.taskAgent[task]!;
      const work = model.scenario.workload[task]!;
      if (model.isWorkloadIdentity[agent] !== 1 || work.exchanges.some((x) => model.indexOf.get(x.to) === cred)) return false;
      for (const step of work.steps) {
        if (model.indexOf.get(step.credential) !== cred) continue;
        if (model.isWorkloadIdentity[step.via === null ? agent : model.indexOf.get(step.via)!] !== 1) return false;
      }
    }
    watchStreams.set(id, t);
    return true;
  }
  /** Whether some reader of `node` reads it at `m` (usable, not revoked there, used before). */
  function readAt(node: number, m: number): boolean {
    for (const { inst, from } of readersOf.get(node) ?? []) {
      if (from > m || inst.usableFrom > m || m >= inst.until || !controlAllows(inst, m)) continue;
      if (inst.via !== undefined && m >= mintEnd(inst).actual) continue;
      if (!revokedBy(keyOf(inst), node, m)) return true;
    }
    return false;
  }

  function controlAllows(inst: Instance, at: number): boolean {
    if (inst.controlOf < 0) return true;
    const c = controls.get(inst.controlOf);
    return c !== undefined && controlActive(c, at);
  }

  // Windows (SPEC §5): exposure = material held while valid; access = anything that could act on a
  // resource (material, mint capabilities, tools acting for the attacker). Each span ends at its
  // natural end, its revocation, or the end of the control it lasts with, whichever comes first.
  const exposureSpans: Span[] = [];
  const accessSpans: Span[] = [];
  const grantsResource = (cred: number): boolean => {
    for (let k = grants.off[cred]!; k < grants.off[cred + 1]!; k++) if (model.kind[grants.to[k]!] === KIND_RESOURCE) return true;
    return false;
  };
  const spanOf = (inst: Instance, controlNode: number): Span => {
    const from = Math.max(inst.usableFrom, foothold.firstHopMs);
    let natural = inst.until;
    let revoked = deadEverywhere(keyOf(inst));
    if (controlNode >= 0) {
      const end = controlEnd(controlNode);
      if (end !== null) {
        natural = Math.min(natural, end.natural);
        revoked = Math.min(revoked, end.actual);
      }
    }
    if (inst.via !== undefined) {
      const end = mintEnd(inst);
      natural = Math.min(natural, end.natural);
      revoked = Math.min(revoked, end.actual);
    }
    return { from, until: Math.min(natural, revoked, horizon), cut: revoked < natural && revoked < horizon };
  };
  for (const inst of [...superseded, ...held]) {
    if (!inst.material) continue;
    const span = spanOf(inst, inst.controlOf);
    exposureSpans.push(span);
    // A copy bound to a workload the attacker does not act as cannot act on anything (S7).
    if (grantsResource(inst.cred) && !blocked(inst)) accessSpans.push(span);
  }
  for (const { inst, root } of acting) if (grantsResource(inst.cred)) accessSpans.push(spanOf(inst, root));
  for (const [id, start] of watchStreams) {
    const node = Math.floor(id / nodeCount);
    const cred = id - node * nodeCount;
    forEachToken(ctx, cred, start, horizon, (token) => {
      if (token.mintAt <= start || token.deadAt <= token.mintAt || !readAt(node, token.mintAt)) return;
      const taskKey = deriveSeed('task', model.scenario.workload[token.task]!.id);
      const usableFrom =
        token.mintAt + sampleAt(hopDelay, keyedUniform(ctx.detectSeed, idHash(node), idHash(cred), taskKey, token.mintAt));
      const copy: Instance = {
        cred,
        obtainedAt: token.mintAt,
        usableFrom,
        until: token.deadAt,
        scope: null,
        boundTo: token.actor,
        actingAs: -1,
        principal: token.principal,
        managed: true,
        material: true,
        depth: readDepth[node]!,
        controlOf: -1,
      };
      exposureSpans.push(spanOf(copy, -1));
    });
  }
  // S9: the blocked copies of quiet streams, each read as it landed while its node was controlled.
  for (const [id, start] of streams) {
    const node = Math.floor(id / nodeCount);
    const cred = id - node * nodeCount;
    const c = controls.get(node)!;
    forEachToken(ctx, cred, start, horizon, (token) => {
      if (token.mintAt <= start) return; // read at `start` by the event that made the stream quiet
      const bound =
        policy.bindToWorkload && model.isWorkloadIdentity[token.principal] === 1 && model.isWorkloadIdentity[token.actor] === 1;
      if (!bound || token.actor === node || token.deadAt <= token.mintAt || !controlActive(c, token.mintAt)) return;
      const copy: Instance = {
        cred,
        obtainedAt: token.mintAt,
        usableFrom: token.mintAt,
        until: token.deadAt,
        scope: null,
        boundTo: token.actor,
        actingAs: node,
        principal: token.principal,
        managed: true,
        material: true,
        depth: c.depth,
        controlOf: node,
      };
      exposureSpans.push(spanOf(copy, node));
    });
  }
  let maxHop = 0;
  for (const hops of minHops.values()) maxHop = Math.max(maxHop, hops);
  const end = containedAt(exposureSpans, horizon);
  return {
    reached,
    touched,
    credentialsHarvested: harvested.size,
    maxHops: maxHop,
    exposureWindowMs: unionLength(exposureSpans),
    accessWindowMs: unionLength(accessSpans),
    firstAccessMs: firstAccess === null ? null : firstAccess - foothold.startMs,
    containmentMs: end === null ? null : end - foothold.startMs,
    events,
    steps: steps + events,
  };
}

/** A time span of access: [from, until), `cut` when a revocation ended it before its natural end and the horizon. */
interface Span {
  readonly from: number;
  readonly until: number;
  readonly cut: boolean;
}

/** Total length of the union of spans (empty and inverted spans count nothing). */
function unionLength(spans: readonly Span[]): number {
  const live = spans.filter((s) => s.until > s.from).sort((a, b) => a.from - b.from || a.until - b.until);
  let total = 0;
  let curFrom = Number.NaN;
  let curTo = Number.NaN;
  for (const { from, until } of live) {
    if (Number.isNaN(curFrom) || from > curTo) {
      if (!Number.isNaN(curFrom)) total += curTo - curFrom;
      curFrom = from;
      curTo = until;
    } else {
      curTo = Math.max(curTo, until);
    }
  }
  if (!Number.isNaN(curFrom)) total += curTo - curFrom;
  return total;
}

/**
 * Containment (#10.4): the moment the last span of held material ended, when a revocation cut it
 * short before the horizon; null otherwise. A span revoked at the instant of its first use
 * (zero length) counts: such a trial is contained at that instant.
 */
function containedAt(spans: readonly Span[], horizon: number): number | null {
  let end = Number.NEGATIVE_INFINITY;
  let cut = false;
  for (const span of spans) {
    if (span.until < span.from) continue; // dead before it could be used: never held
    if (span.until > end) {
      end = span.until;
      cut = span.cut;
    } else if (span.until === end && span.cut) {
      cut = true;
    }
  }
  return cut && end < horizon ? end : null;
}

/** An instance of a leaked copy (used by the leak patterns): the material at `holder` at `leakAt`, usable at `useAt`. */
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
    };
  }
  const token = newestToken(ctx, cred, leakAt, cutoff);
  if (token === null) return null;
  const bound =
    policy.bindToWorkload && model.isWorkloadIdentity[token.principal] === 1 && model.isWorkloadIdentity[token.actor] === 1;
  let scope: PairSet | null = null;
  if (policy.scope !== 'role') {
    scope =
      token.step >= 0 ? stepScope(ctx, token.task, token.step) : (model.taskCredPairs[token.task]!.get(cred) ?? EMPTY_SCOPE);
  }
  return {
    cred,
    obtainedAt: useAt,
    usableFrom: useAt,
    until: token.deadAt,
    scope,
    boundTo: bound ? token.actor : -1,
    actingAs: -1,
    principal: token.principal,
    managed: true,
    material: true,
    depth: 0,
    controlOf: -1,
  };
}

/** The workload a stolen standing secret mints as (R7 exchanges, E3): model.credOwner, order-free. */
function firstUserOf(ctx: TrialContext, cred: number): number {
  return ctx.model.credOwner[cred]!;
}
