/**
 * One trial: one scenario, policy, attack and trial index → its metrics (SPEC §5). Pure and
 * synchronous: the result depends only on the compiled model and the four indices.
 */
import type { CompiledModel } from '../model/compile.js';
import type { CostMetrics, TrialMetrics } from '../domain/metrics.js';
import { ADMIN, READ, WRITE } from '../domain/actions.js';
import { createRng, deriveSeed } from '../lib/rng.js';
import type { CredentialModes } from '../policy/modes.js';
import {
  occurrencesPerTrial,
  workloadCost,
  workloadCostPart,
  type CostPart,
  type CostPartOf,
  type IssuanceSink,
} from '../workload/cost.js';
import { drawsAtRandom } from '../workload/occurrence.js';
import { OccurrenceCache } from '../workload/occurrence-cache.js';
import { footholdOf } from '../attacks/registry.js';
import type { TrialContext } from '../reach/context.js';
import { expand, type TraceEvent } from '../reach/engine.js';
import { workspaceOf } from '../reach/workspace.js';
import { recordsExfiltrated } from './exfiltration.js';
import { confirmedReach } from './confirmed.js';

/** The seed of a trial (the `seed` column of trials.csv): from its identity only, never from run order. */
export function trialSeed(model: CompiledModel, policyIndex: number, attackIndex: number, trialIndex: number): number {
  const s = model.scenario;
  return deriveSeed(s.seed, s.name, s.policies[policyIndex]!.name, s.attacks[attackIndex]!.name, trialIndex);
}

/** The seed of a trial's workload draws: shared by every attack of the same policy and trial. */
export function costSeedOf(model: CompiledModel, policyIndex: number, trialIndex: number): number {
  const s = model.scenario;
  return deriveSeed(s.seed, s.name, s.policies[policyIndex]!.name, 'workload', trialIndex);
}

interface ModelCache {
  readonly modes: Map<number, CredentialModes>;
  /** Per policy: whether its cost pass draws nothing at random (one pass for every trial). */
  readonly deterministic: Map<number, boolean>;
  readonly costs: Map<string, CostMetrics>;
  /** Risk sums per reach: trials replayed from one recording (S10) share its reach maps, so they sum once. */
  readonly sums: WeakMap<ReadonlyMap<number, number>, ReachSums>;
  replicates?: number;
}

/** What a trial's risk metrics sum over its reach (deterministic in the reached and touched maps). */
interface ReachSums {
  readonly touched: ReadonlyMap<number, number>;
  readonly metrics: Pick<
    TrialMetrics,
    | 'records_exfiltrated'
    | 'resources_reached'
    | 'attack_success'
    | 'blast_radius'
    | 'records_exposed'
    | 'privileged_resources'
    | 'confirmed_resources_reached'
    | 'confirmed_blast_radius'
  >;
}
const caches = new WeakMap<CompiledModel, ModelCache>();
const MAX_CACHED_COSTS = 4096;

function cacheOf(model: CompiledModel): ModelCache {
  let cache = caches.get(model);
  if (cache === undefined) {
    cache = { modes: new Map(), deterministic: new Map(), costs: new Map(), sums: new WeakMap() };
    caches.set(model, cache);
  }
  return cache;
}

/**
 * The credential modes of a policy, computed once per model, and once per graph for the policies that
 * set them alike (Workspace.modes): an attribution variant that keeps its policy's lifetime, or a
 * tempo variant, has its policy's modes (on a 10k-agent estate, 30–60 ms a computation and thread).
 */
export function modesOf(model: CompiledModel, policyIndex: number): CredentialModes {
  const cache = cacheOf(model);
  let modes = cache.modes.get(policyIndex);
  if (modes === undefined) {
    modes = workspaceOf(model).modes(model, model.scenario.policies[policyIndex]!);
    cache.modes.set(policyIndex, modes);
  }
  return modes;
}

/**
 * When no task's occurrences make a random draw (nothing requested from an issuer with random latency
 * or availability, no approval wait drawn at random), every trial has the same cost: one pass for all.
 */
function deterministicCost(model: CompiledModel, policyIndex: number): boolean {
  const cache = cacheOf(model);
  let known = cache.deterministic.get(policyIndex);
  if (known === undefined) {
    const policy = model.scenario.policies[policyIndex]!;
    const modes = modesOf(model, policyIndex);
    known = true;
    for (let t = 0; t < model.scenario.workload.length && known; t++) known = !drawsAtRandom(model, policy, modes, t);
    cache.deterministic.set(policyIndex, known);
  }
  return known;
}

/** Workloads up to this many occurrences per trial get an exact cost pass for every trial. */
export const EXACT_COST_OCCURRENCES = 50_000;
/** Above it, the replicate schedules of one policy replay at most about this many occurrences in all. */
export const REPLICATE_OCCURRENCE_BUDGET = 2_000_000;

