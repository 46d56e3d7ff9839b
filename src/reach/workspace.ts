/**
 * The per-thread trial workspace of one compiled graph: reusable arrays (Scratch) shared by every
 * trial this thread runs over that graph, so a trial allocates nothing per edge or per node, and the
 * tables derived from the graph and its workload (step scopes, standing scopes, self requests, tasks
 * per node, credential modes, S10 recordings per policy).
 *
 * It is a cache, not state: an entry counts only when its stamp equals the running trial's
 * generation (`nextGeneration()`, taken once per trial when the attacker state is built), so a trial
 * that reaches ten nodes of a million-edge estate clears nothing and no trial sees another's entries.
 * Each worker thread loads its own copy of this module, hence its own workspaces, keyed by the
 * compiled graph (a WeakMap on the model's grants): a variant's model, which shares its base's graph
 * and workload with other policies or attacks, shares its base's workspace, and recordings are kept
 * per policy object, so the tempo variants (the base's policies) replay the base's recordings and an
 * attribution variant (a policy of its own) records its own. Trials on one thread run one after another.
 * Nothing else in reach/ is a module-level cache (material.ts's candidate copy and context.ts's sweep
 * scratch are filled and read within one synchronous call).
 */
import { ADMIN, READ, WRITE } from '../domain/actions.js';
import { requestKey } from '../model/compile.js';
import type { CompiledModel, PairSet } from '../model/compile.js';
import type { Policy } from '../domain/scenario.js';
import { credentialModes, modesKeyOf, type CredentialModes } from '../policy/modes.js';
import type { PolicyReplays } from './replay.js';

/** The per-trial arrays of one thread's trials over one compiled graph (each trial takes a new generation). */
export class Scratch {
  /** Per grant edge: stamp and the actions already attempted on it (R9 draws once per action). */
  grantStamp = new Uint32Array(0);
  grantBits = new Uint8Array(0);
  /** Per holder read by the attacker (R3/R6, see exposeHolder): stamp, depth of the last read, next change. */
  nodeStamp = new Uint32Array(0);
  readDepth = new Int32Array(0);
  stableUntil = new Float64Array(0);
  /** For a controlled node's own reads (R1/R6 as the node): stamp and depth of its last full read. */
  controlStamp = new Uint32Array(0);
  controlDepth = new Int32Array(0);
  /** Per holds edge of a controlled node read this trial: the next moment that credential's material there can change. */
  holdStable = new Float64Array(0);
  /** S6 per node: stamp, and per (node · 8 + action) the fewest hops of a success (unset = NO_HOPS). */
  hopStamp = new Uint32Array(0);
  minHop = new Int32Array(0);
  /** Per resource: stamp, the actions that succeeded before (touched) and after (reached) the count filter. */
  resourceStamp = new Uint32Array(0);
  touchedBits = new Uint8Array(0);
  reachedBits = new Uint8Array(0);
  private generation = 0;

  constructor(
    private readonly edges: number,
    private readonly nodes: number,
    private readonly holdEdges: number,
  ) {}

  /**
   * A new trial's generation: every stamped entry of earlier trials stops counting. The arrays are
   * allocated at the first trial (a thread that only derives scopes never pays for them).
   */
  nextGeneration(): number {
    if (this.generation === 0) {
      this.grantStamp = new Uint32Array(this.edges);
      this.grantBits = new Uint8Array(this.edges);
      this.nodeStamp = new Uint32Array(this.nodes);
      this.readDepth = new Int32Array(this.nodes);
      this.stableUntil = new Float64Array(this.nodes);
      this.controlStamp = new Uint32Array(this.nodes);
      this.controlDepth = new Int32Array(this.nodes);
      this.holdStable = new Float64Array(this.holdEdges);
      this.hopStamp = new Uint32Array(this.nodes);
      this.minHop = new Int32Array(this.nodes * 8);
      this.resourceStamp = new Uint32Array(this.nodes);
      this.touchedBits = new Uint8Array(this.nodes);
      this.reachedBits = new Uint8Array(this.nodes);
    } else if (this.generation === 0xffffffff) {
      this.grantStamp.fill(0);
      this.nodeStamp.fill(0);
      this.controlStamp.fill(0);
      this.hopStamp.fill(0);
      this.resourceStamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }
}

/** The reusable arrays and the derived tables of one thread's trials over one compiled graph. */
export class Workspace {
  constructor(
    /** The per-trial arrays. */
    readonly scratch: Scratch,
  ) {}

