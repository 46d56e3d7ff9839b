/**
 * Using what the attacker holds (R2–R4, R7, C4, C5, E1, E5, S6): each granted action attempted with an
 * instance, allowed or denied (binding, scope, broker re-evaluation, approval), and what a success
 * gives — reach, exposure of the target's material, control, runs-control and created material.
 */
import { ADMIN, PRIVILEGED, actionName } from '../domain/actions.js';
import { KIND_RESOURCE } from '../model/compile.js';
import { brokerFor } from '../policy/modes.js';
import { addControl } from './control.js';
import { approvalRefuses, standingScope } from './controls.js';
import { attempt, attemptGrant, keyOf, revokedBy, skip } from './detection.js';
import { addInstance, blocked } from './instances.js';
import type { Instance } from './instances.js';
import { exposeHolder, firstUserOf } from './material.js';
import { nextTaskStart } from './schedule.js';
import type { AttackerState } from './state.js';
import type { ReasonCode } from './trace.js';

/** R7: whether the broker re-checks a live token's use for `action`. */
function reevaluates(s: AttackerState, action: number): boolean {
  const r = brokerFor(s.policy).reevaluate;
  return r === 'every-step' || (r === 'privileged' && (action & PRIVILEGED) !== 0);
}

/** R2–R4: use `inst` on grant edge `g` (its target, with the granted mask) at time `t`; holders succeeded on go to `exposes`. */
export function use(s: AttackerState, inst: Instance, g: number, t: number, nextHop: number, exposes: number[]): void {
  const { model, trace } = s;
  const { grants, holds } = model;
  const target = grants.to[g]!;
  const mask = grants.data[g]!;
  const depth = inst.depth + 1;
  if (depth > s.maxHops) return;
  const key = keyOf(s, inst);
  if (revokedBy(s, key, target, t)) {
    skip(s, inst, target, t, depth);
    return;
  }
  let exposed = false;
  const filter = s.foothold.attemptFilter;
  const tries = filter === null ? mask : mask & (filter.get(target) ?? 0);
  for (let action = 1; action <= ADMIN; action <<= 1) {
    if ((tries & action) === 0) continue;
    s.steps++;
    const first = inst.created === true ? attempt(s, key, target, action, t) : attemptGrant(s, g, key, action, t);
    let denied: string | null = null;
    let code: ReasonCode = 'out-of-scope';
    if (inst.boundTo >= 0 && inst.actingAs !== inst.boundTo) {
      denied = `token bound to ${model.ids[inst.boundTo]}, replayed from elsewhere`; // R7 binding
      code = 'bound-elsewhere';
    } else if (inst.scope !== null && ((inst.scope.get(target) ?? 0) & action) === 0) {
      denied = `outside the token's scope`;
    } else if (inst.managed && reevaluates(s, action)) {
      const intent = inst.principal >= 0 ? model.intent[inst.principal]! : null;
      if (intent === null || ((intent.get(target) ?? 0) & action) === 0) {
        denied = `out-of-intent ${actionName(action)} on ${model.ids[target]} (broker re-evaluation)`; // R7
        code = 'out-of-intent';
      }
    }
    if (denied === null && approvalRefuses(s.ctx, inst.cred, target, action)) {
      denied = `${actionName(action)} on ${model.ids[target]} refused by the approver`; // C4
      code = 'approval-refused';
    }

    if (denied !== null) {
      if (first) trace?.({ t, hop: depth, kind: 'deny', cred: inst.cred, target, action, reason: denied, code });
      continue;
    }
    if (first)
      trace?.({
        t,
        hop: depth,
        kind: 'use',
        cred: inst.cred,
        target,
        action,
        reason: inst.material ? 'credential material' : `acting through ${model.ids[inst.actingAs]}`,
        code: inst.material ? 'credential-use' : 'tool-acting',
      });
    succeed(s, inst, target, action, t, nextHop, depth);
    if (!exposed && holds.off[target]! < holds.off[target + 1]!) {
      exposed = true;
      exposes.push(target);
    }
  }
}

/** R2: uses `inst` on everything its credential grants: in full the first time, then only re-reads its exposed holders. */
export function useAll(s: AttackerState, inst: Instance, t: number, nextHop: number): void {
  const cred = inst.cred;
  const known = inst.exposedGen === s.gen ? inst.exposes : null;
  if (known === null) {
    const { grants } = s.model;
    const exposes: number[] = [];
    for (let g = grants.off[cred]!; g < grants.off[cred + 1]!; g++) use(s, inst, g, t, nextHop, exposes);
    inst.exposes = exposes;
    inst.exposedGen = s.gen;
    for (const h of exposes) {
      let list = s.readersOf.get(h);
      if (list === undefined) s.readersOf.set(h, (list = []));
      list.push({ inst, from: t });
    }
    if (blocked(inst) && inst.created !== true && (s.blockedDepth.get(cred) ?? Number.POSITIVE_INFINITY) > inst.depth)
      s.blockedDepth.set(cred, inst.depth);
    return;
  }
  const depth = inst.depth + 1;
  const key = keyOf(s, inst);
  for (const target of known) {
    if (revokedBy(s, key, target, t)) {
      skip(s, inst, target, t, depth);
      continue;
    }
    exposeHolder(s, target, t, nextHop, depth);
  }
}