/**
 * How many distinct workload schedules feed a policy's cost metrics: Infinity (each trial its own,
 * drawn with the trial's workload seed) for workloads up to EXACT_COST_OCCURRENCES occurrences; above
 * that, K = max(1, ⌊budget / occurrences⌋) replicate schedules and trial i reports replicate i mod K.
 * A big workload's totals vary by well under a percent between schedules (thousands of independent
 * occurrences), so replaying millions of benign tasks per trial would buy nothing; the attack itself
 * still sees the trial's own draws. K depends only on the scenario, never on --trials, workers or shards.
 */
export function costReplicates(model: CompiledModel): number {
  const occurrences = occurrencesPerTrial(model);
  if (occurrences <= EXACT_COST_OCCURRENCES) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.floor(REPLICATE_OCCURRENCE_BUDGET / occurrences));
}

/** Which cost pass a trial reports: its cache key and the seed of its workload draws. */
export interface CostSlot {
  readonly key: string;
  readonly seed: number;
}

/** costReplicates of a model, computed once. */
function replicatesOf(model: CompiledModel): number {
  const cache = cacheOf(model);
  cache.replicates ??= costReplicates(model);
  return cache.replicates;
}

/** The cost pass of trial `trialIndex` under policy `policyIndex` (see costReplicates). */
export function costSlot(model: CompiledModel, policyIndex: number, trialIndex: number): CostSlot {
  if (deterministicCost(model, policyIndex)) return { key: `${policyIndex}|*`, seed: costSeedOf(model, policyIndex, 0) };
  const replicates = replicatesOf(model);
  if (Number.isFinite(replicates)) {
    const replicate = trialIndex % replicates;
    const policy = model.scenario.policies[policyIndex]!;
    return {
      key: `${policyIndex}|r${replicate}`,
      seed: deriveSeed(model.scenario.seed, model.scenario.name, policy.name, 'workload-replicate', replicate),
    };
  }
  return { key: `${policyIndex}|${trialIndex}`, seed: costSeedOf(model, policyIndex, trialIndex) };
}

/**
 * Whether trials of a policy share cost passes (a deterministic issuer, or K replicates of a big
 * workload) rather than each having its own. A parallel executor computes shared passes once, each
 * on one worker, and primes the others with the results (primeCost).
 */
export function costIsShared(model: CompiledModel, policyIndex: number): boolean {
  return deterministicCost(model, policyIndex) || Number.isFinite(replicatesOf(model));
}

/** Runs one cost pass with the workload draws of `seed` (a costSlot's, or a trial's), without caching it. */
export function computeCost(model: CompiledModel, policyIndex: number, seed: number, onIssue?: IssuanceSink): CostMetrics {
  return workloadCost(model, model.scenario.policies[policyIndex]!, modesOf(model, policyIndex), seed, onIssue);
}

/** Runs part `part` of a cost pass with the workload draws of `seed` (the parts merge with workload/cost.ts mergeCostParts). */
export function computeCostPart(model: CompiledModel, policyIndex: number, seed: number, part: CostPartOf): CostPart {
  return workloadCostPart(model, model.scenario.policies[policyIndex]!, modesOf(model, policyIndex), seed, part);
}

/** Hands this thread a cost pass computed elsewhere: trials of that slot then reuse it. */
export function primeCost(model: CompiledModel, slot: CostSlot, cost: CostMetrics): void {
  const cache = cacheOf(model);
  if (cache.costs.size >= MAX_CACHED_COSTS) cache.costs.clear();
  cache.costs.set(slot.key, cost);
}

function costOf(model: CompiledModel, policyIndex: number, trialIndex: number, onIssue?: IssuanceSink): CostMetrics {
  // A sink must see every token this trial mints: no cache.
  if (onIssue !== undefined) return computeCost(model, policyIndex, costSeedOf(model, policyIndex, trialIndex), onIssue);
  const slot = costSlot(model, policyIndex, trialIndex);
  const cache = cacheOf(model);
  let cost = cache.costs.get(slot.key);
  if (cost === undefined) {
    cost = computeCost(model, policyIndex, slot.seed);
    primeCost(model, slot, cost);
  }
  return cost;
}

/** The risk sums of a reach, computed once per pair of maps (S10 replays share them). */
function sumsOf(
  model: CompiledModel,
  reached: ReadonlyMap<number, number>,
  touched: ReadonlyMap<number, number>,
): ReachSums['metrics'] {
  const cache = cacheOf(model).sums;
  const known = cache.get(reached);
  if (known !== undefined && known.touched === touched) return known.metrics;
  let blast = 0;
  let records = 0;
  let privileged = 0;
  for (const [resource, actions] of reached) {
    blast += model.weight[resource]!;
    if ((actions & (READ | ADMIN)) !== 0) records += model.records[resource]!;
    if ((actions & (WRITE | ADMIN)) !== 0) privileged++;
  }
  const metrics: ReachSums['metrics'] = {
    records_exfiltrated: recordsExfiltrated(model, touched),
    resources_reached: reached.size,
    attack_success: reached.size > 0 ? 1 : 0,
    blast_radius: blast,
    records_exposed: records,
    privileged_resources: privileged,
    ...confirmedReach(model, reached),
  };
  cache.set(reached, { touched, metrics });
  return metrics;
}

