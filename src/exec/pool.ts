/**
 * Runs a trial plan on worker threads (piscina) and hands the results back in plan order.
 *
 * Work is cut into batches of consecutive trials of cells that draw one workload, each trial run for
 * every cell of the group (batches.ts planBatches); a few batches per worker are queued, refilled as
 * each ends, and a reorder buffer releases them to the consumer cell by cell, strictly in plan order
 * (batches.ts CellDelivery) — so the output never depends on which worker finished first, and memory
 * stays bounded by how far submission may run ahead of delivery (64 batches a worker) and the results
 * waiting for their turn (at most a group's bound of trial runs), not by the run. `workers: 1` runs in
 * this thread (same code, no pool).
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { Piscina } from 'piscina';
import { BlastlabError, RunInterruptedError, TrialFailedError } from '../errors.js';
import { errorMessage } from '../io/atomic.js';
import { safeWorkerTeardown } from '../lib/threads.js';
import type { CompiledModel } from '../model/compile.js';
import type { TrialPlan } from './plan.js';
import { CellDelivery, planBatches, type BatchResult } from './batches.js';
import { decodeCostPart, runBatch } from './worker.js';
import type { BatchTask, ModelHandle, PrimedCost, WorkerResults, WorkerTask } from './worker.js';
import type { Scenario } from '../domain/scenario.js';
import { COST_METRICS, METRICS } from '../domain/metrics.js';
import { costIsShared, costSlot, type CostSlot } from '../sim/trial.js';
import { mergeCostParts, occurrencesPerTrial } from '../workload/cost.js';

/** How to execute a plan. */
export interface ExecuteOptions {
  /** Worker threads; 1 runs in the calling thread. Default: available cores. */
  readonly workers?: number | undefined;
  /** Aborting stops the workers; executePlan then rejects with RunInterruptedError. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each cell's part of a batch is consumed with the number of trials consumed so far. */
  readonly onProgress?: ((trialsDone: number) => void) | undefined;
  /** Override of the worker module (tests that run from TypeScript sources point it at dist/). */
  readonly workerFile?: string | URL | undefined;
  /** `--real-tokens`: every batch mints and verifies its trials' tokens (results carry a trailer). */
  readonly realTokens?: boolean | undefined;
  /** Risk metrics only (attribution variants): no cost pass, cost columns are 0. */
  readonly riskOnly?: boolean | undefined;
  /** Worker threads to run on, kept open by the caller across plans (a new pool for this plan otherwise). */
  readonly pool?: TrialPool | undefined;
}

/** The default worker count: the machine's available parallelism. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Whether a plan runs on worker threads under these options. One worker runs in this thread — unless
 * the run can be stopped by a signal: a trial is one synchronous loop, so in this thread a signal
 * handler would wait for it to end (a runaway trial, minutes). On a thread, the abort terminates it
 * mid-trial. (From TypeScript sources there is no worker module to start: tests stay in this thread.)
 */
export function usesThreads(options: Pick<ExecuteOptions, 'workers' | 'signal' | 'workerFile'>): boolean {
  const workers = options.workers ?? defaultWorkers();
  const workerFile = options.workerFile ?? new URL('./worker.js', import.meta.url);
  return !(
    workers <= 1 &&
    (options.signal === undefined ||
      !existsSync(typeof workerFile === 'string' && !workerFile.startsWith('file:') ? workerFile : fileURLToPath(workerFile)))
  );
}

/**
 * Runs every trial of `plan` (models[i] is the compiled plan.scenarios[i]) and calls `consume` with
 * the batches in plan order. Rejects with TrialFailedError or RunInterruptedError.
 */
export async function executePlan(
  plan: TrialPlan,
  models: readonly CompiledModel[],
  options: ExecuteOptions,
  consume: (batch: BatchResult) => void | Promise<void>,
): Promise<void> {
  const workers = options.workers ?? defaultWorkers();
  // Risk-only (no cost pass, no real tokens): an attribution policy's variants that leave its workload
  // alone share batches, hence each trial's replay of it.
  const batches = planBatches(plan, workers, options.riskOnly === true && options.realTokens !== true);
  const delivery = new CellDelivery(plan, consume, options.onProgress);
  const deliver = (task: Omit<BatchTask, 'cursor'>, values: Float64Array): Promise<void> => delivery.deliver(task, values);
  const failure = (task: Omit<BatchTask, 'cursor'>, trial: number, attack: number, error: unknown): TrialFailedError => {
    const scenario = plan.scenarios[task.scenarioIndex]!;
    return new TrialFailedError(
      scenario.name,
      scenario.policies[task.policyIndex]?.name ?? `#${task.policyIndex}`,
      scenario.attacks[attack]?.name ?? `#${attack}`,
      trial,
      error instanceof Error ? error.message : String(error),
    );
  };

  const inThread = options.pool === undefined && !usesThreads(options);
  const run = { plan, models, batches, options, deliver, failure };
  await (inThread ? runInThread(run) : runOnPool(run, workers));
  delivery.end();
}

