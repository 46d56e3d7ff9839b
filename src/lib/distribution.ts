/** Sampling resolved distributions by inversion, so one uniform gives one draw (keyed draws rely on it). */
import { assertNever } from './assert.js';

/** A resolved probability distribution over durations, parameters in milliseconds. */
export type Distribution =
  | { readonly kind: 'fixed'; readonly valueMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number };

// Acklam's coefficients (allocated once, not per draw).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9),
 * so a lognormal can be drawn from a single uniform.
 */
export function normalQuantile(p: number): number {
  const q0 = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  const low = 0.02425;
  if (q0 < low) {
    const q = Math.sqrt(-2 * Math.log(q0));
    return (
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
    );
  }
  if (q0 > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - q0));
    return (
      -(((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
    );
  }
  const q = q0 - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

/** The smallest value `sampleAt(dist, u)` can return for any `u` in [0, 1). */
export function lowestDraw(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs;
    case 'uniform':
      return Math.round(dist.minMs); // sampleAt rounds, and rounding is monotone
    case 'exponential':
    case 'lognormal':
      return 0;
    default:
      return assertNever(dist);
  }
}

/** The draw of `dist` for the uniform `u` ∈ [0, 1), in integer milliseconds. */
export function sampleAt(dist: Distribution, u: number): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs;
    case 'exponential':
    case 'lognormal': {
      const draw = tabled(drawTable(dist), u);
      return draw !== NO_DRAW ? draw : rounded(dist, rawDraw(dist, u));
    }
    case 'uniform':
      return Math.round(dist.minMs + u * (dist.maxMs - dist.minMs));
    default:
      return assertNever(dist);
  }
}

type Drawn = Extract<Distribution, { kind: 'exponential' | 'lognormal' }>;

/** The exponential or lognormal draw for `u` before rounding (`rounded` makes it the draw). */
function rawDraw(dist: Drawn, u: number): number {
  return dist.kind === 'exponential' ? -dist.meanMs * Math.log(1 - u) : dist.medianMs * Math.exp(dist.sigma * normalQuantile(u));
}

/** A raw draw rounded to whole milliseconds (`|| 0`: u = 0 gives the exponential −0, which Object.is, and deep-equal metrics, tell apart from 0). */
function rounded(dist: Drawn, raw: number): number {
  return dist.kind === 'exponential' ? Math.round(raw) || 0 : Math.round(raw);
}

/**
 * Draw tables. An exponential or lognormal draw is a monotone function of `u` rounded to whole
 * milliseconds, so on most of a narrow interval of `u` it is one value: a distribution drawn often
 * (an issuer's latency, millions of times a run) gets a table of the draw per interval, [b/2¹⁴,
 * (b+1)/2¹⁴), where that holds. An interval gets a value only when the unrounded draws at both of its
 * ends round to it with a margin of 10⁻⁹ (relative) to spare: every draw inside lies between them,
 * and the evaluation's rounding error, about 10⁻¹⁵ relative, cannot carry one across a half
 * millisecond. Intervals around the seams of normalQuantile's three pieces have none (the pieces meet
 * only to within the approximation's error), nor have draws of 2³¹ ms and more. Elsewhere the draw is
 * computed: the table gives the very value the computation would, only faster (about 10 ns a draw
 * against 50). The tables are a thread's memo of a pure function: which exist never changes a draw.
 */
const TABLE_BINS = 1 << 14;
/** Draws of a distribution before it gets a table: a rarely drawn one never pays for one. */
const TABLE_AFTER = 4096;
const NO_DRAW = -1;
const MARGIN = 1e-9;
/** Where normalQuantile changes piece (and clamps). */
const SEAMS = [1e-12, 0.02425, 1 - 0.02425, 1 - 1e-12];
/** Per distribution object: draws so far, then its table. */
const tables = new WeakMap<Distribution, number | Int32Array>();

function drawTable(dist: Drawn): Int32Array | null {
  const entry = tables.get(dist);
  if (entry instanceof Int32Array) return entry;
  const draws = (entry ?? 0) + 1;
  tables.set(dist, draws < TABLE_AFTER ? draws : buildTable(dist));
  return null;
}

/**
 * sampleAt for one distribution drawn in a tight loop (a cost pass's issuer latency): once the
 * distribution has a draw table, the sampler holds it and skips the per-draw lookup. Same draws.
 */
export class Sampler {
  private table: Int32Array | null = null;

  constructor(private readonly dist: Distribution) {}

  at(u: number): number {
    const draw = tabled(this.table, u);
    if (draw !== NO_DRAW) return draw;
    if (this.table === null) {
      const entry = tables.get(this.dist);
      if (entry instanceof Int32Array) this.table = entry;
    }
    return sampleAt(this.dist, u);
  }
}

/** The draw for `u` from a draw table, or NO_DRAW (no table yet, `u` outside [0, 1), or an interval without a value). */
function tabled(table: Int32Array | null, u: number): number {
  return table !== null && u >= 0 && u < 1 ? table[(u * TABLE_BINS) | 0]! : NO_DRAW;
}

function buildTable(dist: Drawn): Int32Array {
  const table = new Int32Array(TABLE_BINS).fill(NO_DRAW);
  let low = rawDraw(dist, 0);
  for (let bin = 0; bin < TABLE_BINS; bin++) {
    const from = bin / TABLE_BINS;
    const to = (bin + 1) / TABLE_BINS;
    const high = rawDraw(dist, to);
    const draw = rounded(dist, low);
    if (
      draw === rounded(dist, high) &&
      draw >= 0 &&
      draw < 0x7fffffff &&
      Math.abs(low - draw) < 0.5 - MARGIN * Math.max(1, draw) &&
      Math.abs(high - draw) < 0.5 - MARGIN * Math.max(1, draw) &&
      (dist.kind === 'exponential' || !SEAMS.some((seam) => seam >= from && seam <= to))
    )
      table[bin] = draw;
    low = high;
  }
  return table;
}

/** Largest possible draw (Infinity for unbounded distributions). */
export function upperBound(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs;
    case 'uniform':
      return dist.maxMs;
    case 'exponential':
    case 'lognormal':
      return Number.POSITIVE_INFINITY;
    default:
      return assertNever(dist);
  }
}