/** Runs one trial. */
export function runTrial(model: CompiledModel, policyIndex: number, attackIndex: number, trialIndex: number): TrialMetrics {
  return runTrialDetailed(model, policyIndex, attackIndex, trialIndex).metrics;
}

/** A trial's metrics with the number of engine events it processed (benchmarks) and, on request, its trace. */
export interface DetailedTrial {
  readonly metrics: TrialMetrics;
  /** Heap events (hops, wake-ups, detections). */
  readonly events: number;
  /** Attacker steps evaluated, plus the heap events (see ReachResult.steps). */
  readonly steps: number;
  /** The credentials the attacker held while valid (the credentials_harvested metric counts them). */
  readonly harvested: ReadonlySet<number>;
}

/** Optional observers of a trial. */
export interface TrialObservers {
  /** Every attacker step, with the reason it worked or not. */
  readonly trace?: (event: TraceEvent) => void;
  /** Every token the trial's workload mints (the cost pass then runs for this trial, uncached). */
  readonly onIssue?: IssuanceSink;
  /** Skip the workload's cost pass (attribution variants need risk metrics only): cost metrics are 0. */
  readonly riskOnly?: boolean;
  /** Run the engine without its S9 shortcuts (docs/semantics-engine.md): the reference tests compare them with. */
  readonly reference?: boolean;
  /**
   * The trial's workload occurrences, shared with the other runs of the same trial index that draw
   * the same workload: the policy's attacks and tempo variants, and its attribution variants with the
   * same occurrence key (the seed is the policy's, costSeedOf), so one replay serves them all
   * (exec/worker.ts runBatch). A new cache per trial when absent.
   */
  readonly occurrences?: OccurrenceCache;
}

const NO_COST: CostMetrics = {
  tokens_issued: 0,
  peak_issuance_per_s: 0,
  issuance_wait_p95_ms: 0,
  tasks_total: 0,
  tasks_failed: 0,
  reauthorizations: 0,
};

/** Runs one trial, counting engine events; observers see every attacker step and every minted token. */
export function runTrialDetailed(
  model: CompiledModel,
  policyIndex: number,
  attackIndex: number,
  trialIndex: number,
  observers: TrialObservers = {},
): DetailedTrial {
  const { trace, onIssue } = observers;
  const scenario = model.scenario;
  const policy = scenario.policies[policyIndex]!;
  const attack = scenario.attacks[attackIndex]!;
  const seed = trialSeed(model, policyIndex, attackIndex, trialIndex);
  const detectSeed = deriveSeed(seed, 'detect');
  const ctx: TrialContext = {
    model,
    policy,
    modes: modesOf(model, policyIndex),
    costSeed: costSeedOf(model, policyIndex, trialIndex),
    rng: createRng(seed),
    detectSeed,
    hopSeed: deriveSeed(seed, 'hop'),
    occurrences: observers.occurrences ?? new OccurrenceCache(),
  };
  const reach = expand(ctx, footholdOf(ctx, attack), attack.hopDelay, attack.maxHops, trace, observers.reference !== true);

  const sums = sumsOf(model, reach.reached, reach.touched);
  const cost = observers.riskOnly === true ? NO_COST : costOf(model, policyIndex, trialIndex, onIssue);
  // Every field written out, in METRICS order: one object of one shape per trial, without copying
  // the parts through spreads.
  const metrics: TrialMetrics = {
    records_exfiltrated: sums.records_exfiltrated,
    resources_reached: sums.resources_reached,
    attack_success: sums.attack_success,
    blast_radius: sums.blast_radius,
    records_exposed: sums.records_exposed,
    privileged_resources: sums.privileged_resources,
    credentials_harvested: reach.credentialsHarvested,
    max_hops: reach.maxHops,
    exposure_window_s: reach.exposureWindowMs / 1000,
    access_window_s: reach.accessWindowMs / 1000,
    time_to_first_access_s: reach.firstAccessMs === null ? null : reach.firstAccessMs / 1000,
    time_to_containment_s: reach.containmentMs === null ? null : reach.containmentMs / 1000,
    confirmed_resources_reached: sums.confirmed_resources_reached,
    confirmed_blast_radius: sums.confirmed_blast_radius,
    tokens_issued: cost.tokens_issued,
    peak_issuance_per_s: cost.peak_issuance_per_s,
    issuance_wait_p95_ms: cost.issuance_wait_p95_ms,
    tasks_total: cost.tasks_total,
    tasks_failed: cost.tasks_failed,
    reauthorizations: cost.reauthorizations,
  };
  return { metrics, events: reach.events, steps: reach.steps, harvested: reach.harvested };
}