/** R2–R4, E1, E5, C5, S6: a successful `action` on `target` with `inst` at `depth`. */
export function succeed(
  s: AttackerState,
  inst: Instance,
  target: number,
  action: number,
  t: number,
  nextHop: number,
  depth: number,
): void {
  const { model, trace, foothold } = s;
  const { holds } = model;
  // S6: the fewest hops of a success, per (target, action), in the workspace's stamped arrays.
  if (s.hopStamp[target] !== s.gen) {
    s.hopStamp[target] = s.gen;
    s.minHop.fill(0x7fffffff, target * 8, target * 8 + 8);
    s.hopNodes.push(target);
  }
  const slot = target * 8 + action;
  if (depth < s.minHop[slot]!) s.minHop[slot] = depth;
  if (model.kind[target] === KIND_RESOURCE) {
    // C5: every resource success, before the count filter.
    if (s.resourceStamp[target] !== s.gen) {
      s.resourceStamp[target] = s.gen;
      s.touchedBits[target] = 0;
      s.reachedBits[target] = 0;
    }
    if (s.touchedBits[target] === 0) s.touchedOrder.push(target);
    s.touchedBits[target] = s.touchedBits[target]! | action;
    const counted = foothold.countFilter === null || ((foothold.countFilter.get(target) ?? 0) & action) !== 0;
    if (counted) {
      const before = s.reachedBits[target]!;
      if ((before & action) === 0) {
        if (before === 0) s.reachedOrder.push(target);
        s.reachedBits[target] = before | action;
        s.progress = s.gained = true;
      }
      if (s.firstAccess === null || t < s.firstAccess) s.firstAccess = t;
    }
  }
  // R3: the material held there is exposed now, usable next hop.
  if (holds.off[target]! < holds.off[target + 1]!) {
    if (trace !== undefined && !s.watched.has(target))
      trace({ t, hop: depth, kind: 'expose', cred: -1, target, action, reason: 'holds credentials', code: 'expose' });
    s.watched.add(target);
    exposeHolder(s, target, t, nextHop, depth);
  }
  // R4: admin gives control, as long as the credential that gave it lasts.
  if (action === ADMIN) {
    if (addControl(s, target, { from: nextHop, until: inst.until, key: keyOf(s, inst) }, depth)) {
      trace?.({
        t,
        hop: depth,
        kind: 'control',
        cred: inst.cred,
        target,
        action,
        reason: 'admin gives control',
        code: 'admin-control',
      });
      s.progress = s.gained = true;
    }
    // E5 persistence: admin on a node that issues credentials creates standing material of its own.
    if (!s.policy.forbidCreation) {
      for (let k = model.issues.off[target]!; k < model.issues.off[target + 1]!; k++)
        createMaterial(s, model.issues.to[k]!, target, t, nextHop, depth);
    }
  }
  // E1: write or admin on what a workload executes gives control of it from its next task.
  if ((action & PRIVILEGED) !== 0) {
    for (let k = model.runs.off[target]!; k < model.runs.off[target + 1]!; k++) {
      const node = model.runs.to[k]!;
      const from = Math.max(nextHop, nextTaskStart(model, node, t));
      if (from >= s.horizon || !addControl(s, node, { from, until: Number.POSITIVE_INFINITY, key: -1 }, depth)) continue;
      trace?.({
        t,
        hop: depth,
        kind: 'control',
        cred: inst.cred,
        target: node,
        action,
        reason: `runs what ${model.ids[target]} holds: control from its next task`,
        code: 'runs-control',
      });
      s.progress = s.gained = true;
    }
  }
}

/** E5: standing material the attacker creates for `cred` through admin on `issuer`; no TTL, no rotation, revoked apart. */
export function createMaterial(s: AttackerState, cred: number, issuer: number, t: number, nextHop: number, depth: number): void {
  const before = s.held.length + s.superseded.length;
  addInstance(s, {
    cred,
    obtainedAt: t,
    usableFrom: nextHop,
    until: Number.POSITIVE_INFINITY,
    scope: standingScope(s.ctx, cred),
    boundTo: -1,
    actingAs: -1,
    principal: firstUserOf(s.ctx, cred),
    managed: false,
    material: true,
    depth,
    controlOf: -1,
    created: true,
    via: null,
    exposes: null,
    exposedGen: 0,
  });
  if (s.held.length + s.superseded.length !== before) {
    s.trace?.({
      t,
      hop: depth,
      kind: 'create',
      cred,
      target: issuer,
      action: ADMIN,
      reason: 'admin on an issuer: attacker-created standing material',
      code: 'created',
    });
  }
}
