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
 */
import type { Distribution } from '../scenario/types.js';
import { sampleAt } from '../lib/distribution.js';
import { EventHeap, type HeapItem } from '../lib/heap.js';
import { keyedUniform } from '../lib/rng.js';
import { KIND_AGENT, KIND_RESOURCE, KIND_TOOL, requestKey } from '../model/compile.js';
import type { PairSet } from '../model/compile.js';
import { PRIVILEGED, READ, WRITE, ADMIN, actionName } from '../model/actions.js';

const EMPTY_SCOPE: PairSet = new Map();
import { versionEnd } from '../policy/modes.js';
import type { TrialContext } from './context.js';
import { newestToken, nextMint } from './context.js';
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

interface Control {
  readonly node: number;
  readonly from: number;
  readonly until: number;
  /** Credential whose revocation (at this node's environment) ends control; -1 = unconditional. */
  readonly dependsOn: number;
  readonly depth: number;
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

/** One line of a trial's trace: what the attacker did, and why it worked or not. */
export interface TraceEvent {
  readonly t: number;
  readonly hop: number;
  readonly kind: 'use' | 'deny' | 'expose' | 'control' | 'invoke' | 'exchange' | 'detect' | 'create';
  readonly cred: number;
  readonly target: number;
  readonly action: number;
  readonly reason: string;
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
  private generation = 0;

  constructor(edges: number, nodes: number) {
    this.grantStamp = new Uint32Array(edges);
    this.grantBits = new Uint8Array(edges);
    this.nodeStamp = new Uint32Array(nodes);
    this.readDepth = new Int32Array(nodes);
    this.stableUntil = new Float64Array(nodes);
  }

  nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.grantStamp.fill(0);
      this.nodeStamp.fill(0);
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
  const { grantStamp, grantBits, nodeStamp, readDepth, stableUntil } = scratch;
  /** Other attempts (issuance requests, exchanges) as ((cred · nodes) + target) · 8 + action. */
  const attempted = new Set<number>();
  /**
   * Per instance, after its first use: the targets it succeeded on that hold credentials. A later use
   * of the same instance repeats no attempt (all drawn already), changes no reach or control (same
   * instance, later time) and is denied where it was denied: only the material present at those
   * holders can be new, so re-use re-reads them (where the credential is not yet revoked) and nothing else.
   */
  const exposedBy = new Map<Instance, number[]>();
  /** Per tool invocation and held credential: the instance it acts with (valid while `t < until`). */
  const toolInstances = new Map<Invocation, (Instance | null)[]>();
  const nodeCount = model.nodeCount;

  /** credential → detection time (revocation starts then, plus the latency of each target's environment). */
  const revokedAt = new Map<number, number>();
  const latencyCache = new Map<string, number>();
  const watched = new Set<number>();
  let maxHop = 0;
  let firstAccess: number | null = null;
  let progress = false;

  const revocationLatency = (cred: number, envIndex: number): number => {
    const key = `${cred}|${envIndex}`;
    let lat = latencyCache.get(key);
    if (lat === undefined) {
      const envName = model.envNames[envIndex]!;
      const dist = policy.revocationLatency.byEnvironment[envName] ?? policy.revocationLatency.default;
      lat = sampleAt(dist, keyedUniform(ctx.detectSeed, cred, envIndex, 0, 7));
      latencyCache.set(key, lat);
    }
    return lat;
  };
  /** Moment `cred` stops working on `target` (Infinity if never revoked). */
  const deadOn = (cred: number, target: number): number => {
    const d = revokedAt.get(cred);
    return d === undefined ? Number.POSITIVE_INFINITY : d + revocationLatency(cred, model.env[target]!);
  };
  /** Moment `key` (a credential, or a credential's attacker-created material: cred + nodeCount) stops working everywhere it grants. */
  const deadEverywhere = (key: number): number => {
    const d = revokedAt.get(key);
    if (d === undefined) return Number.POSITIVE_INFINITY;
    const cred = key >= nodeCount ? key - nodeCount : key;
    let end = d;
    // #10.1: each target's own environment (an exchange's target is a credential: the default environment).
    for (let k = grants.off[cred]!; k < grants.off[cred + 1]!; k++) end = Math.max(end, deadOn(key, grants.to[k]!));
    for (let k = assumes.off[cred]!; k < assumes.off[cred + 1]!; k++) end = Math.max(end, deadOn(key, assumes.to[k]!));
    return end;
  };
  /** The revocation key of an instance: attacker-created material is revoked apart (E5). */
  const keyOf = (inst: Instance): number => (inst.created === true ? inst.cred + nodeCount : inst.cred);
  const controlActive = (c: Control, t: number): boolean =>
    c.from <= t && t < c.until && (c.dependsOn < 0 || t < deadOn(c.dependsOn, c.node));

