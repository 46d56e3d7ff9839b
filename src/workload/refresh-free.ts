/**
 * The cost of a task's occurrences when none of them re-authorizes (DESIGN §2.2): every segment that
 * requests tokens ends before they expire, and no step waits for an approval. Such an occurrence is one
 * batch of requests per segment and nothing else, so the cost pass (workload/cost.ts) adds it straight
 * to its sums: the waits, the tokens kept and the second each is minted in, and whether it failed —
 * exactly what runOccurrence would leave for them, in the same arithmetic, without its scratch arrays,
 * the tokens' identities or the moments they die, which the cost does not read.
 */
import { Sampler } from '../lib/distribution.js';
import { keyedHalfPrefix, keyedPrefixAt, keyedUniformAt } from '../lib/rng.js';
import type { ValueCounts } from '../lib/value-counts.js';
import type { BrokerSettings, Task } from '../domain/scenario.js';
import type { SecondCounter } from './second-counter.js';
import type { TaskPlan } from './occurrence.js';

/** Draw purposes, as in runOccurrence. */
const LATENCY = 0;
const AVAILABILITY = 1;

/** Whether no occurrence of a task with request plan `plan` re-authorizes (the steps are not gated: see occurrence.ts gated). */
export function refreshFree(broker: BrokerSettings, task: Task, plan: TaskPlan): boolean {
  return task.timeoutMs > 0 && plan.every((seg) => seg.creds.length === 0 || seg.durationMs <= broker.ttlMs);
}

/** A refresh-free task's occurrences, added one at a time to a cost pass's sums. */
export class RefreshFreeTask {
  /** Tokens kept, and occurrences that did not complete, so far. */
  tokens = 0;
  failed = 0;
  private readonly durations: Float64Array;
  private readonly requests: Int32Array;
  private readonly latency: Sampler;
  private readonly fixedLatency: number;
  /** The draws' key part fixed by the pass and the task (rng.ts keyedHalfPrefix). */
  private readonly half: number;
  /** Time between occurrences (0 for a one-off task). */
  private readonly every: number;
  private readonly availability: number;
  /** Each batch's mint moment and tokens, for the occurrence being added. */
  private readonly mintAt: Float64Array;
  private readonly minted: Int32Array;

  constructor(
    private readonly task: Task,
    taskKey: number,
    broker: BrokerSettings,
    plan: TaskPlan,
    costSeed: number,
    private readonly counter: SecondCounter,
    private readonly waits: ValueCounts,
  ) {
    this.durations = Float64Array.from(plan, (seg) => seg.durationMs);
    this.requests = Int32Array.from(plan, (seg) => seg.creds.length);
    const latency = broker.issuer.latency;
    this.latency = new Sampler(latency);
    this.fixedLatency = latency.kind === 'fixed' ? latency.valueMs : -1;
    this.half = keyedHalfPrefix(costSeed, taskKey);
    this.every = Number.isFinite(task.everyMs) ? task.everyMs : 0;
    this.availability = broker.issuer.availability;
    this.mintAt = new Float64Array(plan.length);
    this.minted = new Int32Array(plan.length);
  }

  /** Adds occurrence `k` (runOccurrence's steps, in its order and arithmetic). */
  add(k: number): void {
    const { task, durations, requests, latency, fixedLatency, availability, mintAt, minted } = this;
    const start = task.atMs + k * this.every;
    const timeoutAt = start + task.timeoutMs;
    const draws = keyedPrefixAt(this.half, k);
    let t = start;
    let request = 0;
    let batches = 0;
    let failed = false;
    let timedOut = false;
    for (let s = 0; s < durations.length; s++) {
      const n = requests[s]!;
      if (t > timeoutAt || (t === timeoutAt && (durations[s]! > 0 || n > 0))) {
        timedOut = true;
        break;
      }
      if (n > 0) {
        let wait = 0;
        let served = 0;
        for (let i = 0; i < n; i++) {
          const l = fixedLatency >= 0 ? fixedLatency : latency.at(keyedUniformAt(draws, request, LATENCY));
          if (availability >= 1 || keyedUniformAt(draws, request, AVAILABILITY) < availability) served++;
          request++;
          this.waits.add(l);
          if (l > wait) wait = l;
        }
        t += wait;
        mintAt[batches] = t;
        minted[batches++] = served;
        if (served < n) {
          failed = true;
          break;
        }
      }
      t += durations[s]!;
      if (t > timeoutAt) break;
    }
    if (t >= timeoutAt && (timedOut || t > timeoutAt)) {
      timedOut = true;
      t = timeoutAt;
    }
    if (failed || timedOut) this.failed++;
    // Tokens minted after the end are cancelled by the timeout.
    for (let b = 0; b < batches; b++) {
      if (mintAt[b]! > t || minted[b] === 0) continue;
      this.tokens += minted[b]!;
      this.counter.bumpSecond(Math.floor(mintAt[b]! / 1000), minted[b]!);
    }
  }
}
