/**
 * How a trial plan is cut into batches (exec/pool.ts runs them) and how their results go back to the
 * consumer: the cells of one (scenario, policy) with one trial range make a group, whose batches run
 * each trial for every cell of the group (exec/worker.ts runBatch: they share one replay of the
 * trial's workload); in a risk-only plan, so do the cells of an attribution policy's variants that
 * leave its workload alone (workload/occurrence.ts occurrenceKeyOf), adjacent in the plan or not.
 * The results reach the consumer cell by cell, in plan order.
 */
import { METRICS } from '../domain/metrics.js';
import { occurrenceKeyOf } from '../workload/occurrence.js';
import type { Policy } from '../domain/scenario.js';
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
 * The most trial runs (trials × cells) a group of cells may hold: the parent keeps a group's results
 * until its cells' turn comes (plan order is cell by cell), so this bounds that memory (2 MB of
 * values) and how long a group keeps the progress bar waiting. Bigger cells run in batches of their own.
 */
const MAX_GROUP_RUNS = 12_000;

/**
 * Splits the plan into batches, about 16 per worker so the load balances. Consecutive cells of one
 * scenario, policy and trial range make a group (up to MAX_GROUP_RUNS trial runs; bigger cells go
 * alone). With `acrossVariants` (a risk-only plan: no cost pass, no real tokens), the consecutive cells
 * of one policy name — an attribution policy's variants — are grouped by occurrence key instead, when
 * all of them fit MAX_GROUP_RUNS: the variants that leave the workload alone share batches whether or
 * not they are adjacent. A group is cut into runs of trials that each run every cell of the group
 * (about `size` trial runs a batch); groups go in the order of their first cells.
 */
export function planBatches(plan: TrialPlan, workers: number, acrossVariants = false): Omit<BatchTask, 'cursor'>[] {
  const size = Math.max(1, Math.min(1000, Math.ceil(plan.size / (workers * 16))));
  const batches: Omit<BatchTask, 'cursor'>[] = [];
  const push = (group: readonly PlanCell[]): void => {
    const { scenarioIndex, policyIndex, trialStart, trialEnd } = group[0]!;
    const step = Math.max(1, Math.ceil(size / group.length));
    for (let start = trialStart; start < trialEnd; start += step) {
      batches.push({
        kind: 'batch',
        scenarioIndex,
        policyIndex,
        attacks: group.map((c) => c.attackIndex),
        policies: group.map((c) => c.policyIndex),
        trialStart: start,
        trialEnd: Math.min(trialEnd, start + step),
      });
    }
  };
  const policyOf = (c: PlanCell): Policy => plan.scenarios[c.scenarioIndex]!.policies[c.policyIndex]!;
  const cells = plan.cells;
  for (let first = 0; first < cells.length;) {
    const head = cells[first]!;
    let end = first + 1;
    if (acrossVariants) {
      // The variants of one policy, whose results wait for their turn in plan order: only a run of
      // bounded size is regrouped by workload.
      while (end < cells.length && sameRun(cells[end]!, head) && policyOf(cells[end]!).name === policyOf(head).name) end++;
      if (end - first > 1 && (end - first) * (head.trialEnd - head.trialStart) <= MAX_GROUP_RUNS) {
        const groups = new Map<string, PlanCell[]>();
        for (const cell of cells.slice(first, end)) {
          const key = occurrenceKeyOf(policyOf(cell));
          const group = groups.get(key);
          if (group === undefined) groups.set(key, [cell]);
          else group.push(cell);
        }
        for (const group of groups.values()) push(group);
        first = end;
        continue;
      }
      end = first + 1;
    }
    while (end < cells.length && sameRun(cells[end]!, head) && cells[end]!.policyIndex === head.policyIndex) end++;
    if ((end - first) * (head.trialEnd - head.trialStart) > MAX_GROUP_RUNS) end = first + 1;
    push(cells.slice(first, end));
    first = end;
  }
  return batches;
}

/** Whether cell `a` continues the run of `b`: one scenario and trial range. */
function sameRun(a: PlanCell, b: PlanCell): boolean {
  return a.scenarioIndex === b.scenarioIndex && a.trialStart === b.trialStart && a.trialEnd === b.trialEnd;
}

/**
 * Hands batch results to the consumer as BatchResults of one cell each, in plan order. Batches must
 * arrive in planBatches order. The cell whose turn it is gets each part as it comes (a big cell
 * streams batch by batch); the parts of later cells wait until the cells before them are done.
 */
export class CellDelivery {
  private readonly indexOf = new Map<string, number>();
  private readonly waiting = new Map<number, { trialStart: number; trialEnd: number; values: Float64Array }[]>();
  /** The cell whose turn it is (an index into the plan's cells). */
  private next = 0;
  private done = 0;

  constructor(
    private readonly plan: TrialPlan,
    private readonly consume: (batch: BatchResult) => void | Promise<void>,
    /** Called after each cell's part is consumed with the number of trials consumed so far. */
    private readonly onProgress: ((trialsDone: number) => void) | undefined,
  ) {
    plan.cells.forEach((cell, i) => this.indexOf.set(cellKey(cell.scenarioIndex, cell.policyIndex, cell.attackIndex), i));
  }

  async deliver(task: Omit<BatchTask, 'cursor'>, values: Float64Array): Promise<void> {
    const { trialStart, trialEnd, attacks, policies } = task;
    const rows = trialEnd - trialStart;
    for (let block = 0; block < attacks.length; block++) {
      const index = this.indexOf.get(cellKey(task.scenarioIndex, policies[block]!, attacks[block]!))!;
      const parts = this.waiting.get(index) ?? [];
      parts.push({ trialStart, trialEnd, values: blockOf(values, block, rows, attacks.length) });
      this.waiting.set(index, parts);
    }
    const cells = this.plan.cells;
    this.skipEmpty();
    while (this.next < cells.length) {
      const cell = cells[this.next]!;
      const parts = this.waiting.get(this.next);
      if (parts === undefined) return;
      this.waiting.delete(this.next);
      for (const part of parts) {
        await this.consume({ cell, ...part });
        this.done += part.trialEnd - part.trialStart;
        this.onProgress?.(this.done);
      }
      if (parts.at(-1)!.trialEnd < cell.trialEnd) return;
      this.next++;
      this.skipEmpty();
      // A long wait at the head of the plan releases many cells at once: between them this thread
      // takes its other messages, so the workers that finished meanwhile get their next batches
      // instead of idling until the whole backlog is written.
      if (this.waiting.has(this.next)) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Passes over cells without a trial (a shard's share of a cell can be empty): no batch has them. */
  private skipEmpty(): void {
    const cells = this.plan.cells;
    while (this.next < cells.length && cells[this.next]!.trialEnd <= cells[this.next]!.trialStart) this.next++;
  }

  /** After the last batch: every cell went to the consumer whole (a batch plan that missed a trial would otherwise pass unseen). */
  end(): void {
    this.skipEmpty();
    if (this.next < this.plan.cells.length)
      throw new Error(`batches: cell ${this.next} of ${this.plan.cells.length} never completed`);
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
