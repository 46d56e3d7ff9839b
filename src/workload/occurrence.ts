/**
 * One occurrence of a benign task under a policy (DESIGN §2.2): its token requests, waits, re-
 * authorizations, outcome, and every token it minted with the moment each one dies.
 *
 * Draws are keyed by (task, occurrence, request, purpose), so any occurrence can be computed on its
 * own: attacks look up only the occurrences around the moments they need, cost sums over all of them.
 */
import type { Policy, Task } from '../domain/scenario.js';
import { brokerOf } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import { doubled, NumberBuffer } from '../lib/buffer.js';
import { keyedPrefix, keyedUniformAt } from '../lib/rng.js';
import { sampleAt } from '../lib/distribution.js';
import { approvalWait } from './approval.js';

/** A token minted for a benign task. Copies land at every holder of `cred`. */
export interface Issuance {
  readonly cred: number;
  /** The workload that requested it: the agent, or the tool its step goes via. */
  readonly actor: number;
  /** The agent whose task it serves (whose declared intent the broker checks). */
  readonly principal: number;
  readonly task: number;
  /** -1 for a task-level token (scope task/role), else the step it serves (scope step). */
  readonly step: number;
  readonly mintAt: number;
  readonly expiresAt: number;
  /** min(expiry, revocation on completion/failure/timeout when the policy revokes then). */
  readonly deadAt: number;
  readonly reauth: boolean;
}

export type OccurrenceStatus = 'completed' | 'failed' | 'timeout';

/** The outcome of one task occurrence and the tokens it minted, as objects (an issuance sink, `simulateOccurrence`; the engine keeps its in occurrence-cache.ts). */
export interface OccurrenceTokens {
  readonly task: number;
  readonly k: number;
  readonly start: number;
  readonly end: number;
  readonly status: OccurrenceStatus;
  readonly issuances: readonly Issuance[];
  readonly reauthorizations: number;
}

/** The outcome of one task occurrence, with every request's wait. */
export interface Occurrence extends OccurrenceTokens {
  /** Every request's wait in ms (served or not). */
  readonly waits: readonly number[];
}

const LATENCY = 0;
const AVAILABILITY = 1;

/** Start of occurrence k of a task. */
export function occurrenceStart(task: Task, k: number): number {
  return task.atMs + k * (Number.isFinite(task.everyMs) ? task.everyMs : 0);
}

/** Index of the last occurrence that starts at or before `t` (-1 if none). */
export function lastOccurrenceAt(task: Task, t: number): number {
  if (t < task.atMs) return -1;
  if (!Number.isFinite(task.everyMs)) return 0;
  return Math.floor((t - task.atMs) / task.everyMs);
}

/** Number of occurrences that start before `horizonMs`. */
export function occurrenceCount(task: Task, horizonMs: number): number {
  if (task.atMs >= horizonMs) return 0;
  if (!Number.isFinite(task.everyMs)) return 1;
  return Math.ceil((horizonMs - task.atMs) / task.everyMs);
}

interface Segment {
  readonly step: number;
  readonly durationMs: number;
  readonly creds: readonly number[];
  /** The workload requesting each credential's token (parallel to `creds`). */
  readonly actors: readonly number[];
}

/** A task's request plan under one policy: computed once per (modes, task), reused by every occurrence. */
export type TaskPlan = readonly Segment[];
/** Per modes: the plans by taskIndex · 2 + (step scope ? 1 : 0) (one lookup per occurrence, no string key). */
const plans = new WeakMap<CredentialModes, (TaskPlan | undefined)[]>();

function planOf(model: CompiledModel, stepScoped: boolean, modes: CredentialModes, taskIndex: number): TaskPlan {
  let byTask = plans.get(modes);
  if (byTask === undefined) {
    byTask = [];
    plans.set(modes, byTask);
  }
  const slot = taskIndex * 2 + (stepScoped ? 1 : 0);
  let plan = byTask[slot];
  if (plan === undefined) {
    plan = buildPlan(model, stepScoped, modes, taskIndex);
    byTask[slot] = plan;
  }
  return plan;
}

