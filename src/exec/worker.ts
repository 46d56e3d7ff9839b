/**
 * The worker-thread side of the pool: runs batches of trials of one (scenario, policy, attack).
 *
 * Each compiled model reaches a worker once: the parent serialises it into shared memory, every task
 * carries a handle to those bytes (ModelHandle), and a worker deserialises a model the first time a
 * task needs it, then keeps it. A variant of a model (attribution's policies, tempo's attacks) ships
 * as the scenario fields it changes, laid over the model the worker already has.
 * Results travel back as one transferred Float64Array per batch (`null` metrics as NaN).
 */
import { deserialize } from 'node:v8';
import { move } from 'piscina';
import { COST_METRICS, METRICS } from '../domain/metrics.js';
import type { CostMetrics, TrialMetrics } from '../domain/metrics.js';
import type { CompiledModel } from '../model/compile.js';
import { computeCost, computeCostPart, costSlot, primeCost, runTrialDetailed, type CostSlot } from '../sim/trial.js';
import type { CostPart, CostPartOf } from '../workload/cost.js';
import { assertNever } from '../lib/assert.js';
import { boundToRequester, brokerFor } from '../policy/modes.js';
import { RealTokenSink } from '../workload/real-tokens.js';
import { occurrenceKeyOf, type Issuance } from '../workload/occurrence.js';
import { OccurrenceCache } from '../workload/occurrence-cache.js';

/**
 * Which compiled model a task runs on: `base` names the compiled arrays (`bytes`, the serialised
 * model, shared by every worker), `id` the model itself — the base's scenario with the fields in
 * `overlay` (serialised, null for the base itself) in place of its own.
 */
export interface ModelHandle {
  readonly id: number;
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly overlay: Uint8Array | null;
}

/**
 * One batch: trials `[trialStart, trialEnd)` of one (scenario, policy), for each block (a cell of the
 * plan with that trial range): attack `attacks[i]` under policy `policies[i]`. Each trial runs every
 * block in turn on one replay of the trial's workload occurrences: they draw the same ones (the seed
 * is the policy's, sim/trial.ts costSeedOf, and the blocks' policies are one policy or variants of it
 * that leave its workload alone, workload/occurrence.ts occurrenceKeyOf).
 */
export interface BatchTask {
  readonly kind: 'batch';
  readonly scenarioIndex: number;
  /** The model of the scenario (set when the task goes to a worker thread). */
  readonly model?: ModelHandle;
  /** The policy of the cost passes and real tokens: every block's, unless the batch is risk only. */
  readonly policyIndex: number;
  readonly attacks: readonly number[];
  /** Each block's policy (parallel to `attacks`). */
  readonly policies: readonly number[];
  readonly trialStart: number;
  readonly trialEnd: number;
  /** Shared cells: the trial and the attack being run, so the parent can name them if the thread dies. */
  readonly cursor: Int32Array;
  /** `--real-tokens`: mint and verify every token the trials issue; the result then carries a trailer. */
  readonly realTokens?: boolean;
  /** Risk metrics only (attribution variants): no cost pass. */
  readonly riskOnly?: boolean;
  /** Shared cost passes computed on other workers (CostTask), to reuse instead of recomputing. */
  readonly primed?: readonly PrimedCost[];
}

/**
 * Part of a shared cost pass of one policy (sim/trial.ts costIsShared, costSlot): computed once, its
 * parts on several workers, and merged exactly in the parent (workload/cost.ts mergeCostParts).
 */
export interface CostTask {
  readonly kind: 'cost';
  readonly scenarioIndex: number;
  readonly model: ModelHandle;
  readonly policyIndex: number;
  readonly slot: CostSlot;
  readonly part: CostPartOf;
}

/**
 * The own cost passes of trials `[trialStart, trialEnd)` of one policy whose trials each draw their own
 * workload (sim/trial.ts costIsShared false): computed once for every attack of the policy, and joined
 * to the attacks' risk-only batches in the parent.
 */
export interface TrialCostsTask {
  readonly kind: 'costs';
  readonly scenarioIndex: number;
  readonly model: ModelHandle;
  readonly policyIndex: number;
  readonly trialStart: number;
  readonly trialEnd: number;
}

/** Everything a worker runs, tagged by `kind`. */
export type WorkerTask = BatchTask | CostTask | TrialCostsTask;

/** What a worker hands back for each kind of task. */
export interface WorkerResults {
  /** `attacks × (trialEnd − trialStart) × METRICS.length` values (and a real-token trailer): see runBatch. */
  readonly batch: Float64Array;
  /** The part of the pass, packed by encodeCostPart (one buffer, moved rather than copied). */
  readonly cost: Float64Array;
  /** `(trialEnd − trialStart) × COST_METRICS.length` values, row-major. */
  readonly costs: Float64Array;
}

/** A computed shared cost pass: its slot and the COST_METRICS values in order. */
export interface PrimedCost {
  readonly policyIndex: number;
  readonly slot: CostSlot;
  readonly values: readonly number[];
}

