/**
 * The separable access controls of SPEC §2 "Which control buys what" (docs/controls.md C1–C4), one
 * small function each, so the reachability rules (src/reach/) and the workload (occurrence.ts) consult
 * the same copy of every rule.
 *
 * C1 scope: a policy checks intent (`scope` task, step or persistent intent) or grants everything the
 *    credential grants (`scope` role or persistent all): no intent check on issuance either.
 * C2 right-sized standing access: under a persistent `scope: intent`, a standing secret grants only the
 *    (target, action) pairs its users' workload steps declare.
 * C3 call-chain context: with `callChain: propagated` a tool's token request is checked against the
 *    calling agent's declared requests via that tool; with `none` against the tool's own (every step
 *    any agent routes through it).
 * C4 approval: an attacker request for a gated action is refused with probability `refuse`, one keyed
 *    draw per (credential, target, action), so asking again does not help.
 */
import type { BrokerSettings, Policy } from '../domain/scenario.js';
import type { PairSet } from '../model/compile.js';
import { actionMask } from '../domain/actions.js';
import { keyedUniform } from '../lib/rng.js';
import type { TrialContext } from './context.js';
import { workspaceOf } from './workspace.js';

/** Purpose tag of approval draws in the trial's detection seed (revocation latencies use 7). */
const APPROVAL_PURPOSE = 11;

/** C1: whether the policy's broker (or right-sized standing grant) checks declared intent. */
export function checksIntent(policy: Policy): boolean {
  switch (policy.kind) {
    case 'persistent':
      return policy.scope === 'intent';
    case 'ephemeral':
    case 'hybrid':
      return policy.broker.scope !== 'role';
  }
}

/** C2: the scope of a standing instance of `cred` (null = everything it grants); one shared map per credential and model. */
export function standingScope(ctx: TrialContext, cred: number): PairSet | null {
  if (ctx.policy.kind !== 'persistent' || ctx.policy.scope !== 'intent') return null;
  const model = ctx.model;
  const byCred = workspaceOf(model).standingScopes;
  let scope = byCred.get(cred);
  if (scope === undefined) {
    const pairs = new Map<number, number>();
    const { credTasks, taskCredPairs } = model;
    for (let k = credTasks.off[cred]!; k < credTasks.off[cred + 1]!; k++) {
      for (const [target, mask] of taskCredPairs[credTasks.to[k]!]!.get(cred) ?? [])
        pairs.set(target, (pairs.get(target) ?? 0) | mask);
    }
    scope = pairs;
    byCred.set(cred, scope);
  }
  return scope;
}

/** C3: whose declared requests the broker checks when `tool`, called on behalf of `caller`, asks for a token. */
export function requestPrincipal(broker: BrokerSettings, caller: number, tool: number): number {
  return broker.callChain === 'propagated' ? caller : tool;
}

/** C4: the gated actions as a bit mask (0 = no approval). */
export function approvalMask(policy: Policy): number {
  return policy.approval === null ? 0 : actionMask(policy.approval.actions);
}

/** C4: whether the approver refuses the attacker's request (cred, target, action); `action` is one bit. */
export function approvalRefuses(ctx: TrialContext, cred: number, target: number, action: number): boolean {
  const approval = ctx.policy.approval;
  if (approval === null || (approvalMask(ctx.policy) & action) === 0) return false;
  // Keyed by ids, never by file position (S2).
  const { idHash } = ctx.model;
  return keyedUniform(ctx.detectSeed, idHash[cred]!, idHash[target]!, action, APPROVAL_PURPOSE) < approval.refuse;
}
