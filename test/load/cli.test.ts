/** The "done when": `serve --port 0` in one process, `load <url> … --fit` in another. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRates } from '../../src/cli/load.js';
import { UsageError } from '../../src/errors.js';
import { tokenEndpoint } from '../../src/load/target.js';
import { BIN, ROOT, build, cli, tempDir } from '../e2e/helpers.js';

const dir = tempDir('bl-load-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blastlab serve + blastlab load', () => {
  it('should serve on a free port, and load it into load.csv, a chart and a fitted issuer block', async () => {
    build();
    const server = spawn(process.execPath, [BIN, 'serve', join(ROOT, 'scenarios/ci-deploy-key.yaml'), '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
        server.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const out = join(dir, 'load');
      // A generous SLO: on a busy machine a 20/s step can still see a 100 ms stall; the knee rule itself
      // is tested in metrics.test.ts.
      const res = cli(
        ['load', url, '--rate', '40,20', '--duration', '500ms', '--warmup', '100ms', '--slo-p99', '30s', '--fit', '--out', out],
        dir,
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^ {5}20\/s offered .*\n {5}40\/s offered .*\nknee: /);
      expect(res.stdout).toMatch(
        /issuer:\n {2}latency: \{ lognormal: \{ median: \d+ms, sigma: [\d.]+ \} \}\n {2}availability: 1/,
      );
      for (const f of ['load.csv', 'load.json', 'load-latency.svg', 'load.md', 'issuer.yaml'])
        expect(existsSync(join(out, f))).toBe(true);
      expect(readFileSync(join(out, 'load.csv'), 'utf8').split('\n')[0]).toMatch(
        /^op,rate,count,throughput,mean_ms,p50_ms,p95_ms,p99_ms,max_ms,success_ratio,/,
      );
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('should refuse bad input as usage errors (exit 2)', () => {
    expect(() => tokenEndpoint('ftp://x')).toThrowError(UsageError);
    expect(() => tokenEndpoint('not a url')).toThrowError(/expected an http\(s\) URL/);
    expect(tokenEndpoint('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/token');
    expect(tokenEndpoint('https://kc.example/realms/r/protocol/openid-connect/token#x')).toBe(
      'https://kc.example/realms/r/protocol/openid-connect/token',
    );
    expect(() => parseRates('fast')).toThrowError(/expected rates per second/);
    expect(() => parseRates('500,0')).toThrowError(/expected rates per second/);
    expect(parseRates('500, 1000,2000')).toEqual([500, 1000, 2000]);
  });
});
