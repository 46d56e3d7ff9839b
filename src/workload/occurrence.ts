/**
 * One occurrence of a benign task under a policy (DESIGN §2.2): its token requests, waits, re-
 * authorizations, outcome, and every token it minted with the moment each one dies.
 *
 * Draws are keyed by (task, occurrence, request, purpose), so any occurrence can be computed on its
 * own: attacks look up only the occurrences around the moments they need, cost sums over all of them.
 */
import type { BrokerSettings, Policy, Task } from '../domain/scenario.js';
import { brokerOf } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import { keyedUniform } from '../lib/rng.js';
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

/** The outcome of one task occurrence. */
export interface Occurrence {
  readonly task: number;
  readonly k: number;
  readonly start: number;
  readonly end: number;
  readonly status: OccurrenceStatus;
  readonly issuances: readonly Issuance[];
  /** Every request's wait in ms (served or not). */
  readonly waits: readonly number[];
  readonly reauthorizations: number;
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
type TaskPlan = readonly Segment[];
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

/** A token while its occurrence is still running (deadAt settled at the end). */
interface Pending {
  cred: number;
  actor: number;
  step: number;
  mintAt: number;
  reauth: boolean;
}

/** The tokens of an ended occurrence with the moment each one dies (expiry, or revocation per `revokeOn`). */
function settle(
  broker: BrokerSettings,
  minted: readonly Pending[],
  status: OccurrenceStatus,
  end: number,
  segmentEnds: readonly number[],
  agent: number,
  taskIndex: number,
): Issuance[] {
  const { ttlMs: ttl, revokeOn } = broker;
  const revokeAtEnd =
    (status === 'completed' && revokeOn.completion) ||
    (status === 'failed' && revokeOn.failure) ||
    (status === 'timeout' && revokeOn.timeout);
  const issuances: Issuance[] = [];
  for (const token of minted) {
    if (token.mintAt > end) continue; // cancelled by the timeout
    let deadAt = token.mintAt + ttl;
    // A step-scoped token is done when its step completes.
    const stepEnd = token.step >= 0 ? segmentEnds[token.step] : undefined;
    if (stepEnd !== undefined && revokeOn.completion) deadAt = Math.min(deadAt, stepEnd);
    if (revokeAtEnd) deadAt = Math.min(deadAt, end);
    issuances.push({
      cred: token.cred,
      actor: token.actor,
      principal: agent,
      task: taskIndex,
      step: token.step,
      mintAt: token.mintAt,
      expiresAt: token.mintAt + ttl,
      deadAt,
      reauth: token.reauth,
    });
  }
  return issuances;
}

/**
 * Simulates occurrence `k` of task `taskIndex` under `policy`, with draws keyed by `costSeed`.
 * `waitsOut`, when given, receives every request wait instead of the occurrence's own list (the cost
 * loop collects millions of them without an array per occurrence).
 */
export function simulateOccurrence(
  model: CompiledModel,
  policy: Policy,
  modes: CredentialModes,
  costSeed: number,
  taskIndex: number,
  k: number,
  waitsOut?: { push(wait: number): unknown },
): Occurrence {
  const task = model.scenario.workload[taskIndex]!;
  const agent = model.taskAgent[taskIndex]!;
  // Draws are keyed by what the task is, not where it is listed (SPEC §5: order-free).
  const taskKey = model.taskHash[taskIndex]!;
  const start = occurrenceStart(task, k);
  const timeoutAt = start + task.timeoutMs;
  // Only a broker mints: under a persistent policy no credential is managed and the plan requests nothing.
  const broker = brokerOf(policy);
  const minted: Pending[] = [];
  const ownWaits: number[] = [];
  const waits = waitsOut ?? ownWaits;
  const segmentEnds: number[] = [];
  let reauthorizations = 0;
  let request = 0;
  let t = start;
  let status: OccurrenceStatus = 'completed';
  t += approvalWait(model, policy, costSeed, taskIndex, k, waits);

  outer: for (const seg of planOf(model, broker?.scope === 'step', modes, taskIndex)) {
    const { creds } = seg;
    let remaining = seg.durationMs;
    let reauth = false;
    // Request a batch at the segment start, then again each time the tokens expire mid-segment.
    while (broker !== null && creds.length > 0) {
      const ttl = broker.ttlMs;
      const { latency, availability } = broker.issuer;
      const fixedLatency = latency.kind === 'fixed' ? latency.valueMs : -1;
      let wait = 0;
      let served = true;
      const firstMinted = minted.length;
      for (let i = 0; i < creds.length; i++) {
        const l = fixedLatency >= 0 ? fixedLatency : sampleAt(latency, keyedUniform(costSeed, taskKey, k, request, LATENCY));
        const available = availability >= 1 || keyedUniform(costSeed, taskKey, k, request, AVAILABILITY) < availability;
        request++;
        waits.push(l);
        if (l > wait) wait = l;
        if (available) minted.push({ cred: creds[i]!, actor: seg.actors[i]!, step: seg.step, mintAt: 0, reauth });
        else served = false;
      }
      t += wait;
      for (let i = firstMinted; i < minted.length; i++) minted[i]!.mintAt = t;
      if (reauth) reauthorizations += minted.length - firstMinted;
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
    segmentEnds.push(t);
    if (t > timeoutAt) break;
  }
  if (t >= timeoutAt && (status === 'timeout' || t > timeoutAt)) {
    status = 'timeout';
    t = timeoutAt;
  }
  const end = t;
  const issuances = broker === null ? [] : settle(broker, minted, status, end, segmentEnds, agent, taskIndex);
  return { task: taskIndex, k, start, end, status, issuances, waits: ownWaits, reauthorizations };
}