function buildPlan(model: CompiledModel, stepScoped: boolean, modes: CredentialModes, taskIndex: number): TaskPlan {
  const task = model.scenario.workload[taskIndex]!;
  const agent = task.agent;
  const credOf = (cred: string): number => model.indexOf.get(cred)!;
  if (stepScoped) {
    const n = task.steps.length;
    return task.steps.map((step, i) => {
      const cred = credOf(step.credential);
      const durationMs = Math.floor(((i + 1) * task.durationMs) / n) - Math.floor((i * task.durationMs) / n);
      const managed = modes.ephemeral[cred] === 1;
      return {
        step: i,
        durationMs,
        creds: managed ? [cred] : [],
        actors: managed ? [model.indexOf.get(step.via ?? agent)!] : [],
      };
    });
  }
  const creds: number[] = [];
  const actors: number[] = [];
  for (const step of task.steps) {
    const cred = credOf(step.credential);
    if (modes.ephemeral[cred] === 1 && !creds.includes(cred)) {
      creds.push(cred);
      actors.push(model.taskCredActor[taskIndex]!.get(cred)!);
    }
  }
  return [{ step: -1, durationMs: task.durationMs, creds, actors }];
}

/**
 * One occurrence's outcome and tokens as parallel arrays, reused from occurrence to occurrence: the
 * cost pass replays millions of occurrences without an object per token or per occurrence.
 */
export class OccurrenceScratch {
  start = 0;
  end = 0;
  status: OccurrenceStatus = 'completed';
  reauthorizations = 0;
  /** Tokens minted (after the timeout's cancellations): entries [0, count) of the arrays below. */
  count = 0;
  cred = new Int32Array(8);
  actor = new Int32Array(8);
  step = new Int32Array(8);
  reauth = new Uint8Array(8);
  mintAt = new Float64Array(8);
  deadAt = new Float64Array(8);
  /** End of each segment (the plan's steps under step scope), in order. */
  segmentEnds = new Float64Array(8);
  segments = 0;
  /** Every request's wait in ms (approvals, then token requests). */
  readonly waits = new NumberBuffer();

  pushWait(ms: number): void {
    this.waits.push(ms);
  }

  /** Appends a requested token (minted at the batch's end: mintAt is set then). */
  push(cred: number, actor: number, step: number, reauth: boolean): void {
    if (this.count === this.cred.length) this.grow();
    const i = this.count++;
    this.cred[i] = cred;
    this.actor[i] = actor;
    this.step[i] = step;
    this.reauth[i] = reauth ? 1 : 0;
  }

  private grow(): void {
    this.cred = doubled(this.cred);
    this.actor = doubled(this.actor);
    this.step = doubled(this.step);
    this.reauth = doubled(this.reauth);
    this.mintAt = doubled(this.mintAt);
    this.deadAt = doubled(this.deadAt);
  }

  pushSegmentEnd(t: number): void {
    if (this.segments === this.segmentEnds.length) this.segmentEnds = doubled(this.segmentEnds);
    this.segmentEnds[this.segments++] = t;
  }
}

/**
 * What an occurrence's outcome depends on in a policy, besides the task and the workload seed: which
 * credentials the broker manages (kind, hybrid exceptions), its request plan (token scope), the
 * issuer, lifetimes and revocation triggers, and approvals. Policies with the same key draw the same
 * occurrences from the same seed: an attribution variant that switches only binding, re-evaluation or
 * call-chain context draws its policy's (exec/batches.ts runs them on one replay).
 */
export function occurrenceKeyOf(policy: Policy): string {
  const broker = brokerOf(policy);
  return JSON.stringify([
    policy.kind,
    policy.kind === 'hybrid' ? policy.exceptions : null,
    policy.approval,
    broker === null ? null : [broker.scope, broker.ttlMs, broker.revokeOn, broker.issuer],
  ]);
}

/** Whether a task's occurrences under `policy` wait for an approval (a step whose action the policy gates). */
export function gated(model: CompiledModel, policy: Policy, taskIndex: number): boolean {
  const approval = policy.approval;
  return approval !== null && model.scenario.workload[taskIndex]!.steps.some((step) => approval.actions.includes(step.action));
}

/** Whether a task's occurrences under `policy` request tokens. */
function requests(model: CompiledModel, policy: Policy, modes: CredentialModes, taskIndex: number): boolean {
  const broker = brokerOf(policy);
  return broker !== null && planOf(model, broker.scope === 'step', modes, taskIndex).some((seg) => seg.creds.length > 0);
}

/** Whether every occurrence of a task under `policy` runs alike and records nothing: no token request, no gated step. */
export function drawsNothing(model: CompiledModel, policy: Policy, modes: CredentialModes, taskIndex: number): boolean {
  return !gated(model, policy, taskIndex) && !requests(model, policy, modes, taskIndex);
}

