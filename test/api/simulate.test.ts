import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ScenarioError, UsageError } from '../../src/errors.js';
import { runScenarios } from '../../src/exec/run.js';
import { simulate } from '../../src/index.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';

const FILE = join(import.meta.dirname, '../fixtures/e2e/suite/support.yaml');
const WORKER = new URL('../../dist/exec/worker.js', import.meta.url);
afterAll(removeTempDirs);

describe('simulate', () => {
  it('should return the numbers of summary.csv and comparison.csv by name, without writing files', async () => {
    const result = await simulate(FILE, { trials: 6 });
    const run = await runScenarios([loadScenarioFile(FILE)], {
      out: join(tempDir(), 'o'),
      trials: 6,
      workers: 1,
      workerFile: WORKER,
    });
    expect(result.summary).toEqual(run.summary);
    expect(result.policies).toEqual(['persistent', 'ephemeral-5m', 'hybrid']);
    expect(result.baseline).toBe('persistent');
    const attack = result.attacks[0]!;
    const row = run.summary.find((r) => r.policy === 'hybrid' && r.attack === attack && r.metric === 'blast_radius')!;
    expect(result.metrics('hybrid', attack).blast_radius).toEqual({
      n: row.n,
      mean: row.mean,
      stddev: row.stddev,
      p50: row.p50,
      p95: row.p95,
      min: row.min,
      max: row.max,
      ci95Low: row.ci95_low,
      ci95High: row.ci95_high,
    });
    expect(result.values('hybrid', attack, 'blast_radius')).toHaveLength(6);
    expect(result.comparison('persistent', attack, 'blast_radius')).toBeNull();
    expect(result.comparison('hybrid', attack, 'blast_radius')).toMatchObject({
      baseline: 'persistent',
      policy: 'hybrid',
      better: 'lower',
    });
    expect(['policy', 'baseline', 'no-data']).toContain(result.recommendation(attack).state);
  });

  it('should accept a plain scenario object written as in a file, and honour policies and baseline', async () => {
    const doc = parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
    const result = await simulate(doc, { trials: 3, policies: ['hybrid', 'ephemeral-5m'], baseline: 'hybrid' });
    expect(result.policies).toEqual(['ephemeral-5m', 'hybrid']);
    expect(result.baseline).toBe('hybrid');
    expect(result.summary.every((r) => r.policy !== 'persistent')).toBe(true);
  });

  it('should name the unknown name with a hint, and reject an invalid scenario object with its issues', async () => {
    const result = await simulate(FILE, { trials: 2 });
    expect(() => result.metrics('hybird', result.attacks[0]!)).toThrow(UsageError);
    expect(() => result.metrics('hybird', result.attacks[0]!)).toThrow(/did you mean "hybrid"/);
    const error = await simulate({ name: 'x', nodes: [], attacks: [], policies: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).issues.map((i) => i.path)).toContain('nodes');
  });
});
