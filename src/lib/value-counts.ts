/**
 * An exact multiset of numbers kept as counts per distinct value: a cost pass's request waits (millions
 * of draws, a few hundred distinct milliseconds) in a few kilobytes instead of an array of every wait.
 *
 * Whole values in [0, DENSE_LIMIT) are counted in a flat array as long as the largest one seen; any
 * other value in a map. Counts merge by adding, so the counts of a pass split into parts, merged in any
 * order, are the counts of the whole pass, and so is every quantile read from them.
 */

/** Whole, non-negative values below this are counted by index (a wait is a rounded draw in ms). */
const DENSE_LIMIT = 1 << 16;

export class ValueCounts {
  private dense = new Float64Array(0);
  private readonly rest = new Map<number, number>();
  /** How many values were added (counts included). */
  size = 0;

  /** Adds `count` copies of `value`. */
  add(value: number, count = 1): void {
    this.size += count;
    if (value >= 0 && value < DENSE_LIMIT && Number.isInteger(value)) {
      if (value >= this.dense.length) this.grow(value);
      this.dense[value] = this.dense[value]! + count;
      return;
    }
    this.rest.set(value, (this.rest.get(value) ?? 0) + count);
  }

  /** The distinct values in ascending order with their counts (NaN, if any, last). */
  entries(): { values: Float64Array; counts: Float64Array } {
    const rest = [...this.rest.keys()].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
    let distinct = rest.length;
    for (let v = 0; v < this.dense.length; v++) if (this.dense[v] !== 0) distinct++;
    const values = new Float64Array(distinct);
    const counts = new Float64Array(distinct);
    let n = 0;
    let j = 0;
    const take = (value: number, count: number): void => {
      values[n] = value;
      counts[n++] = count;
    };
    for (let v = 0; v < this.dense.length; v++) {
      if (this.dense[v] === 0) continue;
      while (j < rest.length && rest[j]! < v) take(rest[j]!, this.rest.get(rest[j++]!)!);
      take(v, this.dense[v]!);
    }
    while (j < rest.length) take(rest[j]!, this.rest.get(rest[j++]!)!);
    return { values, counts };
  }

  /**
   * The nearest-rank quantile: the smallest value with at least ⌈q·size⌉ values at or below it (the
   * value a sort of every value would have at index ⌈q·size⌉ − 1); 0 when empty.
   */
  nearestRank(q: number): number {
    if (this.size === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.size));
    const { values, counts } = this.entries();
    let seen = 0;
    for (let i = 0; i < values.length; i++) {
      seen += counts[i]!;
      if (seen >= rank) return values[i]!;
    }
    return values[values.length - 1]!;
  }

  private grow(value: number): void {
    let length = Math.max(64, this.dense.length);
    while (length <= value) length *= 2;
    const dense = new Float64Array(Math.min(length, DENSE_LIMIT));
    dense.set(this.dense);
    this.dense = dense;
  }
}
