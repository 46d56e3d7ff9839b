/** A run's progress (what the bar shows): the trials and the variant runs beside them, full only when both are done. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenarios, type RunProgress } from '../../src/exec/run.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';

const dir = tempDir('blastlab-progress-');
/** The built worker (the test setup builds dist/): the pool runs it in threads. */
const WORKER = new URL('../../dist/exec/worker.js', import.meta.url);
afterAll(removeTempDirs);

/** Data rows of a CSV file (the header excluded). */
const rows = (file: string): number => readFileSync(file, 'utf8').trim().split('\n').length - 1;

describe('exec/run progress', () => {
  for (const workers of [1, 2]) {
    it(`should count the attribution and tempo trials, and end full (${workers} worker${workers > 1 ? 's' : ''})`, async () => {
      const scenario = loadScenarioFile('test/fixtures/e2e/suite/ci-key.yaml');
      const out = join(dir, `run-${workers}`);
      const seen: RunProgress[] = [];
      await runScenarios([scenario], { out, trials: 30, workers, workerFile: WORKER, onProgress: (p) => seen.push(p) });
      const last = seen.at(-1)!;
      // Totals are known from the first report on: the bar never grows.
      expect(new Set(seen.map((p) => `${p.trialsTotal}/${p.variantTrialsTotal}`)).size).toBe(1);
      expect(last.trialsTotal).toBe(rows(join(out, 'trials.csv')));
      expect(last.variantTrialsTotal).toBeGreaterThan(0);
      expect(last.variantTrialsTotal).toBe(rows(join(out, 'attribution-trials.csv')) + rows(join(out, 'tempo-trials.csv')));
      // The last report comes when the last variant trial is done, not when the trials are.
      expect(last).toMatchObject({ trialsDone: last.trialsTotal, variantTrialsDone: last.variantTrialsTotal });
      const done = seen.map((p) => p.trialsDone + p.variantTrialsDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
    });
  }
});
