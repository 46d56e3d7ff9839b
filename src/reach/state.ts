/**
 * The attacker state of one trial's expansion: everything the rules (instances, material, use, tools,
 * exchange, detection, control, streams, windows) read and write, built once per trial by `expand`.
 * The rule modules are functions of this object; a test can build one on a hand-made model and drive
 * a single rule (one attacker action at a time).
 */
import type { Distribution, Policy } from '../domain/scenario.js';
import { sampleAt } from '../lib/distribution.js';
import { keyedUniform } from '../lib/rng.js';
import type { CompiledModel, PairSet } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import type { TrialContext } from './context.js';
import type { Control } from './control.js';
import type { Instance } from './instances.js';
import type { Invocation } from './tools.js';
import type { TraceEvent } from './trace.js';
import { workspaceOf } from './workspace.js';

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

/** S2: the moment what an event at `t` gains becomes usable, drawn keyed by the trial's hop seed and `t` (AttackerState.nextHopAt). */
export function hopAfter(hopSeed: number, hopDelay: Distribution, t: number): number {
  // A fixed delay needs no draw (sampleAt would ignore it).
  if (hopDelay.kind === 'fixed') return t + hopDelay.valueMs;
  const ms = Math.floor(t);
  const u = keyedUniform(hopSeed, Math.floor(ms / 4294967296), ms >>> 0, Math.round((t - ms) * 1e6), 0);
  return t + sampleAt(hopDelay, u);
}

const noDetect = (_at: number, _key: number): void => {};

/** One trial's attacker state (created once per trial; per-edge and per-node arrays come from the thread's workspace). */
export class AttackerState {
  readonly model: CompiledModel;
  readonly policy: Policy;
  readonly modes: CredentialModes;
  readonly horizon: number;
  readonly nodeCount: number;
  readonly envCount: number;

  /** The moment of the event being processed (S9 streams start there). */
  now: number;
  /** Whether the current hop gained something new (a hop follows; otherwise a wake-up). */
  progress = false;
  /** Whether it gained more than new copies: a reach, a control, an invocation (S9 inert hops). */
  gained = false;
  /** Attacker steps evaluated (see ReachResult.steps). */
  steps = 0;
  /** Earliest counted resource success. */
  firstAccess: number | null = null;
  /** Called with (time, revocation key) when a detection moves a key's revocation earlier (the event loop schedules it). */
  onDetect: (at: number, key: number) => void = noDetect;

  /** Instances held (R6), at most one per kind unless neither dominates the other (#10.3). */
  readonly held: Instance[] = [];
  /** Instances superseded by a newer copy of the same kind: kept for the exposure window. */
  readonly superseded: Instance[] = [];
  /** credential → indices into `held` of its instances (one per kind). */
  readonly heldByCred = new Map<number, number[]>();
  /** Controlled node → its control and the supports it lasts with (R4, E1, S4). */
  readonly controls = new Map<number, Control>();
  /** Tool → the invocation acting through it (R5). */
  readonly invocations = new Map<number, Invocation>();
  /** Credentials whose material the attacker obtained while it still worked somewhere. */
  readonly harvested = new Set<number>();
  /** Other attempts (issuance requests, exchanges) as ((cred · nodes) + target) · 8 + action (R9: one draw each). */
  readonly attempted = new Set<number>();
  /**
   * Per instance: the exchange targets already tried with it. The outcome of an exchange depends only
   * on the instance and the target (a mint capability lasts as long as its source, E3), so a later
   * try changes nothing but the skip trace when the source is revoked there.
   */
  readonly exchanged = new Map<Instance, Set<number>>();
  /** Per tool invocation and held credential: the instance it acts with (valid while `t < until`; null = denied for good). */
  readonly toolInstances = new Map<Invocation, (Instance | null)[]>();

  /** Bumped whenever a revocation or a control change can move when something ends (mintEnd's cache). */
  endsRevision = 0;
  /** E3: each mint capability's end as of `endsRevision` (exchange.ts mintEnd). */
  readonly mintEnds = new Map<Instance, { revision: number; end: { natural: number; actual: number } }>();
  /** revocation key → detection time (revocation starts then, plus the latency of each target's environment). */
  readonly revokedAt = new Map<number, number>();
  /** deadEverywhere per key, dropped whenever a detection moves that key's revocation. */
  readonly deadCache = new Map<number, number>();
  /** revocation key → time of the attempt whose detection set `revokedAt` (the simultaneity rule, S1). */
  readonly detectedFrom = new Map<number, number>();
  /** (cred · envs + env) → revocation latency draw (S3). */
  readonly latencyCache = new Map<number, number>();
  /**
   * Per credential: the next moment its material can change after the moment it was asked for (a
   * mint or a rotation), valid for every later question before it: nothing changes in between.
   */
  readonly nextChangeAt = new Map<number, number>();
  /** Holders whose material the attacker has seen exposed (R3): watched for changes. */
  readonly watched = new Set<number>();
  /** Tool-acting instances with the node whose control they last with (access window, S7). */
  readonly acting: { inst: Instance; root: number }[] = [];
  /** (key · nodes + target) of skips already traced (S8). */
  readonly skipped = new Set<number>();

