import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/lib/distribution.js';
import type { StepResult } from '../../src/load/generator.js';
import { DEFAULT_SLO, LOAD_COLUMNS, fitIssuer, kneeOf, rowOf, type LoadRow } from '../../src/load/metrics.js';
import { runs } from '../runs.js';

function step(latencies: number[], ok: number, overrides: Partial<StepResult> = {}): StepResult {
  return {
    offeredRate: 100,
    latenciesMs: Float64Array.from(latencies),
    successes: ok,
    count: latencies.length,
    statusCodes: new Map([[200, ok]]),
    firstSendMs: 0,
    lastSendMs: ((latencies.length - 1) * 1000) / 100,
    lastDoneMs: ((latencies.length - 1) * 1000) / 100 + 5,
    sendLagP99Ms: 0.1,
    errors: [],
    ...overrides,
  };
}

function row(offered: number, p99: number, success = 1, throughputShare = 1): LoadRow {
  return {
    ...rowOf('op', step([1, 2], 2), null),
    offered_rate: offered,
    p99_ms: p99,
    success_ratio: success,
    throughput: offered * throughputShare,
  };
}

describe('load metrics', () => {
  it('should compute vegeta-style rate, throughput and exact percentiles', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    const r = rowOf('client_credentials', step(latencies, 90), {
      before: { cpuUs: 0, tokensIssued: 0, liveTokens: 0 },
      after: { cpuUs: 2_000_000, tokensIssued: 1000, liveTokens: 7 },
    });
    expect(Object.keys(r)).toEqual([...LOAD_COLUMNS]);
    expect(r.rate).toBeCloseTo(100, 6);
    // 90 successes over the 0.99 s send window plus the 5 ms wait for the last answer.
    expect(r.throughput).toBeCloseTo(90 / 0.995, 6);
    expect([r.p50_ms, r.p95_ms, r.p99_ms, r.max_ms, r.mean_ms]).toEqual([50, 95, 99, 100, 50.5]);
    expect(r.success_ratio).toBe(0.9);
    expect(r.server_cpu_s_per_1k).toBe(2);
    expect(r.live_tokens).toBe(7);
  });

  it('should put the knee at the last sustained rate before the first failure', () => {
    expect(kneeOf([row(2000, 150), row(500, 3), row(1000, 8)])?.offered_rate).toBe(1000);
    expect(kneeOf([row(500, 3), row(1000, 8, 0.9), row(2000, 5)])?.offered_rate).toBe(500);
    expect(kneeOf([row(500, 3, 1, 0.5)])).toBeNull();
    expect(kneeOf([row(500, DEFAULT_SLO.p99Ms)])?.offered_rate).toBe(500);
  });

  it('should fit back the log-normal a latency sample was drawn from', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 200, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        (medianMs, sigma) => {
          // Quantile-spaced draws: the sample's p50 and p95 are the distribution's, up to the grid.
          const n = 4000;
          const latencies = Array.from({ length: n }, (_, i) => medianMs * Math.exp(sigma * normalQuantile((i + 0.5) / n)));
          const fit = fitIssuer(rowOf('op', step(latencies, n - 4), null));
          expect(fit.medianMs / medianMs).toBeGreaterThan(0.99);
          expect(fit.medianMs / medianMs).toBeLessThan(1.01);
          expect(Math.abs(fit.sigma - sigma)).toBeLessThan(0.01);
          expect(fit.availability).toBe((n - 4) / n);
        },
      ),
      runs(50),
    );
  });
});