  /**
   * Step scopes (per task, per step: one (target, action) pair), one shared immutable map per step: scopes
   * are told apart by identity (instances.ts sameKind), so a step's scope is built once per graph.
   */
  private readonly stepScopes: (PairSet | undefined)[][] = [];
  /** R6: per (holder · nodes + credential), what the holder may mint for itself (model.requestPairs; null: nothing). */
  private readonly selfRequests = new Map<number, PairSet | null>();
  /** C2 standing scopes (credential → pairs its users' steps declare), one shared map per credential (controls.ts). */
  readonly standingScopes = new Map<number, PairSet>();
  /** S10 recorded expansions per policy and signature (replay.ts); null for a policy that never replays. */
  readonly replays: PolicyReplays = new Map();
  private readonly ids = new WeakMap<object, number>();
  /** A number per object (scopes, told apart by identity), for replay signatures. */
  readonly objectId = (o: object): number => {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  };
  private nextId = 1;
  /** Credential modes by policy/modes.ts modesKeyOf (modes). */
  private readonly modesByKey = new Map<string, CredentialModes>();
  /** Task indices each node runs, in task order (schedule.ts), built on first use. */
  tasksByNode: ReadonlyMap<number, readonly number[]> | null = null;
  /** The scope of a step-scoped token of `model`: one (target, action) pair, one shared map per step. */
  stepScope(model: CompiledModel, task: number, step: number): PairSet {
    const steps = (this.stepScopes[task] ??= []);
    let scope = steps[step];
    if (scope === undefined) {
      const s = model.scenario.workload[task]!.steps[step]!;
      scope = new Map([[model.indexOf.get(s.target)!, s.action === 'read' ? READ : s.action === 'write' ? WRITE : ADMIN]]);
      steps[step] = scope;
    }
    return scope;
  }

  /**
   * The credential modes of `policy`, shared by the policies of this graph that set them alike
   * (policy/modes.ts modesKeyOf): the scenario's nodes and credential times they also depend on are
   * the graph's, which a variant's model shares with its base.
   */
  modes(model: CompiledModel, policy: Policy): CredentialModes {
    const key = modesKeyOf(model, policy);
    let modes = this.modesByKey.get(key);
    if (modes === undefined) this.modesByKey.set(key, (modes = credentialModes(model, policy)));
    return modes;
  }

  /** The pairs `holder` declares for minting `cred` as itself (model.requestPairs), null when none: looked up once. */
  selfRequest(model: CompiledModel, holder: number, cred: number): PairSet | null {
    const key = holder * model.nodeCount + cred;
    let pairs = this.selfRequests.get(key);
    if (pairs === undefined) {
      pairs = model.requestPairs.get(requestKey(holder, holder, cred)) ?? null;
      this.selfRequests.set(key, pairs);
    }
    return pairs;
  }
}

/** Keyed by the compiled grants, which a variant's model shares with its base: one graph, one workspace. */
const workspaces = new WeakMap<object, Workspace>();

/** This thread's workspace for the graph of `model` (created on first use). */
export function workspaceOf(model: CompiledModel): Workspace {
  let ws = workspaces.get(model.grants);
  if (ws === undefined) {
    ws = new Workspace(new Scratch(model.grants.to.length, model.nodeCount, model.holds.to.length));
    workspaces.set(model.grants, ws);
  }
  return ws;
}
