/**
 * Exchanges (R8, R7, E3, E4): a valid instance of a credential yields another through an `assumes`
 * edge — a standing credential's current version, or a mint capability for a managed one when the
 * broker allows it — and when such a capability ends.
 */
import { boundToRequester, brokerFor, standingEnd } from '../policy/modes.js';
import { controlEnd } from './control.js';
import { checksIntent, standingScope } from './controls.js';
import { attempt, deadOn, keyOf, revokedBy, skip } from './detection.js';
import { addInstance } from './instances.js';
import type { Instance } from './instances.js';
import { EMPTY_SCOPE } from './material.js';
import type { AttackerState } from './state.js';

/** R8: exchange a valid instance for credential `target` at `t` (usable at `nextHop`); one try per (instance, target). */
export function exchange(s: AttackerState, inst: Instance, target: number, t: number, nextHop: number): void {
  const { model, policy, modes, trace } = s;
  s.steps++;
  const depth = inst.depth + 1;
  const key = keyOf(s, inst);
  if (depth > s.maxHops) return;
  if (revokedBy(s, key, target, t)) {
    skip(s, inst, target, t, depth);
    return;
  }
  let tried = s.exchanged.get(inst);
  if (tried === undefined) {
    tried = new Set();
    s.exchanged.set(inst, tried);
  }
  if (tried.has(target)) return;
  tried.add(target);
  attempt(s, key, target, 0, t);
  if (inst.boundTo >= 0 && inst.actingAs !== inst.boundTo) return;
  if (modes.ephemeral[target] === 0) {
    addInstance(s, {
      cred: target,
      obtainedAt: t,
      usableFrom: nextHop,
      until: standingEnd(modes, target, t),
      scope: standingScope(s.ctx, target),
      boundTo: -1,
      actingAs: inst.actingAs,
      principal: inst.principal,
      managed: false,
      material: true,
      depth,
      controlOf: -1,
      created: false,
      via: null,
      exposes: null,
      exposedGen: 0,
    });
    return;
  }
  const pairs = inst.principal >= 0 ? model.principalCredPairs.get(`${inst.principal}|${target}`) : undefined;
  // E4: an exchange the principal's workload declares is in its intent, whatever its steps use.
  const declared = inst.principal >= 0 && model.declaredExchanges.has(`${inst.principal}|${inst.cred}|${target}`);
  if (pairs === undefined && !declared && checksIntent(policy)) {
    trace?.({
      t,
      hop: depth,
      kind: 'deny',
      cred: inst.cred,
      target,
      action: 0,
      reason: 'exchange outside declared intent',
      code: 'exchange-out-of-intent',
    });
    return; // R7: the broker re-evaluates the exchange against declared intent
  }
  trace?.({
    t,
    hop: depth,
    kind: 'exchange',
    cred: inst.cred,
    target,
    action: 0,
    reason: declared ? 'declared token exchange' : 'token exchange',
    code: declared ? 'declared-exchange' : 'exchange',
  });
  const broker = brokerFor(policy);
  // E3: a minted token is bound to the workload it is minted as, like the workload's own tokens.
  const bound = boundToRequester(model, broker, inst.principal, inst.principal);
  // E3: the attacker mints whenever it acts, not once per hop: one capability lasting while a token
  // minted during the source's life is alive (its end is refined by revocations in mintEnd).
  addInstance(s, {
    cred: target,
    obtainedAt: t,
    usableFrom: nextHop,
    until: inst.until + broker.ttlMs,
    scope: broker.scope === 'role' || (pairs === undefined && !declared) ? null : (pairs ?? EMPTY_SCOPE),
    boundTo: bound ? inst.principal : -1,
    actingAs: inst.actingAs,
    principal: inst.principal,
    managed: true,
    material: true,
    depth,
    controlOf: -1,
    created: false,
    via: inst,
    exposes: null,
    exposedGen: 0,
  });
}

/** A capability without a source (anything but a mint capability) never ends by it. */
const NEVER: { natural: number; actual: number } = { natural: Number.POSITIVE_INFINITY, actual: Number.POSITIVE_INFINITY };

/**
 * E3: when a mint capability ends: its source's end — natural (`natural`) or with the revocations
 * known so far applied on the minted credential's environment and the control it lasts with
 * (`actual`) — plus the lifetime of the last token minted then. Infinity for anything else.
 *
 * A capability minted from a capability (an exchange cycle, c0 → c1 → c0, re-mints at every hop)
 * makes chains as long as the trial has hops. Each link's end is kept until a revocation or a
 * control change (`s.endsRevision`) can move it, and the chain is walked in a loop from the newest
 * link whose end is known: one link's work per new capability, and no recursion as deep as the chain.
 */
export function mintEnd(s: AttackerState, inst: Instance): { natural: number; actual: number } {
  if (inst.via === null) return NEVER;
  const chain: Instance[] = [];
  let upstream = NEVER;
  for (let cur: Instance | null = inst; cur !== null && cur.via !== null; cur = cur.via) {
    const known = s.mintEnds.get(cur);
    if (known !== undefined && known.revision === s.endsRevision) {
      upstream = known.end;
      break;
    }
    chain.push(cur);
  }
  const ttl = brokerFor(s.policy).ttlMs;
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i]!;
    const src = link.via!;
    let natural = src.until;
    let actual = Math.min(src.until, deadOn(s, keyOf(s, src), link.cred));
    if (src.controlOf >= 0) {
      const end = controlEnd(s, src.controlOf);
      if (end !== null) {
        natural = Math.min(natural, end.natural);
        actual = Math.min(actual, end.actual);
      }
    }
    upstream = { natural: Math.min(natural, upstream.natural) + ttl, actual: Math.min(actual, upstream.actual) + ttl };
    s.mintEnds.set(link, { revision: s.endsRevision, end: upstream });
  }
  return upstream;
}
