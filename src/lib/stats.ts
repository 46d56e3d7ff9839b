/**
 * Descriptive statistics and 95% confidence intervals for trial metrics.
 *
 * Definitions (stated once, used by summary.csv, comparison.csv, sweep.csv and the reports):
 * - mean: arithmetic mean, summed with Neumaier compensation in insertion order.
 * - stddev: sample standard deviation (divisor n − 1), two-pass over the kept values; empty for n < 2.
 * - quantiles: linear interpolation between order statistics (Hyndman & Fan type 7, the default of R,
 *   NumPy and spreadsheets): h = (n − 1)·p, q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 * - CI95 of a mean: Student-t, mean ± t(0.975, n − 1)·s/√n, for n ≥ 2; empty for n < 2.
 * - CI95 of a proportion (0/1 metrics such as attack_success): Wilson score interval, defined for n ≥ 1,
 *   which stays inside [0, 1] and is not degenerate when every trial succeeds or every trial fails.
 */

import { assertNever } from './assert.js';

/** Two-sided 95% normal quantile z(0.975). */
export const Z95 = 1.959963984540054;

/** A closed interval; `low ≤ high`. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** How a 95% CI is computed: Student-t for a mean, Wilson score for a 0/1 proportion. */
export type CiMethod = 'student-t' | 'wilson';

/** Descriptive statistics of a sample; every field is `null` when it is undefined for this n. */
export interface Stats {
  readonly n: number;
  readonly mean: number | null;
  readonly stddev: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly ci95: Interval | null;
}

/** Sum with Neumaier compensation (exact for integer inputs below 2^53, and order-stable in practice). */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** Arithmetic mean; `null` for an empty sample. */
export function mean(values: ArrayLike<number>): number | null {
  return values.length === 0 ? null : sum(values) / values.length;
}

/** Sample standard deviation (n − 1); `null` for n < 2. */
export function stddev(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n < 2) return null;
  const m = sum(values) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Type-7 quantile of an ascending-sorted sample; `null` when empty. `p` in [0, 1]. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantileSorted: p must be in [0, 1] (got ${p})`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const x0 = sorted[lo] as number;
  if (lo + 1 >= n) return x0;
  const x1 = sorted[lo + 1] as number;
  return x0 === x1 ? x0 : x0 + (h - lo) * (x1 - x0);
}

/** Type-7 quantile of an unsorted sample (sorts a copy). */
export function quantile(values: ArrayLike<number>, p: number): number | null {
  return quantileSorted(Float64Array.from(values).sort(), p);
}

// ---------------------------------------------------------------------------------------------
// Student-t quantile: the t CDF through the regularized incomplete beta function (Lentz continued
// fraction, as in Numerical Recipes §6.4), inverted by bisection to machine precision. Exact, not a
// table or an asymptotic series; results are cached per degrees of freedom.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error < 1e-15). */
function lnGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const maxIterations = 100_000;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxIterations; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) return h;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast only on one side of the mean; use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Student-t cumulative distribution function with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

const tQuantileCache = new Map<string, number>();

/** Student-t quantile: the t with P(T ≤ t) = p for `df` > 0 degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1) (got ${p})`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be > 0 (got ${df})`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (p === 0.5) return 0;
  const key = `${p}|${df}`;
  const cached = tQuantileCache.get(key);
  if (cached !== undefined) return cached;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  // Bisection until the bracket cannot shrink any more in double precision.
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  tQuantileCache.set(key, t);
  return t;
}

/** 95% Student-t interval for the mean of a sample with this mean, sample stddev and size; `null` for n < 2. */
export function tInterval95(m: number, s: number, n: number): Interval | null {
  if (n < 2) return null;
  const half = (studentTQuantile(0.975, n - 1) * s) / Math.sqrt(n);
  return { low: m - half, high: m + half };
}

/** 95% Wilson score interval for `successes` out of `n` trials; `null` for n = 0. */
export function wilsonInterval95(successes: number, n: number): Interval | null {
  if (n === 0) return null;
  const z2 = Z95 * Z95;
  const phat = successes / n;
  const denom = 1 + z2 / n;
  const center = (phat + z2 / (2 * n)) / denom;
  const half = (Z95 / denom) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  // Clamp away the last-ulp overshoot so the interval always lies in [0, 1] and contains p̂.
  return { low: Math.max(0, Math.min(phat, center - half)), high: Math.min(1, Math.max(phat, center + half)) };
}

// ---------------------------------------------------------------------------------------------

/**
 * Accumulates one metric's values one at a time (streaming) and merges with others (shards). Values
 * are kept — quantiles need them — in a growing Float64Array, in insertion order, so a merge of
 * accumulators fed in sequence gives exactly the statistics of one accumulator fed everything.
 */
export class MetricAccumulator {
  private buffer: Float64Array;
  private length = 0;
  private sortedCache: Float64Array | null = null;

  constructor(initialCapacity = 16) {
    this.buffer = new Float64Array(Math.max(1, initialCapacity));
  }

  /** Number of values added. */
  get n(): number {
    return this.length;
  }

  /** Adds one value (finite numbers only: an empty metric cell is not a value and is not added). */
  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`MetricAccumulator.add: value must be finite (got ${value})`);
    if (this.length === this.buffer.length) this.grow(this.length + 1);
    this.buffer[this.length++] = value;
    this.sortedCache = null;
  }

  /** Appends every value of `other` after this one's (order matters only for floating-point sums). */
  merge(other: MetricAccumulator): this {
    const needed = this.length + other.length;
    if (needed > this.buffer.length) this.grow(needed);
    this.buffer.set(other.values(), this.length);
    this.length = needed;
    this.sortedCache = null;
    return this;
  }

  /** The values in insertion order (a view: do not keep it across `add`). */
  values(): Float64Array {
    return this.buffer.subarray(0, this.length);
  }

  /** The values sorted ascending (cached until the next add/merge). */
  sorted(): Float64Array {
    this.sortedCache ??= Float64Array.from(this.values()).sort();
    return this.sortedCache;
  }

  /** Descriptive statistics and a 95% CI by the given method. */
  stats(method: CiMethod): Stats {
    const v = this.values();
    const n = v.length;
    if (n === 0) {
      return { n: 0, mean: null, stddev: null, p50: null, p95: null, min: null, max: null, ci95: null };
    }
    const sorted = this.sorted();
    const m = sum(v) / n;
    const s = stddev(v);
    let ci95: Interval | null;
    switch (method) {
      case 'student-t':
        ci95 = s === null ? null : tInterval95(m, s, n);
        break;
      case 'wilson':
        ci95 = wilsonInterval95(sum(v), n);
        break;
      default:
        return assertNever(method);
    }
    return {
      n,
      mean: m,
      stddev: s,
      p50: quantileSorted(sorted, 0.5),
      p95: quantileSorted(sorted, 0.95),
      min: sorted[0] as number,
      max: sorted[n - 1] as number,
      ci95,
    };
  }

  private grow(min: number): void {
    let capacity = this.buffer.length * 2;
    while (capacity < min) capacity *= 2;
    const next = new Float64Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}
