/**
 * The occurrences one trial has looked up, by task and occurrence index: the attack's token lookups
 * (reach/context.ts) ask for the same few occurrences about 200 million times in a default run.
 * Shared by the runs of one trial index that draw the same workload (sim/trial.ts
 * TrialObservers.occurrences), and emptied for the next trial index (`clear`), its storage kept.
 *
 * Kept as parallel typed arrays, not as objects: a trial looks up thousands of occurrences and keeps
 * them to its end, so an object per occurrence and per token outlived the young generation and made
 * most of what the garbage collector copied. A row per occurrence (its end, whether it completed, its
 * tokens) and an entry per token (credential, requester, step, task, mint and death moments). A map
 * per task takes the occurrence index (a small integer) to the row, so two tasks' occurrences never
 * share an entry however many a task has.
 */
import { doubled } from '../lib/buffer.js';
import type { OccurrenceScratch } from './occurrence.js';

export class OccurrenceCache {
  private readonly byTask: (Map<number, number> | undefined)[] = [];
  /** Tasks with a map to empty on `clear`. */
  private readonly tasks: number[] = [];

  /** Occurrences kept: rows [0, rows) of the arrays below. */
  rows = 0;
  /** Each occurrence's end (completion, failure or timeout). */
  end = new Float64Array(64);
  /** 1 when the occurrence ran to completion. */
  completed = new Uint8Array(64);
  /** Its tokens: entries [first, first + count) of the token arrays. */
  first = new Int32Array(64);
  count = new Int32Array(64);

  /** Tokens kept: entries [0, tokens) of the arrays below (what workload/occurrence.ts Issuance holds). */
  tokens = 0;
  cred = new Int32Array(64);
  /** The workload that requested it: the agent, or the tool its step goes via. */
  actor = new Int32Array(64);
  /** -1 for a task-level token, else the step it serves. */
  step = new Int32Array(64);
  task = new Int32Array(64);
  mintAt = new Float64Array(64);
  /** min(expiry, revocation on completion, failure or timeout when the policy revokes then). */
  deadAt = new Float64Array(64);

  /** The row of occurrence `k` of task `task`, or -1 when not looked up yet. */
  row(task: number, k: number): number {
    return this.byTask[task]?.get(k) ?? -1;
  }

  /** Keeps what runOccurrence left in `out` as occurrence `k` of task `task`; returns its row. */
  add(task: number, k: number, out: OccurrenceScratch): number {
    let rows = this.byTask[task];
    if (rows === undefined) {
      rows = new Map();
      this.byTask[task] = rows;
      this.tasks.push(task);
    }
    const row = this.rows++;
    if (row === this.end.length) this.growRows();
    this.end[row] = out.end;
    this.completed[row] = out.status === 'completed' ? 1 : 0;
    this.first[row] = this.tokens;
    this.count[row] = out.count;
    while (this.tokens + out.count > this.cred.length) this.growTokens();
    for (let i = 0; i < out.count; i++) {
      const j = this.tokens++;
      this.cred[j] = out.cred[i]!;
      this.actor[j] = out.actor[i]!;
      this.step[j] = out.step[i]!;
      this.task[j] = task;
      this.mintAt[j] = out.mintAt[i]!;
      this.deadAt[j] = out.deadAt[i]!;
    }
    rows.set(k, row);
    return row;
  }

  /** Forgets every occurrence (the next trial index draws its own), keeping the storage. */
  clear(): void {
    for (const task of this.tasks) this.byTask[task] = undefined;
    this.tasks.length = 0;
    this.rows = 0;
    this.tokens = 0;
  }

  private growRows(): void {
    this.end = doubled(this.end);
    this.completed = doubled(this.completed);
    this.first = doubled(this.first);
    this.count = doubled(this.count);
  }

  private growTokens(): void {
    this.cred = doubled(this.cred);
    this.actor = doubled(this.actor);
    this.step = doubled(this.step);
    this.task = doubled(this.task);
    this.mintAt = doubled(this.mintAt);
    this.deadAt = doubled(this.deadAt);
  }
}
