/**
 * S9 covered copies (docs/semantics-engine.md): token copies that a held mint capability can stand in
 * for, because it does all they could, for as long: at a controlled node (the node's own capability
 * for copies another agent mints through it, actsAlike; any held one for the others, openCovered) and
 * at a holder the attacker reads (coveredWatched). Such copies wake nothing (streams.ts).
 */
import { ADMIN, PRIVILEGED } from '../domain/actions.js';
import type { PairSet } from '../model/compile.js';
import { brokerFor } from '../policy/modes.js';
import { scopeCovers } from './instances.js';
import type { Instance } from './instances.js';
import { tokenScope } from './material.js';
import type { AttackerState } from './state.js';

/**
 * S9 quiet copies: the copies of `cred` at controlled `node` that are neither blocked nor the node's
 * own (QUIET_OPEN) are all covered by a held mint capability (heldCover: lasting with the node's
 * control or with one that can never end), the credential having no exchange. The last negative
 * answer is kept until something it depends on moves, as coveredWatched's.
 */
export function openCovered(s: AttackerState, node: number, cred: number, depth: number): boolean {
  const { model } = s;
  if (model.assumes.off[cred]! < model.assumes.off[cred + 1]!) return false;
  const id = (model.nodeCount + node) * model.nodeCount + cred;
  const answer = recheck(s, id, cred, depth);
  if (answer === null) return false;
  const { bindToWorkload } = brokerFor(s.policy);
  const open = (task: number): boolean => {
    const agent = model.taskAgent[task]!;
    for (const step of model.scenario.workload[task]!.steps) {
      if (model.indexOf.get(step.credential) !== cred) continue;
      const actor = step.via === null ? agent : model.indexOf.get(step.via)!;
      const bound = bindToWorkload && model.isWorkloadIdentity[agent] === 1 && model.isWorkloadIdentity[actor] === 1;
      if (!(bound && actor !== node) && !(actor === node && (agent === node || actsAlike(s, node, task, cred)))) return true;
    }
    return false;
  };
  return heldCover(s, cred, depth, node, answer, open) !== null;
}

/**
 * S9: whether the copies of `cred` that another agent's `task` has minted through `node` (every step
 * of the task with `cred` goes via `node`) can do nothing that the node's own mint capability cannot,
 * though they are requested for that agent: the credential has no exchange (R8 mints for the copy's
 * requester), and every action the broker re-checks that the copy's scope allows and the agent's
 * declared intent allows (R7), the node's allows too. The capability's scope covers the task's
 * (checked with the capability, coveredByCapability).
 */
export function actsAlike(s: AttackerState, node: number, task: number, cred: number): boolean {
  const model = s.model;
  if (model.assumes.off[cred]! < model.assumes.off[cred + 1]!) return false;
  const agent = model.taskAgent[task]!;
  for (const step of model.scenario.workload[task]!.steps)
    if (model.indexOf.get(step.credential) === cred && (step.via === null ? agent : model.indexOf.get(step.via)!) !== node)
      return false;
  const pairs = brokerFor(s.policy).scope === 'role' ? null : (model.taskCredPairs[task]!.get(cred) ?? null);
  return intentAlike(s, cred, node, agent, pairs);
}

/**
 * R7: whether every action with `cred` that the broker re-checks, that `pairs` allows (null: all it
 * grants) and that principal `theirs`'s declared intent allows, principal `own`'s allows too.
 */
function intentAlike(s: AttackerState, cred: number, own: number, theirs: number, pairs: PairSet | null): boolean {
  const { reevaluate } = brokerFor(s.policy);
  if (reevaluate === 'none' || own === theirs) return true;
  const { grants, intent } = s.model;
  const allowed = (who: number, target: number, action: number): boolean =>
    who >= 0 && ((intent[who]!.get(target) ?? 0) & action) !== 0;
  for (let g = grants.off[cred]!; g < grants.off[cred + 1]!; g++) {
    const target = grants.to[g]!;
    for (let action = 1; action <= ADMIN; action <<= 1) {
      if ((grants.data[g]! & action) === 0 || (reevaluate === 'privileged' && (action & PRIVILEGED) === 0)) continue;
      if (pairs !== null && ((pairs.get(target) ?? 0) & action) === 0) continue;
      if (allowed(theirs, target, action) && !allowed(own, target, action)) return false;
    }
  }
  return true;
}

/**
 * S9 covered streams: every copy of `cred` landing at read holder `node` is unbound, and a held mint
 * capability of the credential does all a copy could, for as long (R6): never ending, revoked with the
 * credential (not created), lasting with no control or with a control that can never end (a support
 * without a revocation key and without an end), usable already, at no more hops than any reader of the
 * holder reads at, with a scope covering each task's copies and, where the broker re-checks, an intent
 * allowing what each task's requester's allows; and the credential has no exchange (R8 mints for the
 * copy's requester). Its copies wake nothing and are not read (exposeHolder): they would add no reach,
 * no span and no draw. Kept per (holder, credential) with the capability's hops; a reader at fewer hops
 * ends it.
 */