/** What both executors share: the plan, its batches, and how results and failures go back. */
interface Execution {
  readonly plan: TrialPlan;
  readonly models: readonly CompiledModel[];
  readonly batches: readonly Omit<BatchTask, 'cursor'>[];
  readonly options: ExecuteOptions;
  readonly deliver: (task: Omit<BatchTask, 'cursor'>, values: Float64Array) => Promise<void>;
  readonly failure: (task: Omit<BatchTask, 'cursor'>, trial: number, attack: number, error: unknown) => TrialFailedError;
}

/** Runs the batches one after another in this thread. */
async function runInThread({ models, batches, options, deliver, failure }: Execution): Promise<void> {
  for (const task of batches) {
    // Yield between batches so Ctrl-C and the progress bar get a turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted === true) throw RunInterruptedError.from(options.signal);
    const cursor = Int32Array.of(task.trialStart, task.attacks[0]!);
    let values: Float64Array;
    try {
      values = runBatch(models[task.scenarioIndex]!, {
        ...task,
        cursor,
        realTokens: options.realTokens === true,
        riskOnly: options.riskOnly === true,
      });
    } catch (error) {
      throw failure(task, cursor[0]!, cursor[1]!, error);
    }
    await deliver(task, values);
  }
}

/** Runs the batches on worker threads (the caller's pool, or one of its own): a few per worker queued, a bounded number ahead of delivery. */
async function runOnPool({ plan, models, batches, options, deliver, failure }: Execution, workers: number): Promise<void> {
  const shared = options.pool;
  const pool = shared ?? new TrialPool(workers, options.workerFile);
  const abort = new AbortController();
  // Every task in flight listens on it (piscina): up to 4 per worker and every cost part at once, more
  // than the 10 after which Node prints a leak warning to the user; the count is bounded by design.
  setMaxListeners(0, abort.signal);
  const onAbort = (): void => abort.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Shared cost passes of big workloads first, each once, spread over the workers: otherwise every
  // worker would replay the same millions of occurrences for its own cache.
  let primed = new Map<string, PrimedCost[]>();
  // Each trial's own cost pass, once for every attack of its policy.
  const own = new OwnCosts(pool, models, options, abort.signal);
  type Settled = { ok: true; values: Float64Array } | { ok: false; trial: number; attack: number; error: unknown };
  const inFlight = new Map<number, Promise<Settled>>();
  // Submission follows completion, not delivery: a slow batch at the head of the plan holds back only
  // the results behind it (at most `ahead` batches), never the workers. With a fixed window counted
  // from the batch awaited next, one long batch left the other workers idle until it ended.
  const perWorker = Math.max(1, workers);
  const queued = perWorker * 4;
  const ahead = perWorker * 64;
  let running = 0;
  let delivered = 0;
  let next = 0;
  const refill = (): void => {
    while (!abort.signal.aborted && next < batches.length && running < queued && next - delivered < ahead) submit(next++);
  };
  const settle = (result: Settled): Settled => {
    running--;
    refill();
    return result;
  };
  const submit = (i: number): void => {
    running++;
    const task = batches[i]!;
    const costs = own.applies(task) ? own.of(task) : null;
    const cursor = new Int32Array(new SharedArrayBuffer(8));
    cursor[0] = task.trialStart;
    cursor[1] = task.attacks[0]!;
    inFlight.set(
      i,
      pool
        .run(
          {
            ...task,
            model: pool.handle(models[task.scenarioIndex]!),
            cursor,
            realTokens: options.realTokens === true,
            riskOnly: options.riskOnly === true || costs !== null,
            primed: primed.get(policyKey(task)) ?? [],
          },
          abort.signal,
        )
        .then(
          async (values): Promise<Settled> => {
            if (costs === null) return { ok: true, values };
            try {
              joinCosts(values, await costs, task.attacks.length);
            } catch (error) {
              return { ok: false, trial: task.trialStart, attack: task.attacks[0]!, error };
            }
            return { ok: true, values };
          },
          (error: unknown): Settled => ({ ok: false, trial: Atomics.load(cursor, 0), attack: Atomics.load(cursor, 1), error }),
        )
        .then(settle),
    );
  };
  try {
    if (options.riskOnly !== true) primed = await precomputeCosts(pool, plan, models, workers, abort.signal, options.signal);
    for (let i = 0; i < batches.length; i++) {
      delivered = i;
      refill();
      const settled = await inFlight.get(i)!;
      inFlight.delete(i);
      if (options.signal?.aborted === true) throw RunInterruptedError.from(options.signal);
      if (!settled.ok) throw failure(batches[i]!, settled.trial, settled.attack, settled.error);
      pool.check();
      await deliver(batches[i]!, settled.values);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    abort.abort();
    await Promise.allSettled(inFlight.values());
    if (shared === undefined) await pool.close();
  }
}

/**
 * Worker threads for a whole run: its trials and its variant runs (attribution, tempo) share them,
 * and each model reaches each worker once. Models go to the workers by handle (worker.ts
 * ModelHandle): the compiled arrays serialised once into shared memory, a variant as the scenario
 * fields it changes. Close it when the run ends.
 */
export class TrialPool {
  private readonly piscina: Piscina;
  private failure: unknown = null;
  private closing = false;
  /** Per compiled model (by its arrays, which variants share): its id and bytes. */
  private readonly bases = new WeakMap<object, { id: number; bytes: Uint8Array; scenario: Scenario }>();
  private readonly handles = new WeakMap<CompiledModel, ModelHandle>();
  private ids = 0;

  constructor(workers: number, workerFile: string | URL = new URL('./worker.js', import.meta.url)) {
    safeWorkerTeardown();
    this.piscina = new Piscina({
      filename: workerFile.toString(),
      minThreads: Math.max(1, workers),
      maxThreads: Math.max(1, workers),
      idleTimeout: 1_000,
    });
    // A worker error outside any task (e.g. a late result of a task already aborted when another
    // failed) must not surface as an uncaught 'error' event with a stack trace: it fails the run only
    // if it happens while the run is still healthy.
    this.piscina.on('error', (error: unknown) => {
      if (!this.closing) this.failure ??= error;
    });
  }

  /** The handle a task names `model` by (serialising what the workers do not have yet). */
  handle(model: CompiledModel): ModelHandle {
    let handle = this.handles.get(model);
    if (handle !== undefined) return handle;
    let base = this.bases.get(model.kind);
    if (base === undefined) {
      base = { id: this.ids++, bytes: toShared(model), scenario: model.scenario };
      this.bases.set(model.kind, base);
    }
    const changed = Object.fromEntries(
      Object.entries(model.scenario).filter(
        ([key, value]) => (base.scenario as unknown as Record<string, unknown>)[key] !== value,
      ),
    );
    const overlay = Object.keys(changed).length === 0 ? null : toSharedBytes(serialize(changed));
    handle = { id: overlay === null ? base.id : this.ids++, base: base.id, bytes: base.bytes, overlay };
    this.handles.set(model, handle);
    return handle;
  }

  /** Runs one task; the result's type follows the task's `kind` (worker.ts WorkerResults). */
  run<T extends WorkerTask>(task: T, signal: AbortSignal): Promise<WorkerResults[T['kind']]> {
    return this.piscina.run(task, { signal }) as Promise<WorkerResults[T['kind']]>;
  }

  /** Throws if a worker failed outside a task. */
  check(): void {
    if (this.failure !== null) throw new BlastlabError(`worker pool failed: ${errorMessage(this.failure)}`);
  }

  /** Stops the threads (tasks still running are cut short); closing again does nothing. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.piscina.destroy();
  }
}

/**
 * The own cost passes of a policy whose trials each draw their own workload (sim/trial.ts costIsShared
 * false): its attacks' batches run risk only, and each trial's pass runs once, in a task of its own
 * (TrialCostsTask) per trial range, joined to every attack's rows by joinCosts. Left to the batches,
 * every worker that ran one of the policy's attacks replayed the same passes.
 */
class OwnCosts {
  private readonly tasks = new Map<string, Promise<Float64Array>>();

  constructor(
    private readonly pool: TrialPool,
    private readonly models: readonly CompiledModel[],
    private readonly options: ExecuteOptions,
    private readonly signal: AbortSignal,
  ) {}

  /** Whether the batch's cost columns come from here (not under --real-tokens: its sink sees every token in the batch). */
  applies(task: Omit<BatchTask, 'cursor'>): boolean {
    const { riskOnly, realTokens } = this.options;
    return riskOnly !== true && realTokens !== true && !costIsShared(this.models[task.scenarioIndex]!, task.policyIndex);
  }

  /** The own cost values of the batch's trials (submitted with the first batch that needs them). */
  of(task: Omit<BatchTask, 'cursor'>): Promise<Float64Array> {
    const key = `${policyKey(task)}/${task.trialStart}/${task.trialEnd}`;
    let costs = this.tasks.get(key);
    if (costs === undefined) {
      const { scenarioIndex, policyIndex, trialStart, trialEnd } = task;
      const model = this.pool.handle(this.models[scenarioIndex]!);
      costs = this.pool.run({ kind: 'costs', scenarioIndex, model, policyIndex, trialStart, trialEnd }, this.signal);
      // Awaited when a batch is delivered, where a failure fails the run; never an unhandled rejection.
      costs.catch(() => undefined);
      this.tasks.set(key, costs);
    }
    return costs;
  }
}

/** Writes each trial's own cost values (`runTrialCosts`' rows) into the cost columns of every attack's rows of a risk-only batch result. */
function joinCosts(values: Float64Array, costs: Float64Array, blocks: number): void {
  const width = METRICS.length;
  const rows = costs.length / COST_METRICS.length;
  for (let block = 0; block < blocks; block++) {
    for (let m = 0; m < COST_METRICS.length; m++) {
      const column = COST_COLUMN[m]!;
      for (let r = 0; r < rows; r++) values[(block * rows + r) * width + column] = costs[r * COST_METRICS.length + m]!;
    }
  }
}

/** Where each of COST_METRICS sits in a row of METRICS. */
const COST_COLUMN = COST_METRICS.map((m) => (METRICS as readonly string[]).indexOf(m));

/** Cost passes this big (occurrences) are computed once up front rather than once per worker. */
const PRECOMPUTE_OCCURRENCES = 200_000;

/**
 * Computes the shared cost passes of big workloads on the pool and returns them by (scenario, policy)
 * for the batches to prime their workers' caches with. Each pass is split by tasks into one part per
 * worker, so every worker has a share of it; the parts merge exactly here. Small workloads are left
 * to the workers: recomputing them costs less than shipping them.
 */
async function precomputeCosts(
  pool: TrialPool,
  plan: TrialPlan,
  models: readonly CompiledModel[],
  workers: number,
  signal: AbortSignal,
  userSignal: AbortSignal | undefined,
): Promise<Map<string, PrimedCost[]>> {
  const jobs: { key: string; scenarioIndex: number; policyIndex: number; slot: CostSlot }[] = [];
  const slotsSeen = new Set<string>();
  for (const cell of plan.cells) {
    const model = models[cell.scenarioIndex]!;
    if (occurrencesPerTrial(model) < PRECOMPUTE_OCCURRENCES || !costIsShared(model, cell.policyIndex)) continue;
    const key = policyKey(cell);
    // Only the passes this plan's trials report (a shard or a short run needs few of them).
    for (let trial = cell.trialStart; trial < cell.trialEnd; trial++) {
      const slot = costSlot(model, cell.policyIndex, trial);
      const id = `${key}#${slot.key}`;
      if (slotsSeen.has(id)) continue;
      slotsSeen.add(id);
      jobs.push({ key, scenarioIndex: cell.scenarioIndex, policyIndex: cell.policyIndex, slot });
    }
  }
  const of = Math.max(1, workers);
  const results = await Promise.all(
    jobs.map(({ scenarioIndex, policyIndex, slot }) =>
      Promise.all(
        Array.from({ length: of }, (_, index) =>
          pool.run(
            { kind: 'cost', scenarioIndex, model: pool.handle(models[scenarioIndex]!), policyIndex, slot, part: { index, of } },
            signal,
          ),
        ),
      ),
    ),
  ).catch((error: unknown) => {
    if (userSignal?.aborted === true) throw RunInterruptedError.from(userSignal);
    throw new BlastlabError(`cost pass failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const primed = new Map<string, PrimedCost[]>();
  jobs.forEach((job, i) => {
    const cost = mergeCostParts(models[job.scenarioIndex]!, results[i]!.map(decodeCostPart));
    const list = primed.get(job.key) ?? [];
    list.push({ policyIndex: job.policyIndex, slot: job.slot, values: COST_METRICS.map((m) => cost[m]) });
    primed.set(job.key, list);
  });
  return primed;
}

/** Key of a (scenario, policy): shared cost passes serve every attack of it. */
function policyKey(c: { scenarioIndex: number; policyIndex: number }): string {
  return `${c.scenarioIndex}/${c.policyIndex}`;
}

/**
 * Serialises a model once into shared memory: every worker reads the same bytes. The scenario's
 * edge list stays behind: trials use the compiled CSR arrays, and on a big estate the edge objects
 * are most of the heap (a million of them in each worker for nothing).
 */
function toShared(model: CompiledModel): Uint8Array {
  return toSharedBytes(serialize({ ...model, scenario: { ...model.scenario, edges: [] } }));
}

/** Bytes copied into shared memory: posting them to a worker shares them rather than copying. */
function toSharedBytes(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}