  /** Two instances of the same kind: a newer one supersedes the older rather than adding to it. */
  const sameKind = (a: Instance, b: Instance): boolean =>
    a.scope === b.scope && a.boundTo === b.boundTo && a.actingAs === b.actingAs && a.principal === b.principal &&
    a.managed === b.managed && a.material === b.material && a.controlOf === b.controlOf && a.created === b.created;

  const addInstance = (inst: Instance): void => {
    if (inst.until <= inst.obtainedAt) return; // a dead copy is worth nothing
    // Scopes are shared, immutable maps, so identity tells kinds apart; a credential has few kinds.
    let slots = heldByCred.get(inst.cred);
    if (slots === undefined) {
      slots = [];
      heldByCred.set(inst.cred, slots);
    }
    const previous = slots.find((i) => sameKind(held[i]!, inst));
    if (previous !== undefined) {
      const old = held[previous]!;
      if (old.until >= inst.until && old.depth <= inst.depth && old.usableFrom <= inst.usableFrom) return;
      superseded.push(old);
      held[previous] = inst;
    } else {
      slots.push(held.length);
      held.push(inst);
    }
    if (inst.material && inst.obtainedAt < deadEverywhere(keyOf(inst))) harvested.add(inst.cred);
    progress = true;
  };

  /** R6: the material of `cred` present at `holder` at `t`, as the attacker gets it. */
  const materialAt = (cred: number, holder: number, t: number, usableFrom: number, depth: number, actingAs: number, controlOf: number): void => {
    steps++;
    if (modes.ephemeral[cred] === 0) {
      addInstance({
        cred, obtainedAt: t, usableFrom, until: versionEnd(modes.rotationMs[cred]!, t), scope: standingScope(ctx, cred), boundTo: -1,
        actingAs, principal: actingAs >= 0 ? actingAs : firstUserOf(ctx, cred), managed: false, material: true, depth, controlOf,
      });
      return;
    }
    const selfKey = requestKey(holder, holder, cred);
    // C1: without an intent check the broker mints whatever the credential grants for any workload holding it.
    const mints = checksIntent(policy) ? model.requestPairs.has(selfKey) : principalOf(holder) >= 0;
    if (controlOf === holder && mints) {
      addInstance({
        cred, obtainedAt: t, usableFrom, until: Number.POSITIVE_INFINITY,
        scope: policy.scope === 'role' ? null : model.requestPairs.get(selfKey)!, boundTo: -1, actingAs: holder,
        principal: holder, managed: true, material: true, depth, controlOf,
      });
    }
    const token = newestToken(ctx, cred, t);
    if (token === null || token.deadAt <= t) return;
    const bound = policy.bindToWorkload && model.isWorkloadIdentity[token.principal] === 1 && model.isWorkloadIdentity[token.actor] === 1;
    addInstance({
      cred, obtainedAt: t, usableFrom, until: token.deadAt, scope: tokenScope(token.task, token.step, cred),
      boundTo: bound ? token.actor : -1, actingAs, principal: token.principal, managed: true, material: true, depth, controlOf,
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
    draw(cred, t);
    return true;
  };
  /** R9: first attempt of (cred, target, action) draws detection. True when it is the first. */
  const attempt = (cred: number, target: number, action: number, t: number): boolean => {
    const key = (cred * nodeCount + target) * 8 + action;
    if (attempted.has(key)) return false;
    attempted.add(key);
    draw(cred, t);
    return true;
  };
  /** Detection of one attempt: noticed with `probability`, revocation of `cred` from then plus `delay`. */
  const draw = (cred: number, t: number): void => {
    const detection = policy.detection;
    if (detection === null) return;
    // E7 recorded detection: every attempt is known at max(t, at) — those before `at` when the
    // incident is noticed, those after it at once.
    let at = Math.max(t, detection.atMs);
    if (ctx.detectRng() < detection.probability) {
      at = Math.min(at, t + sampleAt(detection.delay, ctx.detectRng()));
    } else {
      ctx.detectRng(); // keep one delay draw per attempt so later draws stay aligned
    }
    if (at === Number.POSITIVE_INFINITY) return;
    const previous = revokedAt.get(cred);
    if (previous === undefined || at < previous) {
      revokedAt.set(cred, at);
      onDetect(at, cred);
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
    if (t >= deadOn(key, target)) return;
    let exposed = false;
    const filter = foothold.attemptFilter;
    const tries = filter === null ? mask : mask & (filter.get(target) ?? 0);
    for (let action = 1; action <= ADMIN; action <<= 1) {
      if ((tries & action) === 0) continue;
      steps++;
      const first = inst.created === true ? attempt(key, target, action, t) : attemptGrant(g, key, action, t);
      let denied: string | null = null;
      if (inst.boundTo >= 0 && inst.actingAs !== inst.boundTo) {
        denied = `token bound to ${model.ids[inst.boundTo]}, replayed from elsewhere`; // R7 binding
      } else if (inst.scope !== null && ((inst.scope.get(target) ?? 0) & action) === 0) {
        denied = `outside the token's scope`;
      } else if (inst.managed && reevaluates(action)) {
        const intent = inst.principal >= 0 ? model.intent[inst.principal]! : null;
        if (intent === null || ((intent.get(target) ?? 0) & action) === 0) {
          denied = `out-of-intent ${actionName(action)} on ${model.ids[target]} (broker re-evaluation)`; // R7
        }
      }
      if (denied === null && approvalRefuses(ctx, inst.cred, target, action)) denied = `${actionName(action)} on ${model.ids[target]} refused by the approver`; // C4

      if (denied !== null) {
        if (first) trace?.({ t, hop: depth, kind: 'deny', cred: inst.cred, target, action, reason: denied });
        continue;
      }
      if (first) trace?.({ t, hop: depth, kind: 'use', cred: inst.cred, target, action, reason: inst.material ? 'credential material' : `acting through ${model.ids[inst.actingAs]}` });
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
      return;
    }
    const depth = inst.depth + 1;
    const key = keyOf(inst);
    for (const target of known) {
      if (t >= deadOn(key, target)) continue;
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
      materialAt(cred, target, t, nextHop, depth, -1, -1);
      const next = modes.ephemeral[cred] === 1 ? nextMint(ctx, cred, t) : versionEnd(modes.rotationMs[cred]!, t);
      if (next < change) change = next;
    }
    nodeStamp[target] = gen;
    readDepth[target] = depth;
    stableUntil[target] = change;
  };

  const succeed = (inst: Instance, target: number, action: number, t: number, nextHop: number, depth: number): void => {
    maxHop = Math.max(maxHop, depth);
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
      if (trace !== undefined && !watched.has(target)) trace({ t, hop: depth, kind: 'expose', cred: -1, target, action, reason: 'holds credentials' });
      watched.add(target);
      exposeHolder(target, t, nextHop, depth);
    }
    // R4: admin gives control, as long as the credential that gave it lasts.
    if (action === ADMIN) {
      const existing = controls.get(target);
      const until = inst.until;
      if (existing === undefined || (existing.until < until && existing.dependsOn >= 0)) {
        controls.set(target, { node: target, from: nextHop, until, dependsOn: keyOf(inst), depth });
        trace?.({ t, hop: depth, kind: 'control', cred: inst.cred, target, action, reason: 'admin gives control' });
        progress = true;
      }
      // E5 persistence: admin on a node that issues credentials creates standing material of its own.
      if (!policy.forbidCreation) {
        for (let k = model.issues.off[target]!; k < model.issues.off[target + 1]!; k++) createMaterial(model.issues.to[k]!, target, t, nextHop, depth);
      }
    }
    // E1: write or admin on what a workload executes gives control of it from its next task.
    if ((action & PRIVILEGED) !== 0) {
      for (let k = model.runs.off[target]!; k < model.runs.off[target + 1]!; k++) {
        const node = model.runs.to[k]!;
        const from = Math.max(nextHop, nextTaskStart(model, node, t));
        const existing = controls.get(node);
        if (from >= horizon || (existing !== undefined && existing.dependsOn < 0 && existing.from <= from)) continue;
        controls.set(node, { node, from, until: Number.POSITIVE_INFINITY, dependsOn: -1, depth });
        trace?.({ t, hop: depth, kind: 'control', cred: inst.cred, target: node, action, reason: `runs what ${model.ids[target]} holds: control from its next task` });
        progress = true;
      }
    }
  };

  /** E5: standing material the attacker creates for `cred` through admin on `issuer`; no TTL, no rotation, revoked apart. */
  const createMaterial = (cred: number, issuer: number, t: number, nextHop: number, depth: number): void => {
    const before = held.length + superseded.length;
    addInstance({
      cred, obtainedAt: t, usableFrom: nextHop, until: Number.POSITIVE_INFINITY, scope: standingScope(ctx, cred), boundTo: -1,
      actingAs: -1, principal: firstUserOf(ctx, cred), managed: false, material: true, depth, controlOf: -1, created: true,
    });
    if (held.length + superseded.length !== before) {
      trace?.({ t, hop: depth, kind: 'create', cred, target: issuer, action: ADMIN, reason: 'admin on an issuer: attacker-created standing material' });
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
          cred, obtainedAt: t, usableFrom: t, until: versionEnd(modes.rotationMs[cred]!, t), scope: standingScope(ctx, cred), boundTo: -1,
          actingAs: tool, principal: inv.principal, managed: false, material: false, depth: inv.depth, controlOf: -1,
        };
      } else {
        // C3: the broker sees the caller's context only when the policy propagates it.
        const principal = requestPrincipal(policy, inv.principal, tool);
        const pairs = principal >= 0 ? model.requestPairs.get(requestKey(principal, tool, cred)) : undefined;
        if (pairs === undefined && checksIntent(policy)) {
          attempt(cred, tool, 0, t); // an out-of-intent issuance request: denied, maybe noticed
          trace?.({ t, hop: inv.depth, kind: 'deny', cred, target: tool, action: 0, reason: principal === tool ? 'issuance outside the tool\'s own declared requests' : 'issuance outside the principal\'s declared requests via this tool' });
          cached[slot] = null;
          continue;
        }
        inst = {
          cred, obtainedAt: t, usableFrom: t, until: Number.POSITIVE_INFINITY, scope: policy.scope === 'role' || pairs === undefined ? null : pairs,
          boundTo: -1, actingAs: tool, principal, managed: true, material: false, depth: inv.depth, controlOf: -1,
        };
      }
      if (t >= inst.until) continue;
      cached[slot] = inst;
      useAll(inst, t, nextHop);
    }
    for (let k = invokes.off[tool]!; k < invokes.off[tool + 1]!; k++) {
      const next = invokes.to[k]!;
      if (!invocations.has(next) && inv.depth + 1 <= maxHops) {
        invocations.set(next, { tool: next, principal: inv.principal, from: nextHop, depth: inv.depth + 1, root: inv.root });
        progress = true;
      }
    }
  };

