/** The load report's latency chart: a step with latency 0 is drawn at 0 and labelled 0, not clamped onto a log axis. */
import { describe, expect, it } from 'vitest';
import { latencyChartSpec } from '../../src/load/output.js';
import type { LoadRow } from '../../src/load/metrics.js';
import { renderSvg } from '../../src/report/charts.js';

const row = (offered: number, p50: number, p95: number, p99: number): LoadRow => ({
  op: 'issue',
  rate: offered,
  count: offered * 10,
  throughput: offered,
  mean_ms: p50,
  p50_ms: p50,
  p95_ms: p95,
  p99_ms: p99,
  max_ms: p99,
  success_ratio: 1,
  offered_rate: offered,
  server_cpu_s_per_1k: null,
  live_tokens: null,
  send_lag_p99_ms: 0,
});

/** The texts of the y axis's labels, in the order drawn. */
function axisLabels(svg: string): string[] {
  const axis = [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/g)].map((m) => m[1] ?? '');
  return axis.flatMap((g) => [...g.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? ''));
}

describe('load latency chart', () => {
  it('should show a latency of 0 at 0 with decade ticks labelled like the tables', async () => {
    const svg = await renderSvg(latencyChartSpec([row(100, 0, 0.4, 2), row(1000, 0.3, 12, 250), row(5000, 4, 90, 1800)]), 'l');
    const labels = axisLabels(svg);
    expect(labels).toEqual(expect.arrayContaining(['0', '0.1', '1', '10', '100', '1k', '10k']));
    expect(labels.filter((l) => /^0\.0/.test(l))).toEqual([]);
  });
});
