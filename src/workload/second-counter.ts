/**
 * Issuances per whole second of simulated time, for a cost pass (workload/cost.ts): the busiest
 * second's count, exact, without a map entry per token or per second.
 */

/** Dense counting pays once occurrences reach 1/DENSE_FILL of the horizon's seconds. */
const DENSE_FILL = 16;
/** Horizons up to this many seconds count issuances per second in a typed array (4 bytes a second). */
const MAX_DENSE_SECONDS = 100_000_000;

/**
 * Issuances per whole second of simulated time: a typed array over the horizon when the workload is
 * busy enough to fill it (a month is 2.6 million seconds: 10 MB to clear per pass); otherwise the
 * thread's one open-addressing table of the seconds a pass touched, sized for the pass and emptied of
 * only those seconds. A sparse pass bumps a few thousand seconds spread over millions: a table a few
 * times their number takes a few hundred KB, where the horizon-long array a thread kept for such
 * passes took up to 32 MB and, written at scattered seconds, cost the engine on the same core its
 * cache: the goal's run used 1.2 s less CPU without it (docs/benchmarks.md). Passes on one thread run
 * one after another.
 */
export class SecondCounter {
  private readonly dense: Uint32Array | null;
  private table: SecondTable | null;
  private max = 0;

  constructor(horizonMs: number, occurrences: number) {
    const seconds = Math.ceil(horizonMs / 1000) + 1;
    const dense = seconds <= MAX_DENSE_SECONDS && occurrences * DENSE_FILL >= seconds;
    this.dense = dense ? new Uint32Array(seconds) : null;
    this.table = dense ? null : SecondTable.reused(occurrences);
  }

  bump(ms: number): void {
    this.bumpSecond(Math.floor(ms / 1000), 1);
  }

  /** Adds `n` issuances to whole second `second`. */
  bumpSecond(second: number, n: number): void {
    let value: number;
    if (this.dense !== null && second < this.dense.length) {
      value = this.dense[second]! + n;
      this.dense[second] = value;
    } else {
      value = (this.table ??= SecondTable.reused(0)).bump(second, n);
    }
    if (value > this.max) this.max = value;
  }

  /** The busiest second's count. */
  peak(): number {
    return this.max;
  }

  /**
   * Every second with an issuance and its count (in no particular order).
   * Counted first, then written straight into the two arrays: a busy month has millions of seconds,
   * and growing lists of them left tens of MB of garbage per pass.
   */
  drain(): { seconds: Float64Array; counts: Float64Array } {
    let n = this.table?.size ?? 0;
    if (this.dense !== null) for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== 0) n++;
    const seconds = new Float64Array(n);
    const counts = new Float64Array(n);
    let j = 0;
    const put = (second: number, count: number): void => {
      seconds[j] = second;
      counts[j++] = count;
    };
    if (this.dense !== null) for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== 0) put(i, this.dense[i]!);
    this.table?.forEach(put);
    return { seconds, counts };
  }
}

/** The fewest slots a table has, and the most it starts with (a pass that counts more seconds grows it). */
const MIN_SLOTS = 1024;
const MAX_START_SLOTS = 65_536;

/**
 * Counts per whole second in an open-addressing table (linear probing, at most half full, Fibonacci
 * hashing: the high bits of the product, since seconds on a schedule share their low bits): the
 * sparse seconds of a pass without a map entry per second. It remembers the slots it used, so
 * emptying it costs what the pass wrote, not the table's size.
 */
class SecondTable {
  private static shared: SecondTable | null = null;
  private keys = new Float64Array(0);
  private counts = new Uint32Array(0);
  /** The slots in use, in order of first use (`count` of them). */
  private used = new Int32Array(0);
  private count = 0;
  /** 32 − log2(slots): the product's bits that pick a slot. */
  private shift = 32;

  private constructor(slots: number) {
    this.allocate(slots);
  }

  /** How many seconds are counted. */
  get size(): number {
    return this.count;
  }

  /**
   * This thread's one table, emptied, with room for about `expected` seconds (within MIN_SLOTS and
   * MAX_START_SLOTS): kept when its size is within a factor of 4 of that, replaced otherwise, so a
   * small pass after a big one does not work in a table too big for the cache.
   */
  static reused(expected: number): SecondTable {
    const slots = Math.min(MAX_START_SLOTS, Math.max(MIN_SLOTS, 2 ** Math.ceil(Math.log2(Math.max(1, expected) * 2))));
    let table = SecondTable.shared;
    if (table === null || table.keys.length > slots * 4 || table.keys.length * 4 < slots) {
      table = new SecondTable(slots);
      SecondTable.shared = table;
    } else {
      for (let i = 0; i < table.count; i++) {
        const slot = table.used[i]!;
        table.keys[slot] = -1;
        table.counts[slot] = 0;
      }
      table.count = 0;
    }
    return table;
  }

  /** Adds `n` to `second`'s count and returns the new count. */
  bump(second: number, n: number): number {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const i = this.slot(second);
    if (this.keys[i] !== second) {
      this.keys[i] = second;
      this.used[this.count++] = i;
    }
    this.counts[i] = this.counts[i]! + n;
    return this.counts[i];
  }

  /** Calls `visit` with every second counted and its count. */
  forEach(visit: (second: number, count: number) => void): void {
    for (let i = 0; i < this.count; i++) visit(this.keys[this.used[i]!]!, this.counts[this.used[i]!]!);
  }

  private slot(second: number): number {
    const mask = this.keys.length - 1;
    let i = Math.imul(second | 0, 0x9e3779b1) >>> this.shift;
    while (this.keys[i] !== -1 && this.keys[i] !== second) i = (i + 1) & mask;
    return i;
  }

  /** Empty arrays of `slots` slots (a power of two); `count` is left to the caller. */
  private allocate(slots: number): void {
    this.keys = new Float64Array(slots).fill(-1);
    this.counts = new Uint32Array(slots);
    this.used = new Int32Array(slots / 2);
    this.shift = 32 - Math.log2(slots);
  }

  private grow(): void {
    const { keys, counts, used, count } = this;
    this.allocate(keys.length * 2);
    for (let u = 0; u < count; u++) {
      const j = this.slot(keys[used[u]!]!);
      this.keys[j] = keys[used[u]!]!;
      this.counts[j] = counts[used[u]!]!;
      this.used[u] = j;
    }
  }
}