/** Computes one part of a shared cost pass, packed for the trip back. */
export function runCostTask(model: CompiledModel, task: CostTask): Float64Array {
  return encodeCostPart(computeCostPart(model, task.policyIndex, task.slot.seed, task.part));
}

/** Computes each trial's own cost pass: `(trialEnd − trialStart) × COST_METRICS.length` values, row-major. */
export function runTrialCosts(model: CompiledModel, task: Omit<TrialCostsTask, 'model'>): Float64Array {
  const width = COST_METRICS.length;
  const out = new Float64Array((task.trialEnd - task.trialStart) * width);
  for (let trial = task.trialStart; trial < task.trialEnd; trial++) {
    const cost = computeCost(model, task.policyIndex, costSlot(model, task.policyIndex, trial).seed);
    for (let m = 0; m < width; m++) out[(trial - task.trialStart) * width + m] = cost[COST_METRICS[m]!];
  }
  return out;
}

/** Totals (4), then the lengths of the two parallel-array pairs, then the arrays. */
const PART_HEADER = 6;

/** Packs a cost part into one Float64Array (every field is a number, counts are exact in doubles). */
export function encodeCostPart(part: CostPart): Float64Array {
  const seconds = part.seconds.length;
  const waits = part.waitValues.length;
  const out = new Float64Array(PART_HEADER + 2 * seconds + 2 * waits);
  out.set([part.tokensIssued, part.tasksTotal, part.tasksFailed, part.reauthorizations, seconds, waits]);
  out.set(part.seconds, PART_HEADER);
  out.set(part.secondCounts, PART_HEADER + seconds);
  out.set(part.waitValues, PART_HEADER + 2 * seconds);
  out.set(part.waitCounts, PART_HEADER + 2 * seconds + waits);
  return out;
}

/** The cost part packed by encodeCostPart. */
export function decodeCostPart(v: Float64Array): CostPart {
  const seconds = v[4]!;
  const waits = v[5]!;
  const at = (i: number, n: number): Float64Array => v.subarray(PART_HEADER + i, PART_HEADER + i + n);
  return {
    tokensIssued: v[0]!,
    tasksTotal: v[1]!,
    tasksFailed: v[2]!,
    reauthorizations: v[3]!,
    seconds: at(0, seconds),
    secondCounts: at(seconds, seconds),
    waitValues: at(2 * seconds, waits),
    waitCounts: at(2 * seconds + waits, waits),
  };
}

function prime(model: CompiledModel, primed: readonly PrimedCost[] | undefined): void {
  for (const p of primed ?? []) {
    const cost = Object.fromEntries(COST_METRICS.map((m, i) => [m, p.values[i]!])) as CostMetrics;
    primeCost(model, p.slot, cost);
  }
}

/** Values after the metrics of a `realTokens` batch: tokens minted, tokens verified, wall-clock ms. */
export const REAL_TOKEN_TRAILER = 3;

/** The real-token work of one batch (zero without `--real-tokens`). */
export interface RealTokenWork {
  readonly minted: number;
  readonly verified: number;
  readonly wallMs: number;
}

/**
 * Runs a batch against a model: per block in turn, `(trialEnd − trialStart) × METRICS.length` values,
 * row-major; then with `realTokens` a trailer of REAL_TOKEN_TRAILER values for the whole batch (see
 * RealTokenWork).
 */
export function runBatch(model: CompiledModel, task: BatchTask, hook?: (trial: number) => void): Float64Array {
  const width = METRICS.length;
  const rows = task.trialEnd - task.trialStart;
  const blocks = task.attacks.length;
  sharesWorkload(model, task);
  const out = new Float64Array(blocks * rows * width + (task.realTokens === true ? REAL_TOKEN_TRAILER : 0));
  prime(model, task.primed);
  const sink = task.realTokens === true ? realTokenSinkFor(model) : null;
  const onIssue = sink === null ? undefined : issuanceSink(model, task.policyIndex, sink);
  const before = sink === null ? null : { ...sink.counts };
  // Wall clock only here, in the executor: the simulation core never reads a clock.
  const started = performance.now();
  const riskOnly = task.riskOnly === true;
  // Under --real-tokens each attack's trial runs its own cost pass through the sink: the tokens it would mint.
  const options = onIssue === undefined ? { riskOnly } : { riskOnly, onIssue };
  // One cache for the batch, emptied for each trial index: its storage is reused.
  const occurrences = new OccurrenceCache();
  const trialOptions = { ...options, occurrences };
  for (let trial = task.trialStart; trial < task.trialEnd; trial++) {
    Atomics.store(task.cursor, 0, trial);
    occurrences.clear();
    for (let block = 0; block < blocks; block++) {
      const attack = task.attacks[block]!;
      Atomics.store(task.cursor, 1, attack);
      hook?.(trial);
      const metrics = runTrialDetailed(model, task.policies[block]!, attack, trial, trialOptions).metrics;
      const base = (block * rows + trial - task.trialStart) * width;
      for (let m = 0; m < width; m++) out[base + m] = metrics[METRICS[m]!] ?? Number.NaN;
    }
  }
  if (sink !== null && before !== null) {
    const at = blocks * rows * width;
    out[at] = sink.counts.minted - before.minted;
    out[at + 1] = sink.counts.verified - before.verified;
    out[at + 2] = performance.now() - started;
  }
  return out;
}

