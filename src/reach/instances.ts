/**
 * What the attacker holds (R6, #10.3): instances (copies of credentials, mint capabilities, tools
 * acting for the attacker), when one covers or dominates another, and adding one to the held set
 * (which also records the credential as harvested when its material still works somewhere).
 */
import { PRIVILEGED } from '../domain/actions.js';
import type { PairSet } from '../model/compile.js';
import { brokerFor } from '../policy/modes.js';
import { sureControlUntil } from './control.js';
import { deadEverywhere, keyOf } from './detection.js';
import type { AttackerState } from './state.js';

/** A usable piece of access: a copy of a credential, a mint capability, or a tool acting on the attacker's behalf. */
export interface Instance {
  readonly cred: number;
  /** When the attacker got it (and may first use it: `usableFrom`). */
  readonly obtainedAt: number;
  readonly usableFrom: number;
  /** Natural end: expiry, step/task revocation, rotation; Infinity for a mint capability. */
  readonly until: number;
  /** null = everything the credential grants (role scope or standing). */
  readonly scope: PairSet | null;
  /** Sender-constrained to this node (-1 = not bound). */
  readonly boundTo: number;
  /** The node the attacker acts as when using it (-1 = replayed from elsewhere). */
  readonly actingAs: number;
  /** Whose declared intent the broker checks (-1 = nobody's: every re-checked use is denied). */
  readonly principal: number;
  /** Issued by the broker (R7 re-evaluation applies) rather than a standing secret. */
  readonly managed: boolean;
  /** The attacker holds the material (false for a tool acting on its behalf). */
  readonly material: boolean;
  /** Hops taken to obtain it; actions with it are at depth + 1. */
  readonly depth: number;
  /** Control that this instance lasts with (-1 = none). */
  readonly controlOf: number;
  /** Material the attacker created through an `issues` edge (E5): revoked apart from the credential's other material. */
  readonly created: boolean;
  /**
   * E3 mint capability: tokens minted from this source instance on demand (R8 exchanges), null for
   * anything else. Usable while a token minted during the source's usable life is still alive: up to
   * the source's end plus `ttl`. (Every instance carries both fields, so all have one shape.)
   */
  readonly via: Instance | null;
  /**
   * useAll's memo of this copy's first use (R2, S9): the targets it succeeded on that hold credentials.
   * A later use of the same copy repeats no attempt (all drawn already), changes no reach or control
   * (same copy, later time) and is denied where it was denied: only the material present at those
   * holders can be new, so re-use re-reads them (where the credential is not yet revoked) and nothing
   * else. Valid in the engine run whose generation is `exposedGen` (0: none), so a copy that reaches
   * another run (a foothold reused by a test) starts afresh. Kept on the copy, not in a map keyed by it.
   */
  exposes: number[] | null;
  exposedGen: number;
}

/** An instance whose fields can be set: a reusable candidate or probe (materialAt, streams.ts). */
export type MutableInstance = { -readonly [K in keyof Instance]: Instance[K] };

/** A mutable instance with every field at a neutral value (all instances share one shape). */
export function blankInstance(): MutableInstance {
  return {
    cred: -1,
    obtainedAt: 0,
    usableFrom: 0,
    until: 0,
    scope: null,
    boundTo: -1,
    actingAs: -1,
    principal: -1,
    managed: false,
    material: true,
    depth: 0,
    controlOf: -1,
    created: false,
    via: null,
    exposes: null,
    exposedGen: 0,
  };
}

/** Whether scope `a` allows every (target, action) that `b` allows (null = everything the credential grants). */
export function scopeCovers(a: PairSet | null, b: PairSet | null): boolean {
  if (a === null || a === b) return true;
  if (b === null) return false;
  for (const [target, mask] of b) if (((a.get(target) ?? 0) & mask) !== mask) return false;
  return true;
}

/** Two instances of the same kind: a newer one supersedes the older rather than adding to it. */
export function sameKind(a: Instance, b: Instance): boolean {
  return (
    a.scope === b.scope &&
    a.boundTo === b.boundTo &&
    a.actingAs === b.actingAs &&
    a.principal === b.principal &&
    a.managed === b.managed &&
    a.material === b.material &&
    a.controlOf === b.controlOf &&
    a.created === b.created &&
    a.via === b.via
  );
}

/** A copy bound to a workload the attacker does not act as: every use is denied (R7 binding). */
export function blocked(i: Instance): boolean {
  return i.boundTo >= 0 && i.actingAs !== i.boundTo;
}

/** `a` can do everything `b` can, from as soon, for as long (same revocation key, control, source, principal). */
export function covers(a: Instance, b: Instance): boolean {
  return (
    a.until >= b.until &&
    a.created === b.created &&
    a.via === b.via &&
    a.principal === b.principal &&
    a.managed === b.managed &&
    a.actingAs === b.actingAs &&
    a.controlOf === b.controlOf &&
    a.material === b.material &&
    (blocked(a) ? blocked(b) && a.boundTo === b.boundTo : true) &&
    a.depth <= b.depth &&
    a.usableFrom <= b.usableFrom &&
    scopeCovers(a.scope, b.scope)
  );
}

