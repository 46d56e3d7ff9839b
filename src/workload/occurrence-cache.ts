/**
 * The occurrences one trial has looked up, by task and occurrence index: the attack's token lookups
 * (reach/context.ts) ask for the same few occurrences about 200 million times in a default run, so a
 * lookup is two array reads rather than a hash of a composite key (which, as task · 2²² + k, also
 * mixed up two tasks' occurrences once a task had more than 2²² of them). Shared by the runs of one
 * trial index that draw the same workload (sim/trial.ts TrialObservers.occurrences).
 */
import type { OccurrenceTokens } from './occurrence.js';

/** Tasks with more occurrences than this keep theirs in a map: a list is sized to the whole count. */
const MAX_LISTED = 1 << 16;

export class OccurrenceCache {
  private readonly byTask: ((OccurrenceTokens | undefined)[] | Map<number, OccurrenceTokens> | undefined)[] = [];

  /** Occurrence `k` of task `task`, if looked up before. */
  get(task: number, k: number): OccurrenceTokens | undefined {
    const occurrences = this.byTask[task];
    if (occurrences === undefined) return undefined;
    return Array.isArray(occurrences) ? occurrences[k] : occurrences.get(k);
  }

  /** Keeps occurrence `k` of task `task`; `count` is the task's number of occurrences (sizes its list once). */
  set(task: number, k: number, count: number, occurrence: OccurrenceTokens): void {
    let occurrences = this.byTask[task];
    if (occurrences === undefined) {
      // Sized up front: writing far past a list's end would turn it into a slow dictionary.
      occurrences = count <= MAX_LISTED ? new Array<OccurrenceTokens | undefined>(count).fill(undefined) : new Map();
      this.byTask[task] = occurrences;
    }
    if (Array.isArray(occurrences)) occurrences[k] = occurrence;
    else occurrences.set(k, occurrence);
  }
}