/**
 * Checks that the blocks of a batch draw one workload, as their shared replay assumes: one policy, or
 * risk-only variants of it (same name, hence seed) with one occurrence key.
 */
function sharesWorkload(model: CompiledModel, task: BatchTask): void {
  const { policies } = model.scenario;
  const first = policies[task.policyIndex]!;
  let firstKey: string | undefined;
  for (const index of task.policies) {
    if (index === task.policyIndex) continue;
    const policy = policies[index]!;
    firstKey ??= occurrenceKeyOf(first);
    if (task.riskOnly !== true || policy.name !== first.name || occurrenceKeyOf(policy) !== firstKey)
      throw new Error(`batch: policies ${task.policyIndex} and ${index} do not draw one workload`);
  }
}

/** The real-token trailer of a batch result (zeros when the batch ran without `--real-tokens`). */
export function realTokenWork(values: Float64Array, rows: number): RealTokenWork {
  const at = rows * METRICS.length;
  if (values.length < at + REAL_TOKEN_TRAILER) return { minted: 0, verified: 0, wallMs: 0 };
  return { minted: values[at]!, verified: values[at + 1]!, wallMs: values[at + 2]! };
}

const sinks = new WeakMap<CompiledModel, RealTokenSink>();
function realTokenSinkFor(model: CompiledModel): RealTokenSink {
  let sink = sinks.get(model);
  if (sink === undefined) {
    sink = new RealTokenSink(model);
    sinks.set(model, sink);
  }
  return sink;
}

/** Hands each issuance of a policy's workload to the real issuer, bound and scoped as the policy says. */
function issuanceSink(model: CompiledModel, policyIndex: number, sink: RealTokenSink): (issuance: Issuance) => void {
  const policy = model.scenario.policies[policyIndex]!;
  return (issuance) => {
    // Only a broker issues (a persistent policy never calls this), so the policy has broker settings.
    const broker = brokerFor(policy);
    const roleScope = broker.scope === 'role';
    sink.issue(issuance, boundToRequester(model, broker, issuance.principal, issuance.actor), roleScope);
  };
}

/** Decodes row `row` of a batch result back into metrics. */
export function decodeMetrics(values: Float64Array, row: number): TrialMetrics {
  const width = METRICS.length;
  const metrics: Record<string, number | null> = {};
  for (let m = 0; m < width; m++) {
    const v = values[row * width + m]!;
    metrics[METRICS[m]!] = Number.isNaN(v) ? null : v;
  }
  return metrics as TrialMetrics;
}

/** This thread's models by handle id, and the compiled bases they lay their overlays over. */
const models = new Map<number, CompiledModel>();
const bases = new Map<number, CompiledModel>();

function modelFor(handle: ModelHandle | undefined): CompiledModel {
  if (handle === undefined) throw new Error('worker: a task without a model');
  let model = models.get(handle.id);
  if (model === undefined) {
    let base = bases.get(handle.base);
    if (base === undefined) {
      base = deserialize(handle.bytes) as CompiledModel;
      bases.set(handle.base, base);
    }
    const overlay = handle.overlay === null ? null : (deserialize(handle.overlay) as Partial<CompiledModel['scenario']>);
    model = overlay === null ? base : { ...base, scenario: { ...base.scenario, ...overlay } };
    models.set(handle.id, model);
  }
  return model;
}

/**
 * Test hook, honoured only here (never in-process): BLASTLAB_TEST_CRASH=<trial> throws at that trial,
 * BLASTLAB_TEST_CRASH=exit:<trial> ends the worker thread abruptly, as a crash would.
 */
function crashHook(): ((trial: number) => void) | undefined {
  const spec = process.env['BLASTLAB_TEST_CRASH'];
  if (spec === undefined || spec === '') return undefined;
  const exit = spec.startsWith('exit:');
  const at = Number(exit ? spec.slice(5) : spec);
  return (trial) => {
    if (trial !== at) return;
    if (exit) process.exit(70);
    throw new Error(`BLASTLAB_TEST_CRASH: simulated failure`);
  };
}
const hook = crashHook();

/** Piscina entry point: one task of either kind (the results move back, not copied). */
export default function runWorkerTask(task: WorkerTask): WorkerResults[WorkerTask['kind']] {
  switch (task.kind) {
    case 'batch':
      return move(runBatch(modelFor(task.model), task, hook)) as Float64Array;
    case 'cost':
      return move(runCostTask(modelFor(task.model), task)) as Float64Array;
    case 'costs':
      return move(runTrialCosts(modelFor(task.model), task)) as Float64Array;
    default:
      return assertNever(task);
  }
}
