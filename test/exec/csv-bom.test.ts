import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenarios } from '../../src/exec/run.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';

const FILE = join(import.meta.dirname, '../fixtures/e2e/suite/support.yaml');
afterAll(removeTempDirs);

describe('--csv-bom', () => {
  it('should start the spreadsheet CSVs with a UTF-8 byte order mark, and leave trials.csv and the default alone', async () => {
    const scenario = loadScenarioFile(FILE);
    const withBom = join(tempDir(), 'o');
    const without = join(tempDir(), 'o');
    await runScenarios([scenario], { out: withBom, trials: 2, workers: 1, csvBom: true });
    await runScenarios([scenario], { out: without, trials: 2, workers: 1 });
    for (const file of ['summary.csv', 'comparison.csv', 'scenarios.csv']) {
      const bytes = readFileSync(join(withBom, file));
      expect([...bytes.subarray(0, 3)], file).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.subarray(3).equals(readFileSync(join(without, file))), file).toBe(true);
    }
    expect(readFileSync(join(withBom, 'trials.csv')).equals(readFileSync(join(without, 'trials.csv')))).toBe(true);
    expect(readFileSync(join(without, 'summary.csv'), 'utf8').startsWith('scenario,')).toBe(true);
  });
});
