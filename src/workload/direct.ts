/**
 * A task's occurrences added straight to a cost pass's sums (workload/cost.ts): runOccurrence's steps
 * (DESIGN §2.2) — the approval waits, each batch of token requests, the re-authorizations when a
 * segment outlives its tokens, the timeout — in its order and arithmetic, keeping only what the cost
 * reads: every wait, the tokens kept and the second each is minted in, the re-authorizations, and
 * whether the occurrence failed. Not the tokens' identities or the moments they die, and no scratch
 * arrays to fill and read back: a cost pass replays millions of occurrences.
 * `test/workload/cost-replay.test.ts` holds it to the pass that replays every occurrence through
 * runOccurrence (what a pass with an issuance sink does).
 */
import type { BrokerSettings, Policy } from '../domain/scenario.js';
import { doubled } from '../lib/buffer.js';
import { Sampler } from '../lib/distribution.js';
import { keyedHalfPrefix, keyedPrefixAt, keyedUniformAt } from '../lib/rng.js';
import type { ValueCounts } from '../lib/value-counts.js';
import type { CompiledModel } from '../model/compile.js';
import { approvalWait } from './approval.js';
import type { SecondCounter } from './second-counter.js';
import { gated, type TaskPlan } from './occurrence.js';

/** Draw purposes, as in runOccurrence. */
const LATENCY = 0;
const AVAILABILITY = 1;

/** What a cost pass adds up (cost.ts CostSums), as far as an occurrence adds to it. */
export interface OccurrenceSums {
  tokensIssued: number;
  tasksFailed: number;
  reauthorizations: number;
  readonly counter: SecondCounter;
  readonly waits: ValueCounts;
}

/** A task's occurrences under a policy with a broker, added one at a time to a cost pass's sums. */
export class DirectTask {
  private readonly durations: Float64Array;
  private readonly requests: Int32Array;
  private readonly latency: Sampler;
  private readonly fixedLatency: number;
  private readonly availability: number;
  private readonly ttl: number;
  private readonly atMs: number;
  /** Time between occurrences (0 for a one-off task). */
  private readonly every: number;
  private readonly timeoutMs: number;
  private readonly refreshable: boolean;
  /** The draws' key part fixed by the pass and the task (rng.ts keyedHalfPrefix). */
  private readonly half: number;
  private readonly gated: boolean;
  /** Each batch's mint moment and tokens, for the occurrence being added. */
  private mintAt = new Float64Array(4);
  private minted = new Int32Array(4);

  constructor(
    private readonly model: CompiledModel,
    private readonly policy: Policy,
    broker: BrokerSettings,
    private readonly taskIndex: number,
    plan: TaskPlan,
    private readonly costSeed: number,
    private readonly sums: OccurrenceSums,
  ) {
    const task = model.scenario.workload[taskIndex]!;
    this.durations = Float64Array.from(plan, (seg) => seg.durationMs);
    this.requests = Int32Array.from(plan, (seg) => seg.creds.length);
    const latency = broker.issuer.latency;
    this.latency = new Sampler(latency);
    this.fixedLatency = latency.kind === 'fixed' ? latency.valueMs : -1;
    this.availability = broker.issuer.availability;
    this.ttl = broker.ttlMs;
    this.atMs = task.atMs;
    this.every = Number.isFinite(task.everyMs) ? task.everyMs : 0;
    this.timeoutMs = task.timeoutMs;
    this.refreshable = task.refreshable;
    this.half = keyedHalfPrefix(costSeed, model.taskHash[taskIndex]!);
    this.gated = gated(model, policy, taskIndex);
  }

  /** An approval's wait (approvalWait hands every wait here). */
  pushWait(ms: number): void {
    this.sums.waits.add(ms);
  }

  /** Adds occurrence `k` (runOccurrence's steps, in its order and arithmetic). */
  add(k: number): void {
    const { durations, requests, latency, fixedLatency, availability, ttl, sums } = this;
    const start = this.atMs + k * this.every;
    const timeoutAt = start + this.timeoutMs;
    const draws = keyedPrefixAt(this.half, k);
    let t = start;
    if (this.gated) t += approvalWait(this.model, this.policy, this.costSeed, this.taskIndex, k, this);
    let request = 0;
    let batches = 0;
    let failed = false;
    let timedOut = false;
    outer: for (let s = 0; s < durations.length; s++) {
      const n = requests[s]!;
      // A step with work to do at (or past) the timeout never starts.
      if (t > timeoutAt || (t === timeoutAt && (durations[s]! > 0 || n > 0))) {
        timedOut = true;
        break;
      }
      let remaining = durations[s]!;
      let reauth = false;
      // A batch at the segment start, then again each time the tokens expire mid-segment.
      while (n > 0) {
        let wait = 0;
        let served = 0;
        for (let i = 0; i < n; i++) {
          const l = fixedLatency >= 0 ? fixedLatency : latency.at(keyedUniformAt(draws, request, LATENCY));
          if (availability >= 1 || keyedUniformAt(draws, request, AVAILABILITY) < availability) served++;
          request++;
          sums.waits.add(l);
          if (l > wait) wait = l;
        }
        t += wait;
        if (batches === this.mintAt.length) {
          this.mintAt = doubled(this.mintAt);
          this.minted = doubled(this.minted);
        }
        this.mintAt[batches] = t;
        this.minted[batches++] = served;
        if (reauth) sums.reauthorizations += served;
        if (served < n) {
          failed = true;
          break outer;
        }
        if (remaining <= ttl) break;
        t += ttl;
        if (!this.refreshable) {
          failed = true;
          break outer;
        }
        remaining -= ttl;
        reauth = true;
        if (t >= timeoutAt) {
          timedOut = true;
          break outer;
        }
      }
      t += remaining;
      if (t > timeoutAt) break;
    }
    if (t >= timeoutAt && (timedOut || t > timeoutAt)) {
      timedOut = true;
      t = timeoutAt;
    }
    if (failed || timedOut) sums.tasksFailed++;
    // Tokens minted after the end are cancelled by the timeout.
    const { mintAt, minted } = this;
    for (let b = 0; b < batches; b++) {
      if (mintAt[b]! > t || minted[b] === 0) continue;
      sums.tokensIssued += minted[b]!;
      sums.counter.bumpSecond(Math.floor(mintAt[b]! / 1000), minted[b]!);
    }
  }
}
