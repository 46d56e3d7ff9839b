/**
 * Issuances per whole second of simulated time, for a cost pass (workload/cost.ts): the busiest
 * second's count, exact, without a map entry per token or per second.
 */

/** Dense counting pays once occurrences reach 1/DENSE_FILL of the horizon's seconds. */
const DENSE_FILL = 16;
/** Horizons up to this many seconds count issuances per second in a typed array (4 bytes a second). */
const MAX_DENSE_SECONDS = 100_000_000;
/** Horizons up to this many seconds (92 days) count sparse passes in the reusable array (4 bytes a second). */
const MAX_REUSED_SECONDS = 8_000_000;
/**
 * The one zeroed counter array this thread reuses between sparse passes, as long as the longest
 * horizon seen (never over MAX_REUSED_SECONDS); `reusedDirty` when a pass that threw left counts in it.
 */
let reused = new Uint32Array(0);
let reusedDirty = false;

/**
 * Issuances per whole second of simulated time: a typed array over the horizon when the workload is
 * busy enough to fill it (a month is 2.6 million seconds: 10 MB to clear per pass); for a sparse pass,
 * the thread's one reused zeroed array, of which only the seconds a pass touched are cleared again (no
 * map per token); past MAX_REUSED_SECONDS (years-long horizons), an open-addressing table of the
 * seconds a pass touched (no object per second). Passes on one thread run one after another.
 */
export class SecondCounter {
  private readonly dense: Uint32Array | null;
  private readonly sparse: Uint32Array | null;
  private readonly touched: number[] = [];
  private readonly rest = SecondTable.reused();
  private max = 0;

  constructor(horizonMs: number, occurrences: number) {
    const seconds = Math.ceil(horizonMs / 1000) + 1;
    this.dense = seconds <= MAX_DENSE_SECONDS && occurrences * DENSE_FILL >= seconds ? new Uint32Array(seconds) : null;
    let sparse: Uint32Array | null = null;
    if (this.dense === null && seconds <= MAX_REUSED_SECONDS) {
      if (reused.length < seconds) reused = new Uint32Array(seconds);
      else if (reusedDirty) reused.fill(0);
      reusedDirty = true;
      sparse = reused;
    }
    this.sparse = sparse;
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
    } else if (this.sparse !== null && second < this.sparse.length) {
      if (this.sparse[second] === 0) this.touched.push(second);
      value = this.sparse[second]! + n;
      this.sparse[second] = value;
    } else {
      value = this.rest.bump(second, n);
    }
    if (value > this.max) this.max = value;
  }

  /** The busiest second's count; clears what the pass wrote into the reused array. */
  peak(): number {
    if (this.sparse !== null) {
      for (const second of this.touched) this.sparse[second] = 0;
      this.touched.length = 0;
      reusedDirty = false;
    }
    return this.max;
  }

  /**
   * Every second with an issuance and its count (in no particular order), then clears like peak().
   * Counted first, then written straight into the two arrays: a busy month has millions of seconds,
   * and growing lists of them left tens of MB of garbage per pass.
   */
  drain(): { seconds: Float64Array; counts: Float64Array } {
    let n = this.touched.length + this.rest.size;
    if (this.dense !== null) for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== 0) n++;
    const seconds = new Float64Array(n);
    const counts = new Float64Array(n);
    let j = 0;
    const put = (second: number, count: number): void => {
      seconds[j] = second;
      counts[j++] = count;
    };
    if (this.dense !== null) for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== 0) put(i, this.dense[i]!);
    if (this.sparse !== null) for (const second of this.touched) put(second, this.sparse[second]!);
    this.rest.forEach(put);
    this.peak();
    return { seconds, counts };
  }
}

/**
 * Counts per whole second in an open-addressing table (linear probing, at most half full): the
 * sparse seconds of a years-long horizon without a map entry per second.
 */
class SecondTable {
  private static shared: SecondTable | null = null;
  private keys = new Float64Array(1024).fill(-1);
  private counts = new Uint32Array(1024);
  private count = 0;

  /** How many seconds are counted. */
  get size(): number {
    return this.count;
  }

  /** This thread's one table, emptied (it keeps the capacity an earlier pass grew it to). */
  static reused(): SecondTable {
    const table = (SecondTable.shared ??= new SecondTable());
    if (table.count > 0) {
      table.keys.fill(-1);
      table.counts.fill(0);
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
      this.count++;
    }
    this.counts[i] = this.counts[i]! + n;
    return this.counts[i];
  }

  /** Calls `visit` with every second counted and its count. */
  forEach(visit: (second: number, count: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== -1) visit(this.keys[i]!, this.counts[i]!);
  }

  private slot(second: number): number {
    const mask = this.keys.length - 1;
    let i = Math.imul(second | 0, 0x9e3779b1) & mask;
    while (this.keys[i] !== -1 && this.keys[i] !== second) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.counts = new Uint32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const j = this.slot(keys[i]!);
      this.keys[j] = keys[i]!;
      this.counts[j] = counts[i]!;
    }
  }
}