  /** R8: exchange a valid instance for another credential. */
  const exchange = (inst: Instance, target: number, t: number, nextHop: number): void => {
    steps++;
    const depth = inst.depth + 1;
    const key = keyOf(inst);
    if (depth > maxHops || t >= deadOn(key, target)) return;
    attempt(key, target, 0, t);
    if (inst.boundTo >= 0 && inst.actingAs !== inst.boundTo) return;
    if (modes.ephemeral[target] === 0) {
      maxHop = Math.max(maxHop, depth);
      addInstance({
        cred: target, obtainedAt: t, usableFrom: nextHop, until: versionEnd(modes.rotationMs[target]!, t), scope: standingScope(ctx, target),
        boundTo: -1, actingAs: inst.actingAs, principal: inst.principal, managed: false, material: true, depth, controlOf: -1,
      });
      return;
    }
    const pairs = inst.principal >= 0 ? model.principalCredPairs.get(`${inst.principal}|${target}`) : undefined;
    // E4: an exchange the principal's workload declares is in its intent, whatever its steps use.
    const declared = inst.principal >= 0 && model.declaredExchanges.has(`${inst.principal}|${inst.cred}|${target}`);
    if (pairs === undefined && !declared && checksIntent(policy)) {
      trace?.({ t, hop: depth, kind: 'deny', cred: inst.cred, target, action: 0, reason: 'exchange outside declared intent' });
      return; // R7: the broker re-evaluates the exchange against declared intent
    }
    trace?.({ t, hop: depth, kind: 'exchange', cred: inst.cred, target, action: 0, reason: declared ? 'declared token exchange' : 'token exchange' });
    maxHop = Math.max(maxHop, depth);
    // E3: a minted token is bound to the workload it is minted as, like the workload's own tokens.
    const bound = policy.bindToWorkload && model.isWorkloadIdentity[inst.principal] === 1;
    addInstance({
      cred: target, obtainedAt: t, usableFrom: nextHop, until: t + policy.ttlMs, scope: policy.scope === 'role' || (pairs === undefined && !declared) ? null : (pairs ?? EMPTY_SCOPE),
      boundTo: bound ? inst.principal : -1, actingAs: inst.actingAs, principal: inst.principal, managed: true, material: true, depth, controlOf: -1,
    });
  };

