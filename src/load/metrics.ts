/**
 * load.csv: vault-benchmark's columns per rate step (`op,rate,count,throughput,mean_ms,p50_ms,p95_ms,
 * p99_ms,max_ms,success_ratio`, with vegeta's meanings: `rate` = requests sent per second over the
 * sending window, `throughput` = successful requests per second over the sending window plus the wait
 * for the last response, success = a 2xx/3xx answer), then blastlab's: the offered rate, the server's
 * CPU seconds per 1,000 tokens and live tokens (when the target is `blastlab serve`), and how late the
 * generator itself sent (p99) so a saturated client is visible. Latency percentiles are exact order
 * statistics over every measured request (failures included, as vegeta does).
 *
 * The knee and the fitted issuer live here too, so `load --fit` and `run --issuer-from load.csv` give
 * the same answer from the same rows.
 */
import type { StepResult } from './generator.js';

/** load.csv's columns, in order. */
export const LOAD_COLUMNS = [
  'op',
  'rate',
  'count',
  'throughput',
  'mean_ms',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'max_ms',
  'success_ratio',
  'offered_rate',
  'server_cpu_s_per_1k',
  'live_tokens',
  'send_lag_p99_ms',
] as const;

/** One row of load.csv. */
export interface LoadRow {
  readonly op: string;
  readonly rate: number;
  readonly count: number;
  readonly throughput: number;
  readonly mean_ms: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly success_ratio: number;
  readonly offered_rate: number;
  readonly server_cpu_s_per_1k: number | null;
  readonly live_tokens: number | null;
  readonly send_lag_p99_ms: number;
}

/** Nearest-rank quantile of sorted values. */
function rank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The server's counters before and after a step (blastlab serve only). */
export interface ServerSample {
  readonly cpuUs: number;
  readonly tokensIssued: number;
  readonly liveTokens: number;
}

/** The load.csv row of a step. */
export function rowOf(op: string, step: StepResult, server: { before: ServerSample; after: ServerSample } | null): LoadRow {
  const sorted = Float64Array.from(step.latenciesMs).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const sendWindowS = Math.max(1e-9, (step.lastSendMs - step.firstSendMs) / 1000);
  const waitS = Math.max(0, (step.lastDoneMs - step.lastSendMs) / 1000);
  const tokens = server === null ? 0 : server.after.tokensIssued - server.before.tokensIssued;
  return {
    op,
    rate: n > 1 ? (step.count - 1) / sendWindowS : 0,
    count: step.count,
    throughput: n > 1 ? step.successes / (sendWindowS + waitS) : 0,
    mean_ms: n === 0 ? 0 : sum / n,
    p50_ms: rank(sorted, 0.5),
    p95_ms: rank(sorted, 0.95),
    p99_ms: rank(sorted, 0.99),
    max_ms: n === 0 ? 0 : sorted[n - 1]!,
    success_ratio: step.count === 0 ? 0 : step.successes / step.count,
    offered_rate: step.offeredRate,
    server_cpu_s_per_1k:
      server === null || tokens <= 0 ? null : ((server.after.cpuUs - server.before.cpuUs) / 1e6 / tokens) * 1000,
    live_tokens: server === null ? null : server.after.liveTokens,
    send_lag_p99_ms: step.sendLagP99Ms,
  };
}

/** When a rate counts as sustained. */
export interface Slo {
  /** Largest acceptable p99 (ms). */
  readonly p99Ms: number;
  /** Smallest acceptable success ratio. */
  readonly successRatio: number;
  /** Smallest acceptable throughput as a share of the offered rate. */
  readonly throughputShare: number;
}

/** Default: p99 ≤ 100 ms, ≥ 99% success, throughput ≥ 95% of the offered rate. */
export const DEFAULT_SLO: Slo = { p99Ms: 100, successRatio: 0.99, throughputShare: 0.95 };

/** Whether a row meets the SLO. */
export function sustained(row: LoadRow, slo: Slo = DEFAULT_SLO): boolean {
  return (
    row.success_ratio >= slo.successRatio && row.throughput >= slo.throughputShare * row.offered_rate && row.p99_ms <= slo.p99Ms
  );
}

/** The knee: the highest offered rate sustained with every lower rate sustained too; null when the lowest already fails. */
export function kneeOf(rows: readonly LoadRow[], slo: Slo = DEFAULT_SLO): LoadRow | null {
  const ordered = [...rows].sort((a, b) => a.offered_rate - b.offered_rate);
  let knee: LoadRow | null = null;
  for (const row of ordered) {
    if (!sustained(row, slo)) break;
    knee = row;
  }
  return knee;
}

/** z of the 95th percentile of a standard normal. */
const Z95 = 1.6448536269514722;

/** A measured issuer in the shape of a policy's `issuer:` (median in ms, unrounded). */
export interface FittedIssuer {
  readonly medianMs: number;
  readonly sigma: number;
  readonly availability: number;
  /** The row it was fitted on. */
  readonly from: LoadRow;
}

/**
 * Fits a log-normal to a row by its quantiles: median = p50, sigma = ln(p95 / p50) / z95. Matching the
 * p95 makes the simulation's `issuance_wait_p95_ms` reproduce the measured p95 (the tail a policy
 * pays), which a moment fit would not. Availability = the row's success ratio.
 */
export function fitIssuer(row: LoadRow): FittedIssuer {
  const median = Math.max(row.p50_ms, 1e-3);
  const sigma = Math.min(10, Math.max(0, Math.log(Math.max(row.p95_ms, median) / median) / Z95));
  return { medianMs: median, sigma, availability: row.success_ratio, from: row };
}

/** The `issuer:` block as YAML (median rounded to whole ms, at least 1 ms: scenario durations are integer ms). */
export function issuerYaml(fit: FittedIssuer, source: string): string {
  const median = Math.max(1, Math.round(fit.medianMs));
  const r = fit.from;
  return [
    `# blastlab load --fit: ${source}, ${r.op} at ${fmt(r.offered_rate, 0)}/s offered`,
    `# measured p50 ${fmt(r.p50_ms, 3)} ms, p95 ${fmt(r.p95_ms, 3)} ms, p99 ${fmt(r.p99_ms, 3)} ms, success ${fmt(r.success_ratio, 4)}`,
    'issuer:',
    `  latency: { lognormal: { median: ${median}ms, sigma: ${fmt(fit.sigma, 3)} } }`,
    `  availability: ${fmt(Math.min(1, fit.availability), 4)}`,
    '',
  ].join('\n');
}

function fmt(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toString();
}
