/**
 * The policy decision the issuer makes before minting (intent-based authorization): every requested
 * (target, action) must lie within the agent's declared intent — the targets and actions of its
 * workload tasks — and the request's context must pass: a reason is given, the time of day is inside
 * the policy's window, no target is more sensitive than the policy allows. A denial carries its reason
 * (`out-of-intent write on prod-db`), which feeds traces and reports.
 */
import { actionBit, maskActions } from '../domain/actions.js';
import type { Action, Scenario, Sensitivity } from '../domain/scenario.js';
import { SENSITIVITIES } from '../domain/scenario.js';
import type { ScopePair } from './claims.js';

/** Why a request was denied, as data (the `reason` is its words, for traces and reports). */
export type DenyCode = 'no-reason' | 'outside-window' | 'empty-request' | 'out-of-intent' | 'too-sensitive';

/** An allow, or a denial with its code and reason. */
export type Decision = { readonly allow: true } | { readonly allow: false; readonly code: DenyCode; readonly reason: string };

/** Per agent, target → declared action bits; per resource, its sensitivity rank. */
export interface IntentIndex {
  readonly intents: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Index into SENSITIVITIES; targets that are not resources are absent (they have no sensitivity). */
  readonly sensitivityRank: ReadonlyMap<string, number>;
}

/** Context rules of the issuer's policy. */
export interface DecisionPolicy {
  /** The most sensitive target a token may cover. */
  readonly maxSensitivity: Sensitivity;
  /** Time-of-day window (ms after midnight of the injected clock) in which requests are served; `null` = always. Wraps past midnight when `fromMs > toMs`. */
  readonly window: { readonly fromMs: number; readonly toMs: number } | null;
  /** Whether a request must state a non-empty reason (the task it serves). */
  readonly requireReason: boolean;
}

/** A token request as the broker sees it. */
export interface AccessRequest {
  readonly agent: string;
  readonly pairs: readonly ScopePair[];
  readonly reason: string;
  /** Time of the request on the injected clock (ms). */
  readonly atMs: number;
}

const ALLOW: Decision = Object.freeze({ allow: true });
const DAY_MS = 86_400_000;

function deny(code: DenyCode, reason: string): Decision {
  return { allow: false, code, reason };
}

/** Builds the intent index of a scenario: each agent's workload steps, and each resource's sensitivity. */
export function buildIntentIndex(scenario: Scenario): IntentIndex {
  const intents = new Map<string, Map<string, number>>();
  for (const task of scenario.workload) {
    let intent = intents.get(task.agent);
    if (intent === undefined) {
      intent = new Map();
      intents.set(task.agent, intent);
    }
    for (const step of task.steps) intent.set(step.target, (intent.get(step.target) ?? 0) | actionBit(step.action));
  }
  const sensitivityRank = new Map<string, number>();
  for (const node of scenario.nodes) {
    if (node.kind === 'resource') sensitivityRank.set(node.id, SENSITIVITIES.indexOf(node.sensitivity));
  }
  return { intents, sensitivityRank };
}

function inWindow(window: NonNullable<DecisionPolicy['window']>, atMs: number): boolean {
  const t = ((atMs % DAY_MS) + DAY_MS) % DAY_MS;
  return window.fromMs <= window.toMs ? t >= window.fromMs && t < window.toMs : t >= window.fromMs || t < window.toMs;
}

/** Decides a token request; allocation-free when it allows. */
export function decide(request: AccessRequest, index: IntentIndex, policy: DecisionPolicy): Decision {
  if (policy.requireReason && request.reason.trim() === '') return deny('no-reason', 'no reason given');
  if (policy.window !== null && !inWindow(policy.window, request.atMs))
    return deny('outside-window', 'outside the allowed time window');
  if (request.pairs.length === 0) return deny('empty-request', 'empty request');
  const intent = index.intents.get(request.agent);
  const maxRank = SENSITIVITIES.indexOf(policy.maxSensitivity);
  for (const { target, action } of request.pairs) {
    const declared = intent?.get(target) ?? 0;
    if ((declared & actionBit(action)) === 0) return deny('out-of-intent', `out-of-intent ${action} on ${target}`);
    const rank = index.sensitivityRank.get(target);
    if (rank !== undefined && rank > maxRank) {
      return deny(
        'too-sensitive',
        `${target} is ${SENSITIVITIES[rank] ?? 'unknown'}, above the policy's ${policy.maxSensitivity}`,
      );
    }
  }
  return ALLOW;
}

/** The declared actions of `agent` on `target`, in ACTIONS order (for traces and tests). */
export function declaredActions(index: IntentIndex, agent: string, target: string): Action[] {
  return maskActions(index.intents.get(agent)?.get(target) ?? 0);
}
