/**
 * Windows and containment (S5, S7; SPEC §5): exposure = material held while valid; access = anything
 * that could act on a resource (material, mint capabilities, tools acting for the attacker). Each
 * span ends at its natural end, its revocation, or the end of the control it lasts with, whichever
 * comes first; a window is the length of the union of its spans.
 */
import { KIND_RESOURCE } from '../model/compile.js';
import { controlEnd } from './control.js';
import { deadEverywhere, keyOf } from './detection.js';
import { mintEnd } from './exchange.js';
import { blocked } from './instances.js';
import type { Instance } from './instances.js';
import type { AttackerState } from './state.js';

/** A time span of access: [from, until), `cut` when a revocation ended it before its natural end and the horizon. */
export interface Span {
  readonly from: number;
  readonly until: number;
  readonly cut: boolean;
}

/** S7: total length of the union of spans (empty and inverted spans count nothing). */
export function unionLength(spans: readonly Span[]): number {
  const live = spans.filter((s) => s.until > s.from).sort((a, b) => a.from - b.from || a.until - b.until);
  let total = 0;
  let curFrom = Number.NaN;
  let curTo = Number.NaN;
  for (const { from, until } of live) {
    if (Number.isNaN(curFrom) || from > curTo) {
      if (!Number.isNaN(curFrom)) total += curTo - curFrom;
      curFrom = from;
      curTo = until;
    } else {
      curTo = Math.max(curTo, until);
    }
  }
  if (!Number.isNaN(curFrom)) total += curTo - curFrom;
  return total;
}

/**
 * S5 containment (#10.4): the moment the last span of held material ended, when a revocation cut it
 * short before the horizon; null otherwise. A span revoked at the instant of its first use
 * (zero length) counts: such a trial is contained at that instant.
 */
export function containedAt(spans: readonly Span[], horizon: number): number | null {
  let end = Number.NEGATIVE_INFINITY;
  let cut = false;
  for (const span of spans) {
    if (span.until < span.from) continue; // dead before it could be used: never held
    if (span.until > end) {
      end = span.until;
      cut = span.cut;
    } else if (span.until === end && span.cut) {
      cut = true;
    }
  }
  return cut && end < horizon ? end : null;
}

/** Whether `cred` grants anything on a resource (only those count for the access window, S7). */
export function grantsResource(s: AttackerState, cred: number): boolean {
  const { grants, kind } = s.model;
  for (let k = grants.off[cred]!; k < grants.off[cred + 1]!; k++) if (kind[grants.to[k]!] === KIND_RESOURCE) return true;
  return false;
}

/** When something a span lasts with ends: naturally, and as revocations make it (a control's, a mint capability's source). */
export interface Ends {
  readonly natural: number;
  readonly actual: number;
}

/** Nothing a span lasts with: it ends only naturally or by its own revocation. */
export const NO_END: Ends = { natural: Number.POSITIVE_INFINITY, actual: Number.POSITIVE_INFINITY };

/** S5/S7: the span of `inst`, lasting with the control of `controlNode` (-1 = none) and, for a mint capability, its source. */
export function spanOf(s: AttackerState, inst: Instance, controlNode: number): Span {
  let natural = inst.until;
  let revoked = deadEverywhere(s, keyOf(s, inst));
  if (inst.via !== null) {
    const end = mintEnd(s, inst);
    natural = Math.min(natural, end.natural);
    revoked = Math.min(revoked, end.actual);
  }
  return spanAt(s, inst.usableFrom, natural, revoked, controlNode < 0 ? NO_END : (controlEnd(s, controlNode) ?? NO_END));
}

/** S5/S7: the span of material usable from `usableFrom`, ending naturally at `natural`, revoked at `revoked`, lasting with `end`. */
export function spanAt(s: AttackerState, usableFrom: number, natural: number, revoked: number, end: Ends): Span {
  const from = Math.max(usableFrom, s.foothold.firstHopMs);
  natural = Math.min(natural, end.natural);
  revoked = Math.min(revoked, end.actual);
  const horizon = s.horizon;
  return { from, until: Math.min(natural, revoked, horizon), cut: revoked < natural && revoked < horizon };
}

/**
 * Spans added one by one, overlapping ones merged as they come (a stream of token copies gives
 * thousands): the union (S7) and the containment moment (S5: the latest end, cut if any span ending
 * then was cut) are those of the spans added. Spans that end before they start count for neither
 * and are dropped; zero-length ones (revoked at the instant of use) are kept as they are.
 */
export class SpanRun {
  private from = Number.NaN;
  private until = Number.NaN;
  private cut = false;

  constructor(private readonly out: Span[]) {}

  add(span: Span): void {
    if (span.until < span.from) return;
    if (span.until === span.from) {
      this.out.push(span);
      return;
    }
    if (!Number.isNaN(this.from) && span.from >= this.from && span.from <= this.until) {
      if (span.until > this.until) {
        this.until = span.until;
        this.cut = span.cut;
      } else if (span.until === this.until) {
        this.cut ||= span.cut;
      }
      return;
    }
    this.flush();
    this.from = span.from;
    this.until = span.until;
    this.cut = span.cut;
  }

  /** Hands the span being merged to the output. */
  flush(): void {
    if (!Number.isNaN(this.from)) this.out.push({ from: this.from, until: this.until, cut: this.cut });
    this.from = Number.NaN;
  }
}

/** S7: the spans of every instance held or superseded (exposure: material; access: also tools acting for the attacker). */
export function heldSpans(s: AttackerState, exposureSpans: Span[], accessSpans: Span[]): void {
  for (const inst of [...s.superseded, ...s.held]) {
    if (!inst.material) continue;
    const span = spanOf(s, inst, inst.controlOf);
    exposureSpans.push(span);
    // A copy bound to a workload the attacker does not act as cannot act on anything (S7).
    if (grantsResource(s, inst.cred) && !blocked(inst)) accessSpans.push(span);
  }
  for (const { inst, root } of s.acting) if (grantsResource(s, inst.cred)) accessSpans.push(spanOf(s, inst, root));
}
