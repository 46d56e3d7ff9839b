/**
 * The occurrences one trial has looked up, by task and occurrence index: the attack's token lookups
 * (reach/context.ts) ask for the same few occurrences about 200 million times in a default run. A
 * map per task keyed by the occurrence index (a small integer) replaces one map keyed task · 2²² + k,
 * which hashed a heap number per lookup once the key passed 2³⁰ and mixed up two tasks' occurrences
 * once a task had more than 2²² of them. Shared by the runs of one trial index that draw the same
 * workload (sim/trial.ts TrialObservers.occurrences).
 */
import type { OccurrenceTokens } from './occurrence.js';

export class OccurrenceCache {
  private readonly byTask: (Map<number, OccurrenceTokens> | undefined)[] = [];

  /** Occurrence `k` of task `task`, if looked up before. */
  get(task: number, k: number): OccurrenceTokens | undefined {
    return this.byTask[task]?.get(k);
  }

  /** Keeps occurrence `k` of task `task`. */
  set(task: number, k: number, occurrence: OccurrenceTokens): void {
    let occurrences = this.byTask[task];
    if (occurrences === undefined) {
      occurrences = new Map();
      this.byTask[task] = occurrences;
    }
    occurrences.set(k, occurrence);
  }
}
