import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_COLUMNS, fitIssuer, issuerYaml, kneeOf } from '../../src/load/metrics.js';
import { headroomSentence, issuerFromLoad, readLoadCsv } from '../../src/load/read.js';
import { UsageError } from '../../src/errors.js';
import { ROOT, build, cli, tempDir } from '../e2e/helpers.js';

const HEADER = LOAD_COLUMNS.join(',');
const ROWS = [
  'client_credentials,500,5000,499.8,1.2,1.0,2.5,4.0,9.1,1,500,0.08,120,0.2',
  'client_credentials,1000,10000,999.1,1.6,1.2,3.9,6.5,14.2,1,1000,0.08,240,0.3',
  'client_credentials,2000,20000,1210.4,900.2,850.1,1800.4,1900.3,2100.9,0.97,2000,0.09,400,40.1',
];

let dir: string;
beforeAll(() => {
  dir = tempDir('bl-issuer-from-');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('run --issuer-from', () => {
  it('should read load.csv back and fit the knee row, as load --fit does', () => {
    const file = join(dir, 'load.csv');
    writeFileSync(file, `${HEADER}\n${ROWS.join('\n')}\n`);
    const rows = readLoadCsv(file);
    const { fit, knee, issuer } = issuerFromLoad(file);
    expect(knee.offered_rate).toBe(1000);
    expect(fit).toEqual(fitIssuer(kneeOf(rows)!));
    // Whole milliseconds and 3 decimals, exactly what issuer.yaml says.
    expect(issuer.latency).toEqual({ kind: 'lognormal', medianMs: 1, sigma: Number(fit.sigma.toFixed(3)) });
    expect(issuerYaml(fit, 'x')).toContain(`latency: { lognormal: { median: 1ms, sigma: ${Number(fit.sigma.toFixed(3))} } }`);
    expect(Math.exp(fit.sigma * 1.6448536269514722) * 1.2).toBeCloseTo(3.9, 9);
    expect(headroomSentence(76, knee)).toBe('needs 76/s; measured 999/s at p99 6.5 ms: 13× headroom');
  });

  it('should name the file and line of a bad load.csv', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `${HEADER}\n${ROWS[0]}\n${ROWS[1]!.replace(',1.2,', ',fast,')}\n`);
    expect(() => readLoadCsv(file)).toThrowError(UsageError);
    expect(() => readLoadCsv(file)).toThrowError(/bad\.csv:3: p50_ms must be a number/);
    expect(() => readLoadCsv(join(dir, 'missing.csv'))).toThrowError(/cannot read .*missing\.csv/);
    writeFileSync(file, 'a,b\n1,2\n');
    expect(() => readLoadCsv(file)).toThrowError(/bad\.csv:1: not a blastlab load\.csv/);
  });

  it('should run a scenario with the measured issuer and print the headroom', () => {
    build();
    const file = join(dir, 'load.csv');
    writeFileSync(file, `${HEADER}\n${ROWS.join('\n')}\n`);
    const out = join(dir, 'out');
    const res = cli(
      ['run', join(ROOT, 'scenarios/ci-deploy-key.yaml'), '--trials', '3', '--workers', '1', '--out', out, '--issuer-from', file],
      dir,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/issuer from .*load\.csv: lognormal median 1 ms, sigma 0\.717/);
    expect(res.stdout).toMatch(/ci-deploy-key \/ ephemeral-15m: needs [\d.]+\/s; measured 999\/s at p99 6\.5 ms: \d+× headroom/);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toContain('peak_issuance_per_s');
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(record['issuerFrom']).toEqual({
      file,
      sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
      fittedAtRate: 1000,
      issuer: { latency: { lognormal: { median: '1ms', sigma: 0.717 } }, availability: 1 },
    });
  });
});
