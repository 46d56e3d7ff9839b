/**
 * Control of nodes (R1, R4, E1, S4): a node is controlled while any of its supports holds (#10.2:
 * control with several admin credentials lasts while any of them stays valid). A support is a span
 * and the revocation key whose revocation, at the node's environment, ends it.
 */
import { deadOn, earliestNewDetection, revocationLatency, revokedBy } from './detection.js';
import type { Instance } from './instances.js';
import type { AttackerState } from './state.js';

/** One reason the attacker controls a node (#10.2: control lasts while any of them holds). */
export interface Support {
  readonly from: number;
  readonly until: number;
  /** Revocation key whose revocation (at the node's environment) ends this support; -1 = unconditional. */
  readonly key: number;
}

export interface Control {
  readonly node: number;
  /** Earliest start over the supports. */
  from: number;
  /** Fewest hops over the supports. */
  depth: number;
  readonly supports: Support[];
}

/** S4: whether `support` gives control of `node` at `t` (started, not ended, its key not revoked there). */
export function supportActive(s: AttackerState, support: Support, node: number, t: number): boolean {
  return support.from <= t && t < support.until && (support.key < 0 || !revokedBy(s, support.key, node, t));
}

/** S4: control is active while any support is. */
export function controlActive(s: AttackerState, c: Control, t: number): boolean {
  for (const support of c.supports) if (supportActive(s, support, c.node, t)) return true;
  return false;
}

/**
 * S4 (#10.2): adds a reason to control `node`; false when an existing one already covers it, or when
 * it gives no control at all (it ends before it starts: a copy that dies before the hop it would act at).
 */
export function addControl(s: AttackerState, node: number, support: Support, depth: number): boolean {
  if (support.until <= support.from) return false;
  const existing = s.controls.get(node);
  if (existing === undefined) {
    s.controls.set(node, { node, from: support.from, depth, supports: [support] });
    s.endsRevision++;
    return true;
  }
  const covered = existing.supports.some(
    (e) => (e.key === support.key || e.key < 0) && e.from <= support.from && e.until >= support.until,
  );
  if (covered && existing.depth <= depth) return false;
  if (!covered) {
    s.endsRevision++;
    // Two supports with one revocation key whose spans meet are one span: control is active on their
    // union either way. Merging keeps the list as short as the distinct reasons (a fresh token copy
    // giving admin at every task would otherwise add one support each).
    const meets = existing.supports.findIndex((e) => e.key === support.key && e.from <= support.until && support.from <= e.until);
    if (meets < 0) existing.supports.push(support);
    else {
      const e = existing.supports[meets]!;
      existing.supports[meets] = { from: Math.min(e.from, support.from), until: Math.max(e.until, support.until), key: e.key };
    }
  }
  existing.from = Math.min(existing.from, support.from);
  existing.depth = Math.min(existing.depth, depth);
  return true;
}

/** S5/S7: when control of `node` ends: naturally (supports' own ends) and in fact (revocations applied); null when never controlled. */
export function controlEnd(s: AttackerState, node: number): { natural: number; actual: number } | null {
  const c = s.controls.get(node);
  if (c === undefined) return null;
  let natural = Number.NEGATIVE_INFINITY;
  let actual = Number.NEGATIVE_INFINITY;
  for (const support of c.supports) {
    natural = Math.max(natural, support.until);
    actual = Math.max(actual, support.key < 0 ? support.until : Math.min(support.until, deadOn(s, support.key, node)));
  }
  return { natural, actual };
}

/** R1/R4: an instance that lasts with the control of a node is usable only while that control is active. */
export function controlAllows(s: AttackerState, inst: Instance, at: number): boolean {
  if (inst.controlOf < 0) return true;
  const c = s.controls.get(inst.controlOf);
  return c !== undefined && controlActive(s, c, at);
}

/**
 * A bound control of `node` surely lasts to, whatever the attacker does from now on: the latest end,
 * over the supports started by `from` and not ended then (over every support without `from`: the
 * actual end of controlEnd, surely), of the support's own end and its key's revocation there — the one
 * already set, or the earliest a detection not yet drawn could bring (earliestNewDetection plus the
 * environment's latency). With `from`, control is active on [from, bound); −Infinity when never.
 */
export function sureControlUntil(s: AttackerState, node: number, from?: number): number {
  const c = s.controls.get(node);
  if (c === undefined) return Number.NEGATIVE_INFINITY;
  let bound = Number.NEGATIVE_INFINITY;
  let fresh = Number.NaN;
  for (const support of c.supports) {
    if (from !== undefined && (support.from > from || support.until <= from)) continue;
    let end = support.until;
    if (support.key >= 0) {
      if (Number.isNaN(fresh)) fresh = earliestNewDetection(s);
      end = Math.min(end, deadOn(s, support.key, node), fresh + revocationLatency(s, support.key, s.model.env[node]!));
    }
    if (end > bound) bound = end;
  }
  return bound;
}
