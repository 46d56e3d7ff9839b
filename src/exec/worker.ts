/**
 * The worker-thread side of the pool: runs batches of trials of one (scenario, policy, attack).
 *
 * Each compiled model reaches a worker once: the parent serialises every model into shared memory
 * (workerData), and a worker deserialises a model the first time a batch needs it, then keeps it.
 * Results travel back as one transferred Float64Array per batch (`null` metrics as NaN).
 */
import { deserialize } from 'node:v8';
import { move, workerData } from 'piscina';
import { METRICS } from '../metrics/columns.js';
import type { TrialMetrics } from '../metrics/columns.js';
import type { CompiledModel } from '../model/compile.js';
import { runTrial } from '../sim/trial.js';

/** What every worker receives once, at start-up. */
export interface PoolWorkerData {
  /** `v8.serialize(model)` per scenario of the plan, each backed by a SharedArrayBuffer. */
  readonly models: readonly Uint8Array[];
}

/** One batch: trials `[trialStart, trialEnd)` of one (scenario, policy, attack). */
export interface BatchTask {
  readonly scenarioIndex: number;
  readonly policyIndex: number;
  readonly attackIndex: number;
  readonly trialStart: number;
  readonly trialEnd: number;
  /** Shared cell: the trial being run, so the parent can name it if the thread dies. */
  readonly cursor: Int32Array;
}

/** Runs a batch against a model: `(trialEnd − trialStart) × METRICS.length` values, row-major. */
export function runBatch(model: CompiledModel, task: BatchTask, hook?: (trial: number) => void): Float64Array {
  const width = METRICS.length;
  const out = new Float64Array((task.trialEnd - task.trialStart) * width);
  for (let trial = task.trialStart; trial < task.trialEnd; trial++) {
    Atomics.store(task.cursor, 0, trial);
    hook?.(trial);
    const metrics = runTrial(model, task.policyIndex, task.attackIndex, trial);
    const base = (trial - task.trialStart) * width;
    for (let m = 0; m < width; m++) out[base + m] = metrics[METRICS[m]!] ?? Number.NaN;
  }
  return out;
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

const cache = new Map<number, CompiledModel>();

function modelFor(scenarioIndex: number): CompiledModel {
  let model = cache.get(scenarioIndex);
  if (model === undefined) {
    const bytes = (workerData as PoolWorkerData).models[scenarioIndex];
    if (bytes === undefined) throw new Error(`worker: no model for scenario #${scenarioIndex}`);
    model = deserialize(bytes) as CompiledModel;
    cache.set(scenarioIndex, model);
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

/** Piscina entry point. */
export default function runBatchTask(task: BatchTask): unknown {
  return move(runBatch(modelFor(task.scenarioIndex), task, hook));
}
