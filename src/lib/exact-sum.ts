/**
 * Exact floating-point sums (Shewchuk's non-overlapping partials, the algorithm behind Python's
 * `math.fsum`): the sum is held exactly as a few doubles, so adding values or merging sums in any order
 * or grouping gives the same exact sum, and `value()` is that sum correctly rounded. This is what makes
 * `--no-trials` summaries independent of the shard count and of the order shards merge in.
 *
 * `canonical()` is a representation that depends only on the exact sum (not on how it was reached):
 * r1 = round(S), r2 = round(S − r1), … until the rest is 0. Files store it, so merged state files are
 * byte-identical whatever the split.
 */

/** Splits a double into two halves whose products are exact (Veltkamp, 2^27 + 1). */
const SPLITTER = 134_217_729;

/** The rounding error of a·b: a·b = fl(a·b) + productError(a, b) exactly (Dekker's TwoProduct; |a|, |b| < 2^996). */
export function productError(a: number, b: number): number {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** An exact running sum of finite doubles. */
export class ExactSum {
  private partials: number[] = [];

  /** A sum holding the canonical (or any non-overlapping) partials of another, e.g. read from a file. */
  static of(partials: readonly number[]): ExactSum {
    const s = new ExactSum();
    for (const p of partials) s.add(p);
    return s;
  }

  /** Adds one finite value exactly. */
  add(value: number): this {
    if (!Number.isFinite(value)) throw new RangeError(`ExactSum.add: value must be finite (got ${value})`);
    let x = value;
    let i = 0;
    const p = this.partials;
    for (let j = 0; j < p.length; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
    return this;
  }

  /** Adds a·b exactly (TwoProduct). */
  addProduct(a: number, b: number): this {
    const hi = a * b;
    const lo = productError(a, b);
    this.add(hi);
    if (lo !== 0) this.add(lo);
    return this;
  }

  /** Adds another exact sum. */
  merge(other: ExactSum): this {
    for (const p of other.partials) this.add(p);
    return this;
  }

  /** The exact sum rounded to the nearest double (ties to even), as `math.fsum`. */
  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Round half to even across the remaining partials: only when the rest pushes past the halfway point.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }

  /** A representation that depends only on the exact sum: r1 = round(S), r2 = round(S − r1), … (all non-zero). */
  canonical(): number[] {
    const rest = new ExactSum();
    rest.partials = [...this.partials];
    const out: number[] = [];
    for (let r = rest.value(); r !== 0; r = rest.value()) {
      out.push(r);
      rest.add(-r);
    }
    return out;
  }
}
