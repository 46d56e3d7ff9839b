/**
 * S10 static replay (#10 "reach once"; docs/semantics-engine.md S10): when nothing but its hop times
 * can change what the attacker does in a trial, the expansion is the same chain of hops in every
 * trial, only shifted in time. The first trial of a (compiled graph, policy, hop limit, foothold)
 * runs the engine and records the moments its result depends on as hop numbers; the next trials draw
 * only their own hop times (S2 keyed draws, the ones the engine would draw) and rebuild the windows
 * and time to first access from them. A trial whose hop times would not keep the recorded order with
 * the horizon runs the engine in full.
 *
 * "Nothing but hop times" (checked, or the engine runs): every credential is standing and its version
 * current at 0 lasts past the horizon (no rotation, no expiry, no token: the material never changes),
 * no detection (no draw, no revocation), no approval (no refusal draw), no `runs` edge (E1 control
 * waits for a task start, a moment that is not a hop), the foothold's copies are obtained and usable
 * at the pattern's start or first hop; and the recorded run was hops only (no wake-up, no detection),
 * ended because nothing was left to try, and its hop times were strictly increasing. The engine then
 * only ever compares moments of that recorded set with each other and with the horizon, so a trial
 * whose moments keep the same order gives the same reach, harvest, hops, events and steps, and
 * windows made of the same spans with their starts moved: every span ends at the horizon, so a
 * window is the horizon minus its earliest start, and nothing is contained. How the hop times were
 * drawn does not enter: attacks with the same foothold and other hop delays (the tempo variants)
 * replay one recording.
 */
import type { Distribution, Policy } from '../domain/scenario.js';
import { KIND_CREDENTIAL } from '../model/compile.js';
import { standingEnd } from '../policy/modes.js';
import type { TrialContext } from './context.js';
import type { ReachResult, Recording } from './engine.js';
import type { Foothold } from './state.js';
import { hopAfter } from './state.js';
import { workspaceOf } from './workspace.js';
import type { Span } from './windows.js';

/** A recorded expansion: the result's time-free part and its moments as hop numbers (-1 = the pattern's start). */
interface Replay {
  readonly result: ReachResult;
  /** Events of the recorded run (hops 0 … count − 1); hop `count` is the last event's next hop. */
  readonly count: number;
  /** Whether hop `count` fell at or past the horizon in the recorded run. */
  readonly lastPast: boolean;
  /** Earliest start of an exposure / access span (null: no span), and of the first counted success. */
  readonly exposureFrom: number | null;
  readonly accessFrom: number | null;
  readonly firstAccess: number | null;
}

/** Recorded runs that could not be replayed before a signature is given up (its trials then run in full). */
const MAX_FAILED_RECORDINGS = 2;
/** Signatures kept per policy (a foothold that differs in every trial would otherwise grow the cache). */
const MAX_SIGNATURES = 256;

/** A signature's cache entry: its replay, or how many recordings failed. */
type Entry = Replay | number;

/**
 * The expansion of one trial: replayed when a recorded run of the same signature applies, else run
 * in full by `full` (recording it when the policy allows replay).
 */
export function replayed(
  ctx: TrialContext,
  foothold: Foothold,
  hopDelay: Distribution,
  maxHops: number,
  full: (record?: Recording) => ReachResult,
): ReachResult {
  const ws = workspaceOf(ctx.model);
  let byPolicy = ws.replays.get(ctx.policy);
  if (byPolicy === undefined) {
    byPolicy = staticPolicy(ctx) ? new Map() : null;
    ws.replays.set(ctx.policy, byPolicy);
  }
  if (byPolicy === null) return full();
  const key = signature(ctx, foothold, maxHops, ws.objectId);
  if (key === null) return full();
  const entry = byPolicy.get(key);
  if (typeof entry === 'object') return apply(entry, ctx, foothold, hopDelay) ?? full();
  if (entry !== undefined && entry >= MAX_FAILED_RECORDINGS) return full();
  const record: Recording = {
    times: [],
    onlyHops: true,
    drained: false,
    lastNextHop: Number.NaN,
    exposure: [],
    access: [],
    firstAccess: null,
  };
  const result = full(record);
  const replay = fromRecording(result, record, foothold, ctx.model.scenario.horizonMs);
  if (replay !== null || byPolicy.has(key) || byPolicy.size < MAX_SIGNATURES) byPolicy.set(key, replay ?? (entry ?? 0) + 1);
  return result;
}

/**
 * Whether the trials of `ctx.policy` may be replayed (S10), as `replayed` found when it first ran one
 * (true, the cautious answer, before that).
 */
export function replaysPolicy(ctx: TrialContext): boolean {
  return workspaceOf(ctx.model).replays.get(ctx.policy) !== null;
}

/** Whether no trial of `ctx.policy` can depend on anything but its hop times (see the file comment). */
function staticPolicy(ctx: TrialContext): boolean {
  const { model, policy, modes } = ctx;
  if (policy.detection !== null || policy.approval !== null || model.runs.to.length > 0) return false;
  const horizon = model.scenario.horizonMs;
  for (let c = 0; c < model.nodeCount; c++) {
    if (model.kind[c] !== KIND_CREDENTIAL) continue;
    if (modes.ephemeral[c] === 1 || standingEnd(modes, c, 0) < horizon) return false;
  }
  return true;
}

