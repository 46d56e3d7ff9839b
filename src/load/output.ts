/**
 * The files of a load run, written together through a staging folder: `load.csv` (vault-benchmark's
 * columns), `load.json` (vegeta's metrics shape per step, latencies in ns, so it diffs against
 * `vault-benchmark -report_mode=json`), `load-latency.svg` (percentiles against the offered rate),
 * `load.md` (the table, the chart, the knee, published figures to compare with) and, with `--fit`,
 * `issuer.yaml` (the measured issuer as a policy's `issuer:` block).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { openStaging } from '../io/staging.js';
import { COUNT_LABEL_EXPR, renderSvg } from '../report/charts.js';
import { writeCsv } from '../report/csv.js';
import { humanPercentFine } from '../report/human.js';
import type { LoadResult } from './harness.js';
import type { FittedIssuer, LoadRow } from './metrics.js';
import { LOAD_COLUMNS, issuerYaml } from './metrics.js';

/** File names of a load run. */
export const LOAD_FILES = {
  csv: 'load.csv',
  json: 'load.json',
  chart: 'load-latency.svg',
  report: 'load.md',
  issuer: 'issuer.yaml',
} as const;

/** Published figures to put a measurement beside (sources in docs/serve-load.md). */
export const PUBLISHED_FIGURES: readonly { readonly what: string; readonly figure: string }[] = [
  { what: 'Vault JWT auth login (vault-benchmark example outputs, localhost)', figure: '~4.4k/s to ~7.7k/s' },
  { what: 'Vault AppRole login (vault-benchmark example outputs, localhost)', figure: '~4.4k/s to ~15k/s' },
  { what: 'Keycloak client-credentials grants, a new TLS connection each (sizing guide)', figure: '~120/s per vCPU' },
];

const ns = (ms: number): number => Math.round(ms * 1e6);

function vegetaMetrics(result: LoadResult): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  result.rows.forEach((row, i) => {
    const step = result.steps[i]!;
    let total = 0;
    for (const v of step.latenciesMs) total += v;
    metrics[`${row.op}@${row.offered_rate}`] = {
      latencies: {
        total: ns(total),
        mean: ns(row.mean_ms),
        '50th': ns(row.p50_ms),
        '95th': ns(row.p95_ms),
        '99th': ns(row.p99_ms),
        max: ns(row.max_ms),
      },
      duration: ns(step.lastSendMs - step.firstSendMs),
      wait: ns(Math.max(0, step.lastDoneMs - step.lastSendMs)),
      requests: row.count,
      rate: row.rate,
      throughput: row.throughput,
      success: row.success_ratio,
      status_codes: Object.fromEntries([...step.statusCodes].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
      errors: step.errors,
    };
  });
  return { target_addr: result.tokenUrl, metrics };
}

/** Decade ticks of the latency axis, in ms. */
const LATENCY_TICKS_MS = [0, 0.1, 1, 10, 100, 1000, 10_000, 100_000];

/**
 * Vega-lite: p50/p95/p99 latency against the offered rate, on a symmetric log axis (linear below
 * 0.1 ms): latencies span sub-millisecond to seconds, and a 0 (a step with no successful request) is
 * drawn at 0 and labelled 0, not clamped onto the smallest tick of a log axis.
 */
export function latencyChartSpec(rows: readonly LoadRow[]): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { rate: r.offered_rate, percentile: 'p50', ms: r.p50_ms },
    { rate: r.offered_rate, percentile: 'p95', ms: r.p95_ms },
    { rate: r.offered_rate, percentile: 'p99', ms: r.p99_ms },
  ]);
  const max = Math.max(1, ...values.map((v) => v.ms));
  const ticks = LATENCY_TICKS_MS.filter((t, i) => t <= max || (LATENCY_TICKS_MS[i - 1] ?? 0) < max);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'rate', type: 'quantitative', title: 'offered rate (requests/s)', axis: { labelExpr: COUNT_LABEL_EXPR } },
      y: {
        field: 'ms',
        type: 'quantitative',
        title: 'latency (ms, symmetric log scale)',
        scale: { type: 'symlog', constant: 0.1, domain: [0, ticks.at(-1) ?? 1], nice: false },
        axis: { values: ticks, labelExpr: COUNT_LABEL_EXPR },
      },
      color: { field: 'percentile', type: 'nominal', title: null, scale: { range: ['#0d9488', '#d97706', '#dc2626'] } },
    },
  };
}