  /** S9: per (node · nodes + cred), which kinds of task mint the copies landing there (streams.ts bits). */
  readonly copyKinds = new Map<number, number>();
  /** S9: (node · nodes + cred) whose blocked copies were left to the end → the moment they were (copies minted later count). */
  readonly streams = new Map<number, number>();
  /** S9: holder → the instances that read it (after their first full use at `from`): who keeps reading it. */
  readonly readersOf = new Map<number, { inst: Instance; from: number }[]>();
  /** S9: (holder · nodes + cred) → when its bound copies were left to the end (watched streams). */
  readonly watchStreams = new Map<number, number>();
  /** S9: (holder · nodes + cred) of a live feed (E2) whose bound copies were left to the end → the moment they were. */
  readonly feedStreams = new Map<number, number>();
  /** S9 idle holders: per watched holder, the bound past which none of its readers can read it, as of `endsRevision` (streams.ts readersEnd). */
  readonly readersEnd = new Map<number, { revision: number; seen: number; until: number }>();
  /** S9 covered streams: per watched holder, the fewest hops of its readers (`seen` of them so far) and whether a tool acting for the attacker is one (streams.ts watchedChange). */
  readonly readerDepth = new Map<number, { seen: number; depth: number; tool: boolean }>();
  /**
   * S9: the waits for a hop, as pairs (t, H) in time order: after an event at t that gained something
   * the attacker reads nothing until its hop at H (no wake-up), so stream copies landing in between
   * are not read as they land; the hop reads the newest one.
   */
  readonly hopWaits: number[] = [];
  /** Credential → lowest depth at which a bound copy of it was used in full (its denied attempts drawn). */
  readonly blockedDepth = new Map<number, number>();

  /** This trial's generation in the workspace: per-edge and per-node entries count only when stamped with it. */
  readonly gen: number;
  readonly grantStamp: Uint32Array;
  readonly grantBits: Uint8Array;
  readonly nodeStamp: Uint32Array;
  readonly readDepth: Int32Array;
  readonly stableUntil: Float64Array;
  readonly controlStamp: Uint32Array;
  readonly controlDepth: Int32Array;
  readonly holdStable: Float64Array;
  /** S6: per node stamp, per (node · 8 + action) fewest hops; `hopNodes` lists the nodes stamped this trial. */
  readonly hopStamp: Uint32Array;
  readonly minHop: Int32Array;
  readonly hopNodes: number[] = [];
  /**
   * Resource successes in the workspace: per resource a stamp and the action bits touched (before the
   * count filter, C5) and reached (after it); the resources in order of first touch and first reach
   * (the result's maps keep those orders).
   */
  readonly resourceStamp: Uint32Array;
  readonly touchedBits: Uint8Array;
  readonly reachedBits: Uint8Array;
  readonly touchedOrder: number[] = [];
  readonly reachedOrder: number[] = [];

  /** The actions that succeeded on resource `r` after the count filter (0 = not reached). */
  /**
   * The moment what is gained by an event at `t` becomes usable: `t` plus a hop delay keyed by the
   * moment (S2: the trial's hop seed, whole milliseconds in two 32-bit halves and the fraction in
   * microseconds), so a wake-up that gains nothing, or one the S9 shortcuts skip, shifts no later hop,
   * and a stream copy left to the end of the trial gets the delay the event at its landing would draw.
   */
  nextHopAt(t: number): number {
    return hopAfter(this.ctx.hopSeed, this.hopDelay, t);
  }

  reachedOn(r: number): number {
    return this.resourceStamp[r] === this.gen ? this.reachedBits[r]! : 0;
  }

  constructor(
    readonly ctx: TrialContext,
    readonly foothold: Foothold,
    /** Delay between hops (nextHopAt). */
    readonly hopDelay: Distribution,
    readonly maxHops: number,
    readonly trace: ((event: TraceEvent) => void) | undefined,
  ) {
    this.model = ctx.model;
    this.policy = ctx.policy;
    this.modes = ctx.modes;
    this.horizon = ctx.model.scenario.horizonMs;
    this.nodeCount = ctx.model.nodeCount;
    this.envCount = ctx.model.envNames.length;
    this.now = foothold.firstHopMs;
    const ws = workspaceOf(ctx.model).scratch;
    this.gen = ws.nextGeneration();
    this.grantStamp = ws.grantStamp;
    this.grantBits = ws.grantBits;
    this.nodeStamp = ws.nodeStamp;
    this.readDepth = ws.readDepth;
    this.stableUntil = ws.stableUntil;
    this.controlStamp = ws.controlStamp;
    this.controlDepth = ws.controlDepth;
    this.holdStable = ws.holdStable;
    this.hopStamp = ws.hopStamp;
    this.minHop = ws.minHop;
    this.resourceStamp = ws.resourceStamp;
    this.touchedBits = ws.touchedBits;
    this.reachedBits = ws.reachedBits;
  }
}