  const principalOf = (node: number): number => (model.kind[node] === KIND_AGENT || model.kind[node] === KIND_TOOL ? node : -1);

  // Foothold.
  const liveFeeds = foothold.liveFeeds ?? [];
  for (const inst of foothold.instances) addInstance(inst);
  for (const node of foothold.control) {
    controls.set(node, { node, from: foothold.firstHopMs, until: Number.POSITIVE_INFINITY, dependsOn: -1, depth: 0 });
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
  for (;;) {
    const event = queue.pop();
    if (event === undefined || event.time >= horizon || events >= MAX_ROUNDS) break;
    events++;
    t = event.time;
    if (event.type === 'detect') {
      trace?.({ t, hop: 0, kind: 'detect', cred: event.cred, target: -1, action: 0, reason: 'noticed; revocation starts' });
      continue;
    }
    progress = false;
    const nextHop = t + sampleAt(hopDelay, ctx.rng());

    // R1/R6: what controlled nodes hold, as of now.
    for (const c of [...controls.values()]) {
      if (!controlActive(c, t)) continue;
      for (let k = holds.off[c.node]!; k < holds.off[c.node + 1]!; k++) {
        materialAt(holds.to[k]!, c.node, t, t, c.depth, c.node, c.node);
      }
    }
    // E2: live leak sources yield their newest material whenever the attacker looks.
    for (const feed of liveFeeds) materialAt(feed.cred, feed.holder, t, t, 0, -1, -1);
    // R2/R8: every instance usable now.
    const usable = held.filter((inst) => inst.usableFrom <= t && t < inst.until && controlAllows(inst, t));
    for (const inst of usable) {
      useAll(inst, t, nextHop);
      for (let a = assumes.off[inst.cred]!; a < assumes.off[inst.cred + 1]!; a++) exchange(inst, assumes.to[a]!, t, nextHop);
    }
    // R5: controlled nodes invoke their tools now; tools those invoke act one hop later.
    for (const c of [...controls.values()]) {
      if (!controlActive(c, t)) continue;
      for (let k = invokes.off[c.node]!; k < invokes.off[c.node + 1]!; k++) {
        const tool = invokes.to[k]!;
        if (c.depth + 1 > maxHops) continue;
        const existing = invocations.get(tool);
        if (existing === undefined || existing.depth > c.depth + 1) {
          invocations.set(tool, { tool, principal: principalOf(c.node), from: t, depth: c.depth + 1, root: c.node });
          trace?.({ t, hop: c.depth + 1, kind: 'invoke', cred: -1, target: tool, action: 0, reason: `invoked by ${model.ids[c.node]}` });
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
        wake = Math.min(wake, modes.ephemeral[cred] === 1 ? nextMint(ctx, cred, t) : versionEnd(modes.rotationMs[cred]!, t));
      }
    };
    for (const node of watched) look(node);
    for (const feed of liveFeeds) {
      if (t < deadEverywhere(feed.cred)) wake = Math.min(wake, modes.ephemeral[feed.cred] === 1 ? nextMint(ctx, feed.cred, t) : versionEnd(modes.rotationMs[feed.cred]!, t));
    }
    for (const c of controls.values()) if (controlActive(c, t) || c.from > t) look(c.node);
    for (const c of controls.values()) if (c.from > t) wake = Math.min(wake, c.from);
    for (const inst of held) if (inst.usableFrom > t) wake = Math.min(wake, inst.usableFrom);
    if (wake < horizon) schedule(Math.max(wake, t + 1), 'wake');
  }

  function controlAllows(inst: Instance, at: number): boolean {
    if (inst.controlOf < 0) return true;
    const c = controls.get(inst.controlOf);
    return c !== undefined && controlActive(c, at);
  }

  return { ...summarizeReach([...superseded, ...held], reached, harvested, maxHop, firstAccess, foothold, horizon, deadEverywhere, controls, nodeCount), touched, events, steps: steps + events };
}

function summarizeReach(
  held: readonly Instance[],
  reached: Map<number, number>,
  harvested: Set<number>,
  maxHop: number,
  firstAccess: number | null,
  foothold: Foothold,
  horizon: number,
  deadEverywhere: (cred: number) => number,
  controls: ReadonlyMap<number, Control>,
  nodeCount: number,
): Omit<ReachResult, 'events' | 'steps' | 'touched'> {
  // Exposure: union of the intervals in which the attacker held valid material. Containment: the
  // last of them ended before the horizon because a revocation cut it short.
  const intervals: [number, number][] = [];
  let end = Number.NEGATIVE_INFINITY;
  let cut = false;
  for (const inst of held) {
    if (!inst.material) continue;
    const from = Math.max(inst.usableFrom, foothold.firstHopMs);
    let natural = inst.until;
    let revoked = deadEverywhere(inst.created === true ? inst.cred + nodeCount : inst.cred);
    if (inst.controlOf >= 0) {
      const c = controls.get(inst.controlOf);
      if (c !== undefined) {
        natural = Math.min(natural, c.until);
        if (c.dependsOn >= 0) revoked = Math.min(revoked, deadEverywhere(c.dependsOn));
      }
    }
    const until = Math.min(natural, revoked, horizon);
    if (until <= from) continue;
    intervals.push([from, until]);
    const wasCut = revoked < natural && revoked < horizon;
    if (until > end) {
      end = until;
      cut = wasCut;
    } else if (until === end && wasCut) {
      cut = true;
    }
  }
  intervals.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let exposure = 0;
  let curFrom = Number.NaN;
  let curTo = Number.NaN;
  for (const [from, to] of intervals) {
    if (Number.isNaN(curFrom) || from > curTo) {
      if (!Number.isNaN(curFrom)) exposure += curTo - curFrom;
      curFrom = from;
      curTo = to;
    } else {
      curTo = Math.max(curTo, to);
    }
  }
  if (!Number.isNaN(curFrom)) exposure += curTo - curFrom;
  return {
    reached,
    credentialsHarvested: harvested.size,
    maxHops: maxHop,
    exposureWindowMs: exposure,
    accessWindowMs: exposure,
    firstAccessMs: firstAccess === null ? null : firstAccess - foothold.startMs,
    containmentMs: cut && end < horizon ? end - foothold.startMs : null,
  };
}

/** An instance of a leaked copy (used by the leak patterns): the material at `holder` at `leakAt`, usable at `useAt`. */
export function leakedInstance(ctx: TrialContext, cred: number, leakAt: number, useAt: number, cutoff?: number): Instance | null {
  const { model, modes, policy } = ctx;
  if (modes.ephemeral[cred] === 0) {
    return {
      cred, obtainedAt: useAt, usableFrom: useAt, until: versionEnd(modes.rotationMs[cred]!, leakAt), scope: standingScope(ctx, cred), boundTo: -1,
      actingAs: -1, principal: firstUserOf(ctx, cred), managed: false, material: true, depth: 0, controlOf: -1,
    };
  }
  const token = newestToken(ctx, cred, leakAt, cutoff);
  if (token === null) return null;
  const bound = policy.bindToWorkload && model.isWorkloadIdentity[token.principal] === 1 && model.isWorkloadIdentity[token.actor] === 1;
  let scope: PairSet | null = null;
  if (policy.scope !== 'role') {
    scope = token.step >= 0 ? stepScope(ctx, token.task, token.step) : (model.taskCredPairs[token.task]!.get(cred) ?? EMPTY_SCOPE);
  }
  return {
    cred, obtainedAt: useAt, usableFrom: useAt, until: token.deadAt, scope, boundTo: bound ? token.actor : -1,
    actingAs: -1, principal: token.principal, managed: true, material: true, depth: 0, controlOf: -1,
  };
}

/** The workload a stolen standing secret mints as (R7 exchanges, E3): model.credOwner, order-free. */
function firstUserOf(ctx: TrialContext, cred: number): number {
  return ctx.model.credOwner[cred]!;
}
