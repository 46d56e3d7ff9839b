/**
 * Mergeable summaries (`--no-trials`, docs/reliability.md "Runs without trials.csv"): per scenario ×
 * policy × attack × metric, the count, the exact sum and sum of squares (lib/exact-sum.ts), min, max and
 * a quantile sketch (lib/sketch.ts). Merging is exact and order-free, so summary rows from merged
 * partials do not depend on how the trials were split.
 *
 * From them: n, min, max exact; mean = Σx / n and stddev = √((nΣx² − (Σx)²) / (n(n − 1))) from exact
 * sums (the full run sums in trial order: they agree to the last bit or so of a double); CIs as in
 * metrics/summary.ts from those; p50/p95 exact or within SKETCH_ALPHA.
 */
import { ExactSum } from '../lib/exact-sum.js';
import { QuantileSketch, type SketchJson } from '../lib/sketch.js';
import { tInterval95, wilsonInterval95, type CiMethod, type Interval, type Stats } from '../lib/stats.js';
import { METRICS, type Metric, type TrialMetrics } from '../domain/metrics.js';
import { ciMethodOf, summaryRow, type ScenarioOrder, type SummaryRow } from './summary.js';

/** The file form of one metric's partial summary. */
export interface MetricPartialJson {
  readonly n: number;
  readonly sum: readonly number[];
  readonly sumsq: readonly number[];
  readonly min: number | null;
  readonly max: number | null;
  readonly sketch: SketchJson;
}

/** One metric's mergeable summary. */
export class MetricPartial {
  private count = 0;
  private readonly sum = new ExactSum();
  private readonly sumsq = new ExactSum();
  private min = Infinity;
  private max = -Infinity;
  private readonly sketch = new QuantileSketch();

  get n(): number {
    return this.count;
  }

  add(value: number): void {
    this.count++;
    this.sum.add(value);
    this.sumsq.addProduct(value, value);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.add(value);
  }

  merge(other: MetricPartial): this {
    this.count += other.count;
    this.sum.merge(other.sum);
    this.sumsq.merge(other.sumsq);
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.sketch.merge(other.sketch);
    return this;
  }

  /** Descriptive statistics (lib/stats.ts Stats) from the moments and the sketch. */
  stats(method: CiMethod): Stats {
    const n = this.count;
    if (n === 0) return { n: 0, mean: null, stddev: null, p50: null, p95: null, min: null, max: null, ci95: null };
    const total = this.sum.value();
    const mean = total / n;
    let stddev: number | null = null;
    if (n >= 2) {
      // n·Σx² − (Σx)², exactly: every product through TwoProduct into one exact sum.
      const spread = new ExactSum();
      const s = this.sum.canonical();
      for (const q of this.sumsq.canonical()) spread.addProduct(q, n);
      for (const a of s) for (const b of s) spread.addProduct(-a, b);
      stddev = Math.sqrt(Math.max(0, spread.value()) / (n * (n - 1)));
    }
    let ci95: Interval | null;
    if (method === 'wilson') ci95 = wilsonInterval95(total, n);
    else ci95 = stddev === null ? null : tInterval95(mean, stddev, n);
    const clamp = (q: number | null): number | null => (q === null ? null : Math.min(this.max, Math.max(this.min, q)));
    return {
      n,
      mean,
      stddev,
      p50: clamp(this.sketch.quantile(0.5)),
      p95: clamp(this.sketch.quantile(0.95)),
      min: this.min,
      max: this.max,
      ci95,
    };
  }

  /** True while the quantiles are exact (few distinct values). */
  get exactQuantiles(): boolean {
    return this.sketch.isExact;
  }

  toJSON(): MetricPartialJson {
    const empty = this.count === 0;
    return {
      n: this.count,
      sum: this.sum.canonical(),
      sumsq: this.sumsq.canonical(),
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      sketch: this.sketch.toJSON(),
    };
  }

  /** Reads the file form; throws Error naming what is wrong. */
  static fromJSON(json: unknown): MetricPartial {
    if (typeof json !== 'object' || json === null) throw new Error('not an object');
    const o = json as Record<string, unknown>;
    const numbers = (key: string): number[] => {
      const v = o[key];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
        throw new Error(`${key}: a list of numbers expected`);
      return v as number[];
    };
    const p = new MetricPartial();
    if (!Number.isSafeInteger(o['n']) || (o['n'] as number) < 0) throw new Error('n: a count expected');
    p.count = o['n'] as number;
    p.sum.merge(ExactSum.of(numbers('sum')));
    p.sumsq.merge(ExactSum.of(numbers('sumsq')));
    p.sketch.merge(QuantileSketch.fromJSON(o['sketch']));
    if (p.count > 0) {
      const { min, max } = o;
      if (typeof min !== 'number' || typeof max !== 'number' || !(min <= max)) throw new Error('min/max: numbers expected');
      p.min = min;
      p.max = max;
    }
    if (p.sketch.n !== p.count) throw new Error(`the sketch holds ${p.sketch.n} values, n is ${p.count}`);
    return p;
  }
}

/** The partial summaries of one scenario × policy × attack. */
export type CellPartials = Record<Metric, MetricPartial>;

/** A fresh set of partials, one per metric. */
export function emptyCell(): CellPartials {
  const out = {} as Record<Metric, MetricPartial>;
  for (const m of METRICS) out[m] = new MetricPartial();
  return out;
}

/** Adds one trial's metrics (values as trials.csv would hold them; `null` cells are not values). */
export function addTrial(cell: CellPartials, metrics: TrialMetrics): void {
  for (const m of METRICS) {
    const v = metrics[m];
    if (v !== null) cell[m].add(v);
  }
}

/** summary.csv rows from partials keyed by (scenario, policy, attack), in the order of metrics/summary.ts. */
export function summaryRowsOf(
  order: readonly ScenarioOrder[],
  cellOf: (scenario: string, policy: string, attack: string) => CellPartials | undefined,
): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const o of order) {
    for (const policy of o.policies) {
      for (const attack of o.attacks) {
        const cell = cellOf(o.scenario, policy, attack);
        if (cell === undefined) continue;
        for (const metric of METRICS) {
          out.push(summaryRow(o.scenario, policy, attack, metric, cell[metric].stats(ciMethodOf(metric))));
        }
      }
    }
  }
  return out;
}