export function coveredWatched(s: AttackerState, node: number, cred: number): boolean {
  const readers = s.readersOf.get(node);
  if (readers === undefined) return false;
  // The fewest hops a reader reads the holder at, and whether a tool acting for the attacker reads it.
  let who = s.readerHops.get(node);
  if (who === undefined) s.readerHops.set(node, (who = { seen: 0, depth: Number.POSITIVE_INFINITY, tool: false }));
  for (; who.seen < readers.length; who.seen++) {
    const { inst } = readers[who.seen]!;
    who.depth = Math.min(who.depth, inst.depth + 1);
    who.tool ||= !inst.material;
  }
  const id = node * s.nodeCount + cred;
  const known = s.coveredStreams.get(id);
  if (known !== undefined) {
    if (!who.tool && known.depth <= who.depth) return true;
    s.coveredStreams.delete(id);
    return false;
  }
  if (who.tool) return false;
  const depth = who.depth;
  // A negative answer holds until something it depends on moves (the readers' hops among them).
  const answer = recheck(s, id, cred, depth);
  if (answer === null) return false;
  const { model } = s;
  if (s.modes.ephemeral[cred] !== 1 || model.assumes.off[cred]! < model.assumes.off[cred + 1]!) return false;
  const { bindToWorkload } = brokerFor(s.policy);
  for (let i = model.credTasks.off[cred]!; i < model.credTasks.off[cred + 1]!; i++) {
    const task = model.credTasks.to[i]!;
    const agent = model.taskAgent[task]!;
    for (const step of model.scenario.workload[task]!.steps) {
      if (model.indexOf.get(step.credential) !== cred) continue;
      const actor = step.via === null ? agent : model.indexOf.get(step.via)!;
      if (bindToWorkload && model.isWorkloadIdentity[agent] === 1 && model.isWorkloadIdentity[actor] === 1) return false;
    }
  }
  const cap = heldCover(s, cred, depth, -1, answer, () => true);
  if (cap === null) return false;
  s.uncovered.delete(id);
  s.coveredStreams.set(id, { depth: cap.depth });
  return true;
}

/**
 * S9: a held mint capability of `cred` that does all that an unbound copy of it could, for as long
 * (coveredWatched): never ending, revoked with the credential, lasting with no control, with the
 * control of `node` (which the copies last with; -1: none) or with one that can never end, usable
 * already at no more than `depth` hops, its scope covering, and its requester's intent allowing what
 * the requester's of each task that `tasks` selects does where the broker re-checks. Null when none;
 * `answer.until` then gets the moment a capability or a control would become usable.
 */
function heldCover(
  s: AttackerState,
  cred: number,
  depth: number,
  node: number,
  answer: { until: number },
  tasks: (task: number) => boolean,
): Instance | null {
  const { model } = s;
  for (const i of s.heldByCred.get(cred) ?? []) {
    const cap = s.held[i]!;
    if (cap.until !== Number.POSITIVE_INFINITY || cap.via !== null || cap.created || !cap.managed || !cap.material) continue;
    if (cap.boundTo >= 0 || cap.depth > depth) continue;
    const lasting = cap.controlOf < 0 || cap.controlOf === node ? Number.NEGATIVE_INFINITY : permanentFrom(s, cap.controlOf);
    const from = Math.max(cap.usableFrom, lasting);
    if (from > s.now) {
      answer.until = Math.min(answer.until, from);
      continue;
    }
    let all = true;
    for (let i2 = model.credTasks.off[cred]!; i2 < model.credTasks.off[cred + 1]! && all; i2++) {
      const task = model.credTasks.to[i2]!;
      if (!tasks(task)) continue;
      const scope = tokenScope(s, task, -1, cred);
      all = scopeCovers(cap.scope, scope) && intentAlike(s, cred, cap.principal, model.taskAgent[task]!, scope);
    }
    if (all) return cap;
  }
  return null;
}

/** The earliest moment from which control of `node` can never end (a support with no revocation key and no end); Infinity if none. */
function permanentFrom(s: AttackerState, node: number): number {
  let from = Number.POSITIVE_INFINITY;
  for (const support of s.controls.get(node)?.supports ?? [])
    if (support.key < 0 && support.until === Number.POSITIVE_INFINITY) from = Math.min(from, support.from);
  return from;
}

/**
 * The last negative answer for `id` (a holder or controlled node and a credential), when something it
 * depended on has moved since — the copies of `cred` held, the hops asked for, a revocation or a
 * control (endsRevision), or the moment a capability or a control it found would become usable — reset
 * for a new search; null while it still holds.
 */
function recheck(s: AttackerState, id: number, cred: number, depth: number): { until: number } | null {
  const adds = s.addsOf.get(cred) ?? 0;
  let answer = s.uncovered.get(id);
  if (answer === undefined) s.uncovered.set(id, (answer = { adds: -1, depth: 0, revision: 0, until: 0 }));
  else if (answer.adds === adds && answer.depth === depth && answer.revision === s.endsRevision && s.now < answer.until)
    return null;
  answer.adds = adds;
  answer.depth = depth;
  answer.revision = s.endsRevision;
  answer.until = Number.POSITIVE_INFINITY;
  return answer;
}