/**
 * Whether a task's occurrences under `policy` make a random draw: a token request when issuer latency
 * is not fixed or availability is below 1, or an approval wait that is not fixed.
 */
export function drawsAtRandom(model: CompiledModel, policy: Policy, modes: CredentialModes, taskIndex: number): boolean {
  const broker = brokerOf(policy);
  if (
    broker !== null &&
    (broker.issuer.latency.kind !== 'fixed' || broker.issuer.availability < 1) &&
    requests(model, policy, modes, taskIndex)
  )
    return true;
  return policy.approval !== null && policy.approval.wait.kind !== 'fixed' && gated(model, policy, taskIndex);
}

/**
 * Whether every occurrence of a task under `policy` is its first one shifted by k·every, exactly: it
 * makes no random draw (drawsAtRandom), and every time it adds up is a whole number of milliseconds,
 * so each sum is exact in doubles and shifting the start shifts every moment by the same amount.
 */
export function occurrencesShift(model: CompiledModel, policy: Policy, modes: CredentialModes, taskIndex: number): boolean {
  const task = model.scenario.workload[taskIndex]!;
  if (!Number.isFinite(task.everyMs) || drawsAtRandom(model, policy, modes, taskIndex)) return false;
  // No timeout (Infinity) stays Infinity, whatever the start.
  const times = [task.atMs, task.everyMs, task.durationMs];
  if (Number.isFinite(task.timeoutMs)) times.push(task.timeoutMs);
  const broker = brokerOf(policy);
  if (broker !== null) {
    times.push(broker.ttlMs);
    if (broker.issuer.latency.kind === 'fixed') times.push(broker.issuer.latency.valueMs);
  }
  if (policy.approval !== null && policy.approval.wait.kind === 'fixed') times.push(policy.approval.wait.valueMs);
  return times.every((ms) => Number.isSafeInteger(ms));
}

/** The request plan of a task under `policy` (look it up once per task, then run its occurrences). */
export function taskPlan(model: CompiledModel, policy: Policy, modes: CredentialModes, taskIndex: number): TaskPlan {
  return planOf(model, brokerOf(policy)?.scope === 'step', modes, taskIndex);
}

/**
 * Runs occurrence `k` of task `taskIndex` under `policy` (its request plan `plan`, from taskPlan), with
 * draws keyed by `costSeed`, into `out`.
 */
