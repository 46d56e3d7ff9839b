/**
 * Material (R3, R6, E2): what the attacker obtains when it reads a holder or acts as a controlled
 * node — a standing secret's current version, a broker-managed credential's newest token copy, or a
 * mint capability at a controlled workload — and when that material can next change.
 */
import { KIND_AGENT, KIND_TOOL } from '../model/compile.js';
import type { PairSet } from '../model/compile.js';
import { boundToRequester, brokerFor, nextStandingVersion, standingEnd } from '../policy/modes.js';
import type { TrialContext } from './context.js';
import { newestToken, nextMint } from './context.js';
import { controlActive } from './control.js';
import { checksIntent, standingScope } from './controls.js';
import { addInstance, blankInstance } from './instances.js';
import type { MutableInstance } from './instances.js';
import type { AttackerState } from './state.js';
import { workspaceOf } from './workspace.js';

export const EMPTY_SCOPE: PairSet = new Map();

/** The scope of a step-scoped token: one (target, action) pair, one shared map per step (per thread and model). */
export function stepScope(ctx: TrialContext, task: number, step: number): PairSet {
  return workspaceOf(ctx.model).stepScope(ctx.model, task, step);
}

/** The workload a stolen standing secret mints as (R7 exchanges, E3): model.credOwner, order-free. */
export function firstUserOf(ctx: TrialContext, cred: number): number {
  return ctx.model.credOwner[cred]!;
}

/** The workload identity a node requests tokens as (agents and tools; -1 for anything else). */
export function principalOf(s: AttackerState, node: number): number {
  const kind = s.model.kind[node];
  return kind === KIND_AGENT || kind === KIND_TOOL ? node : -1;
}

/** The scope of a token minted for (task, step) of `cred` (step -1: task-scoped); null under role scope. */
export function tokenScope(ctx: TrialContext, task: number, step: number, cred: number): PairSet | null {
  if (brokerFor(ctx.policy).scope === 'role') return null;
  if (step >= 0) return stepScope(ctx, task, step);
  return ctx.model.taskCredPairs[task]!.get(cred) ?? EMPTY_SCOPE;
}

/** The next moment the material of `cred` can change after `t` (a mint or a rotation), cached until then. */
export function nextChange(s: AttackerState, cred: number, t: number): number {
  const known = s.nextChangeAt.get(cred);
  if (known !== undefined && t < known) return known;
  const next = s.modes.ephemeral[cred] === 1 ? nextMint(s.ctx, cred, t) : nextStandingVersion(s.modes, cred, t);
  s.nextChangeAt.set(cred, next);
  return next;
}

/** One reusable candidate copy: most copies read are covered by one already held and dropped (addInstance copies a kept one). */
const candidate: MutableInstance = blankInstance();

/**
 * Offers a copy to addInstance through the reusable candidate, whose read fields (cred, obtainedAt,
 * usableFrom, depth, controlOf) materialAt has set: what differs between the copies one read yields.
 */
function offer(
  s: AttackerState,
  until: number,
  scope: PairSet | null,
  boundTo: number,
  actingAs: number,
  principal: number,
  managed: boolean,
): void {
  candidate.until = until;
  candidate.scope = scope;
  candidate.boundTo = boundTo;
  candidate.actingAs = actingAs;
  candidate.principal = principal;
  candidate.managed = managed;
  addInstance(s, candidate, true);
}

/** R6: the material of `cred` present at `holder` at `t`, as the attacker gets it. */
export function materialAt(
  s: AttackerState,
  cred: number,
  holder: number,
  t: number,
  usableFrom: number,
  depth: number,
  actingAs: number,
  controlOf: number,
): void {
  const { ctx, model, policy, modes } = s;
  s.steps++;
  candidate.cred = cred;
  candidate.obtainedAt = t;
  candidate.usableFrom = usableFrom;
  candidate.depth = depth;
  candidate.controlOf = controlOf;
  if (modes.ephemeral[cred] === 0) {
    offer(
      s,
      standingEnd(modes, cred, t),
      standingScope(ctx, cred),
      -1,
      actingAs,
      actingAs >= 0 ? actingAs : firstUserOf(ctx, cred),
      false,
    );
    return;
  }
  const broker = brokerFor(policy);
  const self = controlOf === holder ? workspaceOf(model).selfRequest(model, holder, cred) : null;
  // C1: without an intent check the broker mints whatever the credential grants for any workload holding it.
  const mints = checksIntent(policy) ? self !== null : principalOf(s, holder) >= 0;
  if (controlOf === holder && mints) {
    offer(s, Number.POSITIVE_INFINITY, broker.scope === 'role' ? null : self!, -1, holder, holder, true);
  }
  const token = newestToken(ctx, cred, t);
  if (token < 0) return;
  const { deadAt, actor, task, step } = ctx.occurrences;
  const until = deadAt[token]!;
  if (until <= t) return;
  const requester = actor[token]!;
  const principal = model.taskAgent[task[token]!]!;
  const bound = boundToRequester(model, broker, principal, requester);
  offer(s, until, tokenScope(ctx, task[token]!, step[token]!, cred), bound ? requester : -1, actingAs, principal, true);
}

/**
 * R3/R6 at a holder reached at `depth`: reads what it holds, unless the last read was at the same
 * or a lower depth and nothing there has changed since (no rotation, no new token copy). Hops only
 * move forward (`nextHop` never decreases), so such a read could only yield copies the attacker
 * already has, usable no sooner, at no lower depth: addInstance would drop every one of them.
 * Credentials whose copies there are left to the end (S9 watched streams) are not read.
 */
export function exposeHolder(s: AttackerState, target: number, t: number, nextHop: number, depth: number): void {
  const { nodeStamp, readDepth, stableUntil } = s;
  if (nodeStamp[target] === s.gen && depth >= readDepth[target]! && t < stableUntil[target]!) return;
  const { holds } = s.model;
  const nodeCount = s.nodeCount;
  let change = Number.POSITIVE_INFINITY;
  for (let k = holds.off[target]!; k < holds.off[target + 1]!; k++) {
    const cred = holds.to[k]!;
    if (!s.watchStreams.has(target * nodeCount + cred)) materialAt(s, cred, target, t, nextHop, depth, -1, -1);
    const next = nextChange(s, cred, t);
    if (next < change) change = next;
  }
  nodeStamp[target] = s.gen;
  readDepth[target] = depth;
  stableUntil[target] = change;
}

/**
 * R1/R6: what each controlled node holds, as of `t`, obtained as the node (usable at once). With
 * `shortcuts`, a node read earlier in the trial at this depth or lower has only the credentials whose
 * material changed since read again (a rotation, a new token copy): the others would yield only copies
 * already held.
 */
export function readControlled(s: AttackerState, t: number, shortcuts: boolean): void {
  const { holds } = s.model;
  const { controlStamp, controlDepth, holdStable } = s;
  for (const c of s.controls.values()) {
    if (!controlActive(s, c, t)) continue;
    const node = c.node;
    const known = shortcuts && controlStamp[node] === s.gen && c.depth >= controlDepth[node]!;
    for (let k = holds.off[node]!; k < holds.off[node + 1]!; k++) {
      if (known && t < holdStable[k]!) continue;
      const cred = holds.to[k]!;
      materialAt(s, cred, node, t, t, c.depth, node, node);
      holdStable[k] = nextChange(s, cred, t);
    }
    if (known) continue;
    controlStamp[node] = s.gen;
    controlDepth[node] = c.depth;
  }
}