/**
 * Whether the principal of a copy of `cred` can matter (R7, R8): it does when the credential is
 * exchanged for something (`assumes`) or when a broker-managed copy's use is re-checked against its
 * principal's intent for some action the credential grants (`every-step`, or `privileged` and a write
 * or admin grant).
 */
export function principalMatters(s: AttackerState, cred: number, managed: boolean): boolean {
  const { assumes, grants } = s.model;
  if (assumes.off[cred]! < assumes.off[cred + 1]!) return true;
  if (!managed) return false;
  const reevaluate = brokerFor(s.policy).reevaluate;
  if (reevaluate === 'none') return false;
  if (reevaluate === 'every-step') return true;
  for (let g = grants.off[cred]!; g < grants.off[cred + 1]!; g++) if ((grants.data[g]! & PRIVILEGED) !== 0) return true;
  return false;
}

/**
 * R6 (S9 "covers"): `a` covers `b` also where they differ only in what cannot change what `b` does:
 * the principal, when it cannot matter (principalMatters); the node acted as, when `a` is bound to
 * none; and the control `a` lasts with, when `a` lasts with none or that control surely lasts until `b`
 * ends (sureControlUntil). For copies of a credential exchanged for nothing, neither a mint
 * capability of an exchange nor created material.
 */
export function coversAcross(s: AttackerState, a: Instance, b: Instance): boolean {
  const { assumes } = s.model;
  if (!(
    a.until >= b.until &&
    a.depth <= b.depth &&
    a.usableFrom <= b.usableFrom &&
    a.material &&
    b.material &&
    a.managed === b.managed &&
    a.via === null &&
    b.via === null &&
    a.created === false &&
    b.created === false &&
    !blocked(a) &&
    assumes.off[b.cred] === assumes.off[b.cred + 1] &&
    scopeCovers(a.scope, b.scope)
  ))
    return false;
  if (a.principal !== b.principal && principalMatters(s, b.cred, b.managed)) return false;
  if (a.controlOf === b.controlOf || a.controlOf < 0) return true;
  // The control `a` lasts with must surely hold while `b` is usable and last until `b` ends (its
  // span's end counts for containment, S5) — also for a copy that dies before it is usable.
  return sureControlUntil(s, a.controlOf, b.usableFrom < b.until ? b.usableFrom : undefined) >= b.until;
}

/** `a` lasts as long as `b`, at as few hops, usable as soon. */
export function dominates(a: Instance, b: Instance): boolean {
  return a.until >= b.until && a.depth <= b.depth && a.usableFrom <= b.usableFrom;
}

/**
 * R6 (#10.3): adds a copy to what the attacker holds. A copy is dropped only when one already held
 * covers it (covers, coversAcross), and replaces only a held one of its kind that it dominates or
 * that is already dead; otherwise both are kept, so what is held never depends on the order in which
 * copies arrive.
 * Sets `progress` when the copy can make the next hop do something new.
 */
export function addInstance(s: AttackerState, candidate: Instance, reused = false): void {
  let inst = candidate;
  // A dead copy is worth nothing, and so is one of a credential already revoked everywhere it acts.
  const revoked = deadEverywhere(s, keyOf(s, inst));
  if (inst.until <= inst.obtainedAt || inst.obtainedAt > revoked) return;
  const held = s.held;
  // Scopes are shared, immutable maps, so identity tells kinds apart; a credential has few kinds.
  let slots = s.heldByCred.get(inst.cred);
  if (slots === undefined) {
    slots = [];
    s.heldByCred.set(inst.cred, slots);
  }
  // A held copy that can do all this one can, for as long and as soon, covers it (a token copy at a
  // controlled workload under its own mint capability, say), and so does one that covers it across
  // what cannot matter (coversAcross): it would add no reach, no span, no draw.
  for (const i of slots) if (covers(held[i]!, inst) || coversAcross(s, held[i]!, inst)) return;
  // A reused candidate (materialAt's) is kept as a copy of its own.
  if (reused)
    inst = {
      cred: candidate.cred,
      obtainedAt: candidate.obtainedAt,
      usableFrom: candidate.usableFrom,
      until: candidate.until,
      scope: candidate.scope,
      boundTo: candidate.boundTo,
      actingAs: candidate.actingAs,
      principal: candidate.principal,
      managed: candidate.managed,
      material: candidate.material,
      depth: candidate.depth,
      controlOf: candidate.controlOf,
      created: candidate.created,
      via: candidate.via,
      exposes: null,
      exposedGen: 0,
    };
  // The first held copy of its kind that it dominates or that is dead by now.
  let previous = -1;
  for (const i of slots) {
    const h = held[i]!;
    if (sameKind(h, inst) && (dominates(inst, h) || h.until <= inst.obtainedAt)) {
      previous = i;
      break;
    }
  }
  if (previous >= 0) {
    s.superseded.push(held[previous]!);
    held[previous] = inst;
  } else {
    slots.push(held.length);
    held.push(inst);
  }
  if (inst.material && inst.obtainedAt < revoked) s.harvested.add(inst.cred);
  // A copy bound to another workload can only be denied (R7); once a bound copy of the credential
  // has made its attempts at this depth or lower, another adds only its span: no reason for a hop.
  if (!blocked(inst) || (s.blockedDepth.get(inst.cred) ?? Number.POSITIVE_INFINITY) > inst.depth) s.progress = true;
}
