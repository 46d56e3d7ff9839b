/**
 * How a trial plan is cut into batches (exec/pool.ts runs them) and how their results go back to the
 * consumer: consecutive cells of one (scenario, policy) with one trial range make a group, whose
 * batches run each trial for every attack of the group (exec/worker.ts runBatch: they share one
 * replay of the trial's workload); the results reach the consumer cell by cell, in plan order.
 */
import { METRICS } from '../domain/metrics.js';
import type { PlanCell, TrialPlan } from './plan.js';
import type { BatchTask } from './worker.js';

/** A batch of results, handed over in plan order: `values` holds `(trialEnd − trialStart) × METRICS.length` numbers. */
export interface BatchResult {
  readonly cell: PlanCell;
  readonly trialStart: number;
  readonly trialEnd: number;
  readonly values: Float64Array;
}

/**
 * The most trial runs (trials × attacks) a group of cells may hold: the parent keeps a group's results
 * until its last batch is in (plan order is cell by cell), so this bounds that memory (2 MB of values)
 * and how long a group keeps the progress bar waiting. Bigger cells run a batch per attack.
 */
const MAX_GROUP_RUNS = 12_000;

/**
 * Splits the plan into batches, about 16 per worker so the load balances: consecutive cells of one
 * (scenario, policy) with one trial range make a group (up to MAX_GROUP_RUNS trial runs), cut into
 * runs of trials that each run every attack of the group (about `size` trial runs a batch).
 */
export function planBatches(plan: TrialPlan, workers: number): Omit<BatchTask, 'cursor'>[] {
  const size = Math.max(1, Math.min(1000, Math.ceil(plan.size / (workers * 16))));
  const batches: Omit<BatchTask, 'cursor'>[] = [];
  const cells = plan.cells;
  for (let first = 0; first < cells.length;) {
    const { scenarioIndex, policyIndex, trialStart, trialEnd } = cells[first]!;
    let end = first + 1;
    while (end < cells.length && sameGroup(cells[end]!, cells[first]!)) end++;
    if ((end - first) * (trialEnd - trialStart) > MAX_GROUP_RUNS) end = first + 1;
    const attacks = cells.slice(first, end).map((c) => c.attackIndex);
    const step = Math.max(1, Math.ceil(size / attacks.length));
    for (let start = trialStart; start < trialEnd; start += step) {
      batches.push({
        kind: 'batch',
        scenarioIndex,
        policyIndex,
        attacks,
        trialStart: start,
        trialEnd: Math.min(trialEnd, start + step),
      });
    }
    first = end;
  }
  return batches;
}

/** Whether two cells run in one batch group: one (scenario, policy), one trial range. */
function sameGroup(a: PlanCell, b: PlanCell): boolean {
  return (
    a.scenarioIndex === b.scenarioIndex &&
    a.policyIndex === b.policyIndex &&
    a.trialStart === b.trialStart &&
    a.trialEnd === b.trialEnd
  );
}

/**
 * Hands batch results to the consumer as BatchResults of one cell each, in plan order. Batches must
 * arrive in planBatches order: a batch of one cell goes on at once; the batches of a group of several
 * are kept until its last one is in, then go on cell by cell.
 */
export class CellDelivery {
  private readonly cellOf = new Map<string, PlanCell>();
  private readonly group: { task: Omit<BatchTask, 'cursor'>; values: Float64Array }[] = [];
  private done = 0;

  constructor(
    plan: TrialPlan,
    private readonly consume: (batch: BatchResult) => void | Promise<void>,
    /** Called after each cell's part is consumed with the number of trials consumed so far. */
    private readonly onProgress: ((trialsDone: number) => void) | undefined,
  ) {
    for (const cell of plan.cells) this.cellOf.set(cellKey(cell.scenarioIndex, cell.policyIndex, cell.attackIndex), cell);
  }

  async deliver(task: Omit<BatchTask, 'cursor'>, values: Float64Array): Promise<void> {
    const { group } = this;
    group.push({ task, values });
    const cells = task.attacks.map((attack) => this.cellOf.get(cellKey(task.scenarioIndex, task.policyIndex, attack))!);
    if (cells.length > 1 && task.trialEnd < cells[0]!.trialEnd) return;
    for (let block = 0; block < cells.length; block++) {
      for (const part of group) {
        const { trialStart, trialEnd } = part.task;
        const rows = trialEnd - trialStart;
        await this.consume({
          cell: cells[block]!,
          trialStart,
          trialEnd,
          values: blockOf(part.values, block, rows, cells.length),
        });
        this.done += rows;
        this.onProgress?.(this.done);
      }
    }
    group.length = 0;
  }
}

function cellKey(scenarioIndex: number, policyIndex: number, attackIndex: number): string {
  return `${scenarioIndex}/${policyIndex}/${attackIndex}`;
}

/**
 * One attack's rows of a batch result (runBatch: the attacks' rows one after another, then the
 * real-token trailer of the whole batch, which goes with the first attack's rows).
 */
function blockOf(values: Float64Array, block: number, rows: number, blocks: number): Float64Array {
  const length = rows * METRICS.length;
  const trailer = values.length - blocks * length;
  if (trailer === 0 || block > 0) return values.subarray(block * length, (block + 1) * length);
  const out = new Float64Array(length + trailer);
  out.set(values.subarray(0, length));
  out.set(values.subarray(blocks * length), length);
  return out;
}
