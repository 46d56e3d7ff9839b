import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../../src/load/generator.js';
import { runLoad } from '../../src/load/harness.js';
import { LOAD_COLUMNS, fitIssuer } from '../../src/load/metrics.js';
import { LOAD_FILES, writeLoadResults } from '../../src/load/output.js';
import { loadScenarioFile, parseScenarioText } from '../../src/scenario/load.js';
import { startBroker, type StartedBroker } from '../../src/serve/start.js';
import { brokered } from '../arbitraries/build.js';

describe('load generator', () => {
  it('should charge a server stall to every request scheduled during it (no coordinated omission)', async () => {
    let n = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        n++;
        // One stall of 250 ms; with one connection, everything scheduled meanwhile waits behind it.
        const delay = n === 20 ? 250 : 0;
        setTimeout(() => res.end('{}'), delay);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
      const result = await runStep({
        url,
        ratePerS: 200,
        durationMs: 800,
        warmupMs: 0,
        drainMs: 2000,
        connections: 1,
        timeoutMs: 2000,
        build: () => ({ headers: {}, body: 'a=b' }),
      });
      expect(result.count).toBe(160);
      expect(result.successes).toBe(160);
      const sorted = Float64Array.from(result.latenciesMs).sort();
      // ~50 requests are intended during the stall: from the moment they were due, each waited.
      // Measured from the actual send (closed loop), only one request would look slow.
      expect(sorted[Math.floor(0.8 * sorted.length)]).toBeGreaterThan(20);
      expect(sorted.filter((v) => v > 100).length).toBeGreaterThan(15);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('blastlab load against blastlab serve', () => {
  let running: StartedBroker;
  let out: string;
  beforeAll(async () => {
    running = await startBroker({ scenario: loadScenarioFile('scenarios/ci-deploy-key.yaml'), port: 0 });
    out = mkdtempSync(join(tmpdir(), 'bl-load-'));
  });
  afterAll(async () => {
    await running.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('should measure token exchange as the workload agent, with DPoP proofs', async () => {
    const result = await runLoad({
      url: running.url,
      rates: [50],
      durationMs: 400,
      warmupMs: 100,
      connections: 4,
      timeoutMs: 2000,
      ramp: false,
      maxRate: 1000,
      target: { grant: 'exchange' },
    });
    expect([result.agent, result.op]).toEqual(['ci-agent', 'token_exchange']);
    expect(result.rows.map((r) => [r.count, r.success_ratio])).toEqual([[20, 1]]);
  });

  it('should measure client credentials and write load.csv, the chart and a valid issuer block', async () => {
    const grant = 'client-credentials';
    const result = await runLoad({
      url: running.url,
      rates: [80, 40],
      durationMs: 500,
      warmupMs: 100,
      connections: 8,
      timeoutMs: 2000,
      ramp: false,
      maxRate: 1000,
      target: { grant },
    });
    expect(result.blastlab).toBe(true);
    expect(result.agent).toBe('contractor-bot');
    expect(result.rows.map((r) => r.offered_rate)).toEqual([40, 80]);
    for (const r of result.rows) {
      expect(r.success_ratio).toBe(1);
      expect(r.count).toBe(r.offered_rate / 2);
      expect(r.server_cpu_s_per_1k).toBeGreaterThan(0);
      expect(r.p50_ms).toBeLessThanOrEqual(r.p95_ms);
    }
    const fit = fitIssuer(result.rows[0]!);
    const dir = join(out, grant);
    await writeLoadResults(dir, result, fit);
    const csv = readFileSync(join(dir, LOAD_FILES.csv), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(LOAD_COLUMNS.join(','));
    expect(csv).toHaveLength(3);
    expect(readFileSync(join(dir, LOAD_FILES.chart), 'utf8')).toMatch(/^<svg/);
    expect(JSON.parse(readFileSync(join(dir, LOAD_FILES.json), 'utf8'))).toMatchObject({ target_addr: `${running.url}/token` });
    // The fitted block is a policy's issuer: a scenario using it loads.
    const issuer = parse(readFileSync(join(dir, LOAD_FILES.issuer), 'utf8')) as { issuer: unknown };
    const base = parse(readFileSync('scenarios/ci-deploy-key.yaml', 'utf8')) as Record<string, unknown>;
    const text = JSON.stringify({ ...base, policies: { measured: { kind: 'ephemeral', ttl: '15m', issuer: issuer.issuer } } });
    const loaded = parseScenarioText(text, 'measured.json');
    expect(loaded.ok ? brokered(loaded.scenario.policies[0]).broker.issuer.availability : loaded.issues).toBe(1);
  });
});