export function runOccurrence(
  model: CompiledModel,
  policy: Policy,
  plan: TaskPlan,
  costSeed: number,
  taskIndex: number,
  k: number,
  out: OccurrenceScratch,
): void {
  const task = model.scenario.workload[taskIndex]!;
  // Draws are keyed by what the task is, not where it is listed (SPEC §5: order-free).
  const taskKey = model.taskHash[taskIndex]!;
  const start = occurrenceStart(task, k);
  const timeoutAt = start + task.timeoutMs;
  // Only a broker mints: under a persistent policy no credential is managed and the plan requests nothing.
  const broker = brokerOf(policy);
  // The occurrence's draws share (seed, task, occurrence): keyedUniform(costSeed, taskKey, k, request, purpose).
  const draws = broker === null ? 0 : keyedPrefix(costSeed, taskKey, k);
  out.count = 0;
  out.segments = 0;
  out.waits.length = 0;
  out.start = start;
  let reauthorizations = 0;
  let request = 0;
  let t = start;
  let status: OccurrenceStatus = 'completed';
  if (policy.approval !== null) t += approvalWait(model, policy, costSeed, taskIndex, k, out);

  outer: for (const seg of plan) {
    const { creds } = seg;
    // A step with work to do at (or past) the timeout never starts: the task is aborted then and
    // asks for nothing more (a step boundary exactly at the timeout requests no token).
    if (t > timeoutAt || (t === timeoutAt && (seg.durationMs > 0 || (broker !== null && creds.length > 0)))) {
      status = 'timeout';
      break;
    }
    let remaining = seg.durationMs;
    let reauth = false;
    // Request a batch at the segment start, then again each time the tokens expire mid-segment.
    while (broker !== null && creds.length > 0) {
      const ttl = broker.ttlMs;
      const { latency, availability } = broker.issuer;
      const fixedLatency = latency.kind === 'fixed' ? latency.valueMs : -1;
      let wait = 0;
      let served = true;
      const firstMinted = out.count;
      for (let i = 0; i < creds.length; i++) {
        const l = fixedLatency >= 0 ? fixedLatency : sampleAt(latency, keyedUniformAt(draws, request, LATENCY));
        const available = availability >= 1 || keyedUniformAt(draws, request, AVAILABILITY) < availability;
        request++;
        out.pushWait(l);
        if (l > wait) wait = l;
        if (available) out.push(creds[i]!, seg.actors[i]!, seg.step, reauth);
        else served = false;
      }
      t += wait;
      for (let i = firstMinted; i < out.count; i++) out.mintAt[i] = t;
      if (reauth) reauthorizations += out.count - firstMinted;
      if (!served) {
        status = 'failed';
        break outer;
      }
      if (remaining <= ttl) break;
      // The segment outlives its tokens: a legacy job cannot re-authenticate mid-run and breaks.
      t += ttl;
      if (!task.refreshable) {
        status = 'failed';
        break outer;
      }
      remaining -= ttl;
      reauth = true;
      // Work remains at the abort moment: the task times out here and never asks again.
      if (t >= timeoutAt) {
        status = 'timeout';
        break outer;
      }
    }
    t += remaining;
    // A segment the timeout cuts short never completes: no end, so its step token is not revoked then.
    if (t > timeoutAt) break;
    out.pushSegmentEnd(t);
  }
  if (t >= timeoutAt && (status === 'timeout' || t > timeoutAt)) {
    status = 'timeout';
    t = timeoutAt;
  }
  const end = t;
  out.end = end;
  out.status = status;
  out.reauthorizations = reauthorizations;
  if (broker === null) return; // nothing minted
  const { ttlMs: ttl, revokeOn } = broker;
  const revokeAtEnd =
    (status === 'completed' && revokeOn.completion) ||
    (status === 'failed' && revokeOn.failure) ||
    (status === 'timeout' && revokeOn.timeout);
  // Tokens minted after the end are cancelled by the timeout; the rest get the moment each one dies.
  let kept = 0;
  for (let i = 0; i < out.count; i++) {
    const mintAt = out.mintAt[i]!;
    if (mintAt > end) continue;
    let deadAt = mintAt + ttl;
    // A step-scoped token is done when its step completes.
    const step = out.step[i]!;
    if (step >= 0 && step < out.segments && revokeOn.completion) deadAt = Math.min(deadAt, out.segmentEnds[step]!);
    if (revokeAtEnd) deadAt = Math.min(deadAt, end);
    if (kept !== i) {
      out.cred[kept] = out.cred[i]!;
      out.actor[kept] = out.actor[i]!;
      out.step[kept] = step;
      out.reauth[kept] = out.reauth[i]!;
      out.mintAt[kept] = mintAt;
    }
    out.deadAt[kept] = deadAt;
    kept++;
  }
  out.count = kept;
}

/** The scratch simulateOccurrence fills before copying it out (calls are synchronous: one at a time). */
const scratch = new OccurrenceScratch();

/**
 * Simulates occurrence `k` of task `taskIndex` under `policy`, with draws keyed by `costSeed`, as an
 * object (the engine looks up occurrences one at a time and keeps them for the trial).
 */
export function simulateOccurrence(
  model: CompiledModel,
  policy: Policy,
  modes: CredentialModes,
  costSeed: number,
  taskIndex: number,
  k: number,
): Occurrence {
  runOccurrence(model, policy, taskPlan(model, policy, modes, taskIndex), costSeed, taskIndex, k, scratch);
  const occurrence = occurrenceOf(model, brokerOf(policy)?.ttlMs ?? 0, taskIndex, k, scratch);
  return { ...occurrence, waits: Array.from(scratch.waits.values.subarray(0, scratch.waits.length)) };
}

/** The outcome and tokens of what `runOccurrence` left in `out`, as objects. */
export function occurrenceOf(
  model: CompiledModel,
  ttlMs: number,
  taskIndex: number,
  k: number,
  out: OccurrenceScratch,
): OccurrenceTokens {
  const issuances: Issuance[] = [];
  const principal = model.taskAgent[taskIndex]!;
  for (let i = 0; i < out.count; i++) {
    issuances.push({
      cred: out.cred[i]!,
      actor: out.actor[i]!,
      principal,
      task: taskIndex,
      step: out.step[i]!,
      mintAt: out.mintAt[i]!,
      expiresAt: out.mintAt[i]! + ttlMs,
      deadAt: out.deadAt[i]!,
      reauth: out.reauth[i] === 1,
    });
  }
  return {
    task: taskIndex,
    k,
    start: out.start,
    end: out.end,
    status: out.status,
    issuances,
    reauthorizations: out.reauthorizations,
  };
}
