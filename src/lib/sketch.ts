/**
 * A mergeable quantile sketch for `--no-trials` (docs/reliability.md "Runs without trials.csv").
 *
 * Exact while small: up to EXACT_DISTINCT distinct values it keeps every value with its count, and a
 * quantile is computed exactly as lib/stats.ts computes it from all values (type 7). Beyond that it is a
 * DDSketch (Masson, Rim & Lee, VLDB 2019) with relative accuracy SKETCH_ALPHA: a positive value x goes to
 * bucket i = ⌈log_γ x⌉ with γ = (1 + α)/(1 − α); a bucket stands for 2γ^i/(γ + 1), which is within a
 * relative α of every value in it (negative values mirror this, 0 has its own bucket). So every order
 * statistic the sketch returns is within α·|x| of the true one, and a type-7 quantile — a convex
 * combination of two order statistics — is within α·|q| of the exact quantile q (non-negative samples).
 *
 * Both forms merge by adding counts, so the state is a function of the multiset of values alone: merging
 * sketches of any split, in any order, gives the sketch of the whole, byte for byte in `toJSON()`.
 */

/** Relative accuracy of a quantile once a sample has more than EXACT_DISTINCT distinct values. */
export const SKETCH_ALPHA = 0.001;
/** Distinct values kept exactly before the sketch switches to buckets. */
export const EXACT_DISTINCT = 2048;

const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LN_GAMMA = Math.log(GAMMA);

/** The file form: `exact` ([value, count] by value), or buckets ([index, count] by index). */
export type SketchJson =
  | { readonly exact: readonly (readonly [number, number])[] }
  | {
      readonly zero: number;
      readonly pos: readonly (readonly [number, number])[];
      readonly neg: readonly (readonly [number, number])[];
    };

function bucketOf(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) / LN_GAMMA);
}

function valueOfBucket(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

function bump(map: Map<number, number>, key: number, count: number): void {
  map.set(key, (map.get(key) ?? 0) + count);
}

function sortedEntries(map: ReadonlyMap<number, number>): [number, number][] {
  return [...map].sort((a, b) => a[0] - b[0]);
}

/** A mergeable sketch of one metric's values (module comment). */
export class QuantileSketch {
  private exact: Map<number, number> | null = new Map();
  private zero = 0;
  private readonly pos = new Map<number, number>();
  private readonly neg = new Map<number, number>();
  private total = 0;

  /** Number of values added. */
  get n(): number {
    return this.total;
  }

  /** True while every value is kept (quantiles are exact). */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Adds `count` copies of a finite value. */
  add(value: number, count = 1): this {
    if (!Number.isFinite(value)) throw new RangeError(`QuantileSketch.add: value must be finite (got ${value})`);
    this.total += count;
    if (this.exact !== null) {
      // -0 and 0 are one value (as in a sorted sample).
      bump(this.exact, value === 0 ? 0 : value, count);
      if (this.exact.size > EXACT_DISTINCT) this.toBuckets();
    } else this.bucket(value, count);
    return this;
  }

  /** Adds every value of another sketch. */
  merge(other: QuantileSketch): this {
    if (other.exact !== null) {
      for (const [v, c] of sortedEntries(other.exact)) this.add(v, c);
      return this;
    }
    if (this.exact !== null) this.toBuckets();
    this.total += other.total;
    this.zero += other.zero;
    for (const [i, c] of other.pos) bump(this.pos, i, c);
    for (const [i, c] of other.neg) bump(this.neg, i, c);
    return this;
  }

  /** The type-7 quantile (lib/stats.ts) of the values, exact or within SKETCH_ALPHA; `null` when empty. */
  quantile(p: number): number | null {
    const n = this.total;
    if (n === 0) return null;
    const runs = this.ascending();
    const at = (rank: number): number => {
      let seen = 0;
      for (const [v, c] of runs) {
        seen += c;
        if (rank < seen) return v;
      }
      return runs[runs.length - 1]![0];
    };
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const x0 = at(lo);
    if (lo + 1 >= n) return x0;
    const x1 = at(lo + 1);
    return x0 === x1 ? x0 : x0 + (h - lo) * (x1 - x0);
  }

  /** The canonical file form (depends only on the multiset of values added). */
  toJSON(): SketchJson {
    if (this.exact !== null) return { exact: sortedEntries(this.exact) };
    return { zero: this.zero, pos: sortedEntries(this.pos), neg: sortedEntries(this.neg) };
  }

  /** Reads the file form back; throws Error (with what is wrong) on anything `toJSON` does not write. */
  static fromJSON(json: unknown): QuantileSketch {
    const sketch = new QuantileSketch();
    if (typeof json !== 'object' || json === null) throw new Error('sketch: not an object');
    const o = json as Record<string, unknown>;
    const pairs = (v: unknown, integerKeys: boolean): [number, number][] => {
      if (!Array.isArray(v)) throw new Error('sketch: a list of [key, count] pairs expected');
      return v.map((pair: unknown) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new Error('sketch: a [key, count] pair expected');
        const [k, c] = pair as unknown[];
        if (typeof k !== 'number' || !Number.isFinite(k) || (integerKeys && !Number.isSafeInteger(k)))
          throw new Error(`sketch: bad key ${JSON.stringify(k)}`);
        if (!Number.isSafeInteger(c) || (c as number) < 1) throw new Error(`sketch: bad count ${JSON.stringify(c)}`);
        return [k, c as number];
      });
    };
    if ('exact' in o) {
      const entries = pairs(o['exact'], false);
      if (entries.length > EXACT_DISTINCT) throw new Error(`sketch: more than ${EXACT_DISTINCT} exact values`);
      for (const [v, c] of entries) sketch.add(v, c);
      return sketch;
    }
    if (!Number.isSafeInteger(o['zero']) || (o['zero'] as number) < 0) throw new Error('sketch: bad zero count');
    sketch.toBuckets();
    sketch.zero = o['zero'] as number;
    sketch.total = sketch.zero;
    for (const [i, c] of pairs(o['pos'], true)) {
      bump(sketch.pos, i, c);
      sketch.total += c;
    }
    for (const [i, c] of pairs(o['neg'], true)) {
      bump(sketch.neg, i, c);
      sketch.total += c;
    }
    if (sketch.total <= EXACT_DISTINCT) throw new Error('sketch: buckets for a sample small enough to keep exactly');
    return sketch;
  }

  /** [value, count] runs in ascending value order. */
  private ascending(): [number, number][] {
    if (this.exact !== null) return sortedEntries(this.exact);
    const out: [number, number][] = [];
    for (const [i, c] of sortedEntries(this.neg).reverse()) out.push([-valueOfBucket(i), c]);
    if (this.zero > 0) out.push([0, this.zero]);
    for (const [i, c] of sortedEntries(this.pos)) out.push([valueOfBucket(i), c]);
    return out;
  }

  private bucket(value: number, count: number): void {
    if (value === 0) this.zero += count;
    else if (value > 0) bump(this.pos, bucketOf(value), count);
    else bump(this.neg, bucketOf(-value), count);
  }

  private toBuckets(): void {
    const exact = this.exact;
    this.exact = null;
    if (exact !== null) for (const [v, c] of exact) this.bucket(v, c);
  }
}