/**
 * Everything of a trial's input the engine reads besides its hop times, as a string; null when the
 * foothold is not replayable (a copy obtained at another moment, a mint capability, one that ends
 * before the horizon).
 */
function signature(ctx: TrialContext, foothold: Foothold, maxHops: number, objectId: (o: object) => number): string | null {
  const { startMs: start, firstHopMs: first } = foothold;
  const horizon = ctx.model.scenario.horizonMs;
  if (!(start <= first)) return null;
  const at = (t: number): string | null => (t === first ? 'F' : t === start ? 'S' : null);
  const parts: string[] = [String(maxHops), start === first ? '=' : '<', foothold.control.join(',')];
  for (const inst of foothold.instances) {
    const obtained = at(inst.obtainedAt);
    const usable = at(inst.usableFrom);
    if (obtained === null || usable === null || inst.via !== null || inst.managed || !(inst.until >= horizon)) return null;
    parts.push(
      [
        inst.cred,
        obtained,
        usable,
        inst.scope === null ? 'n' : objectId(inst.scope),
        inst.boundTo,
        inst.actingAs,
        inst.principal,
        inst.material ? 1 : 0,
        inst.depth,
        inst.controlOf,
        inst.created === true ? 1 : 0,
      ].join(':'),
    );
  }
  parts.push(pairs(foothold.attemptFilter), pairs(foothold.countFilter));
  for (const feed of foothold.liveFeeds ?? []) parts.push(`feed:${feed.holder}:${feed.cred}`);
  return parts.join('|');
}

function pairs(set: ReadonlyMap<number, number> | null): string {
  if (set === null) return 'all';
  return [...set]
    .map(([target, mask]) => `${target}.${mask}`)
    .sort()
    .join(',');
}

/** The replay of a recorded run, or null when it cannot be replayed (see the file comment). */
function fromRecording(result: ReachResult, record: Recording, foothold: Foothold, horizon: number): Replay | null {
  const { times } = record;
  const count = times.length;
  if (!record.onlyHops || !record.drained || count === 0) return null;
  const moments = [...times, record.lastNextHop];
  for (let k = 1; k < moments.length; k++) if (!(moments[k]! > moments[k - 1]!)) return null;
  if (moments[0] !== foothold.firstHopMs) return null;
  const start = foothold.startMs;
  if (start > moments[0]) return null;
  const hopOf = (t: number): number | null => {
    if (t === start && start !== moments[0]) return -1;
    let lo = 0;
    let hi = moments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = moments[mid]!;
      if (m === t) return mid;
      if (m < t) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  };
  const earliest = (spans: readonly Span[]): number | null | false => {
    let min: number | null = null;
    for (const span of spans) {
      if (span.until !== horizon || span.cut) return false;
      const hop = hopOf(span.from);
      if (hop === null) return false;
      if (min === null || hop < min) min = hop;
    }
    return min;
  };
  const exposureFrom = earliest(record.exposure);
  const accessFrom = earliest(record.access);
  if (exposureFrom === false || accessFrom === false) return null;
  let firstAccess: number | null = null;
  if (record.firstAccess !== null) {
    firstAccess = hopOf(record.firstAccess);
    if (firstAccess === null) return null;
  }
  if (result.containmentMs !== null) return null;
  return { result, count, lastPast: record.lastNextHop >= horizon, exposureFrom, accessFrom, firstAccess };
}

/** The result of a trial replayed from `replay` with its own hop times; null when its moments do not keep the recorded order. */
function apply(replay: Replay, ctx: TrialContext, foothold: Foothold, hopDelay: Distribution): ReachResult | null {
  const horizon = ctx.model.scenario.horizonMs;
  const start = foothold.startMs;
  const hops = new Float64Array(replay.count + 1);
  let t = foothold.firstHopMs;
  hops[0] = t;
  for (let k = 1; k <= replay.count; k++) {
    const next = hopAfter(ctx.hopSeed, hopDelay, t);
    if (!(next > t)) return null;
    hops[k] = t = next;
  }
  if (!(hops[replay.count - 1]! < horizon) || hops[replay.count]! >= horizon !== replay.lastPast) return null;
  const at = (hop: number): number => (hop < 0 ? start : hops[hop]!);
  const windowFrom = (hop: number | null): number => {
    if (hop === null) return 0;
    const from = at(hop);
    return horizon > from ? horizon - from : 0;
  };
  return {
    ...replay.result,
    exposureWindowMs: windowFrom(replay.exposureFrom),
    accessWindowMs: windowFrom(replay.accessFrom),
    firstAccessMs: replay.firstAccess === null ? null : at(replay.firstAccess) - start,
    containmentMs: null,
  };
}

/** Used by the workspace: policies' replay caches (null: the policy never replays). */
export type PolicyReplays = Map<Policy, Map<string, Entry> | null>;
