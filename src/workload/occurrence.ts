/**
 * One occurrence of a benign task under a policy (DESIGN §2.2): its token requests, waits, re-
 * authorizations, outcome, and every token it minted with the moment each one dies.
 *
 * Draws are keyed by (task, occurrence, request, purpose), so any occurrence can be computed on its
 * own: attacks look up only the occurrences around the moments they need, cost sums over all of them.
 */
import type { Policy, Task } from '../scenario/types.js';
import type { CompiledModel } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import { keyedUniform } from '../lib/rng.js';
import { sampleAt } from '../lib/distribution.js';

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
}

function segments(model: CompiledModel, policy: Policy, modes: CredentialModes, taskIndex: number): Segment[] {
  const task = model.scenario.workload[taskIndex]!;
  const credOf = (cred: string): number => model.indexOf.get(cred)!;
  if (policy.scope === 'step') {
    const n = task.steps.length;
    return task.steps.map((step, i) => {
      const cred = credOf(step.credential);
      const durationMs = Math.floor(((i + 1) * task.durationMs) / n) - Math.floor((i * task.durationMs) / n);
      return { step: i, durationMs, creds: modes.ephemeral[cred] === 1 ? [cred] : [] };
    });
  }
  const creds: number[] = [];
  for (const step of task.steps) {
    const cred = credOf(step.credential);
    if (modes.ephemeral[cred] === 1 && !creds.includes(cred)) creds.push(cred);
  }
  return [{ step: -1, durationMs: task.durationMs, creds }];
}

/** Simulates occurrence `k` of task `taskIndex` under `policy`, with draws keyed by `costSeed`. */
export function simulateOccurrence(
  model: CompiledModel,
  policy: Policy,
  modes: CredentialModes,
  costSeed: number,
  taskIndex: number,
  k: number,
): Occurrence {
  const task = model.scenario.workload[taskIndex]!;
  const agent = model.taskAgent[taskIndex]!;
  const start = occurrenceStart(task, k);
  const timeoutAt = start + task.timeoutMs;
  const minted: Omit<Issuance, 'deadAt'>[] = [];
  const waits: number[] = [];
  const segmentEnds: number[] = [];
  let reauthorizations = 0;
  let request = 0;
  let t = start;
  let status: OccurrenceStatus = 'completed';

  // One batch of requests (in parallel): the segment waits for the slowest; any unserved request fails the task.
  const requestBatch = (seg: Segment, reauth: boolean): boolean => {
    let wait = 0;
    let served = true;
    const mintedNow: number[] = [];
    for (const cred of seg.creds) {
      const latency = sampleAt(policy.issuer.latency, keyedUniform(costSeed, taskIndex, k, request, LATENCY));
      const available = keyedUniform(costSeed, taskIndex, k, request, AVAILABILITY) < policy.issuer.availability;
      request++;
      waits.push(latency);
      wait = Math.max(wait, latency);
      if (available) mintedNow.push(cred);
      else served = false;
    }
    t += wait;
    for (const cred of mintedNow) {
      const actor = seg.step === -1 ? model.taskCredActor[taskIndex]!.get(cred)! : actorOfStep(model, taskIndex, seg.step);
      minted.push({ cred, actor, principal: agent, task: taskIndex, step: seg.step, mintAt: t, expiresAt: t + policy.ttlMs, reauth });
      if (reauth) reauthorizations++;
    }
    return served;
  };

  outer: for (const seg of segments(model, policy, modes, taskIndex)) {
    if (seg.creds.length > 0 && !requestBatch(seg, false)) {
      status = 'failed';
      break;
    }
    let remaining = seg.durationMs;
    while (seg.creds.length > 0 && remaining > policy.ttlMs) {
      // The segment outlives its tokens: a legacy job cannot re-authenticate mid-run and breaks.
      if (!task.refreshable) {
        t += policy.ttlMs;
        status = 'failed';
        break outer;
      }
      t += policy.ttlMs;
      remaining -= policy.ttlMs;
      if (!requestBatch(seg, true)) {
        status = 'failed';
        break outer;
      }
    }
    t += remaining;
    segmentEnds.push(t);
    if (t > timeoutAt) break;
  }
  if (t > timeoutAt) {
    status = 'timeout';
    t = timeoutAt;
  }
  const end = t;
  const revokeAtEnd =
    (status === 'completed' && policy.revokeOn.completion) ||
    (status === 'failed' && policy.revokeOn.failure) ||
    (status === 'timeout' && policy.revokeOn.timeout);
  const issuances: Issuance[] = [];
  for (const token of minted) {
    if (token.mintAt > end) continue; // cancelled by the timeout
    let deadAt = token.expiresAt;
    // A step-scoped token is done when its step completes.
    const stepEnd = token.step >= 0 ? segmentEnds[token.step] : undefined;
    if (stepEnd !== undefined && policy.revokeOn.completion) deadAt = Math.min(deadAt, stepEnd);
    if (revokeAtEnd) deadAt = Math.min(deadAt, end);
    issuances.push({ ...token, deadAt });
  }
  return { task: taskIndex, k, start, end, status, issuances, waits, reauthorizations };
}

function actorOfStep(model: CompiledModel, taskIndex: number, step: number): number {
  const s = model.scenario.workload[taskIndex]!.steps[step]!;
  return model.indexOf.get(s.via ?? model.scenario.workload[taskIndex]!.agent)!;
}