const f = (v: number | null, d = 1): string =>
  v === null ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** The headline: the knee, as a sentence. */
export function kneeSentence(result: LoadResult): string {
  const k = result.knee;
  if (k === null) return `no offered rate was sustained (p99 ≤ SLO, ≥ 99% success, ≥ 95% of the offered rate served)`;
  const top = Math.max(...result.rows.map((r) => r.offered_rate));
  const bound = k.offered_rate === top ? ' (the highest rate tried: the knee is at least this)' : '';
  return `sustained up to ${f(k.offered_rate, 0)}/s offered at p99 ${f(k.p99_ms, 2)} ms${bound}`;
}

function reportMarkdown(result: LoadResult, fit: FittedIssuer | null): string {
  const lines = [
    `# Load: ${result.tokenUrl}`,
    '',
    `Operation \`${result.op}\`${result.agent === null ? '' : ` as agent \`${result.agent}\``}${result.blastlab ? ' against blastlab serve' : ''}. Open-loop fixed-rate load, latency from each request's intended send time (no coordinated omission), warm-up discarded.`,
    '',
    `**Knee:** ${kneeSentence(result)}.`,
    '',
    '| offered/s | sent/s | throughput/s | mean ms | p50 ms | p95 ms | p99 ms | max ms | success | server CPU s / 1k tokens | client lag p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (r) =>
        `| ${f(r.offered_rate, 0)} | ${f(r.rate, 0)} | ${f(r.throughput, 0)} | ${f(r.mean_ms, 2)} | ${f(r.p50_ms, 2)} | ${f(r.p95_ms, 2)} | ${f(r.p99_ms, 2)} | ${f(r.max_ms, 2)} | ${humanPercentFine(r.success_ratio, 2)} | ${f(r.server_cpu_s_per_1k, 3)} | ${f(r.send_lag_p99_ms, 2)} |`,
    ),
    '',
    `![latency percentiles against offered rate](${LOAD_FILES.chart})`,
    '',
    'Published figures to compare with (different machines, TLS and storage; see docs/serve-load.md):',
    '',
    ...PUBLISHED_FIGURES.map((p) => `- ${p.what}: ${p.figure}`),
    '',
  ];
  if (fit !== null) {
    lines.push(
      'Fitted issuer (`issuer.yaml`; paste into a policy, or run `blastlab run --issuer-from load.csv`):',
      '',
      '```yaml',
      issuerYaml(fit, result.tokenUrl).trimEnd(),
      '```',
      '',
    );
  }
  return lines.join('\n');
}

/** Writes every file of the run into `out` (all or nothing); returns the paths written. */
export async function writeLoadResults(out: string, result: LoadResult, fit: FittedIssuer | null): Promise<string[]> {
  const svg = await renderSvg(latencyChartSpec(result.rows), 'load-latency');
  const staging = openStaging(out);
  try {
    writeCsv(join(staging.dir, LOAD_FILES.csv), LOAD_COLUMNS, result.rows);
    writeFileSync(join(staging.dir, LOAD_FILES.json), `${JSON.stringify(vegetaMetrics(result), null, 2)}\n`);
    writeFileSync(join(staging.dir, LOAD_FILES.chart), svg);
    writeFileSync(join(staging.dir, LOAD_FILES.report), reportMarkdown(result, fit));
    if (fit !== null) writeFileSync(join(staging.dir, LOAD_FILES.issuer), issuerYaml(fit, result.tokenUrl));
    const files = staging.land();
    // A previous --fit run's issuer.yaml must not sit beside measurements it was not fitted on.
    if (fit === null) rmSync(join(out, LOAD_FILES.issuer), { force: true });
    return files;
  } finally {
    staging.discard();
  }
}
