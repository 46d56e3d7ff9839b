import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../src/exec/merge.js';
import { runScenarios } from '../../src/exec/run.js';
import { digestFile } from '../../src/io/digest.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

const FILE = 'test/fixtures/e2e/suite/ci-key.yaml';
const root = mkdtempSync(join(tmpdir(), 'blastlab-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (name: string): string => join(root, name);
const run = (
  out: string,
  extra: { shard?: { index: number; count: number }; seed?: number; attributionTrials?: number } = {},
): Promise<unknown> => runScenarios([loadScenarioFile(FILE)], { out: at(out), trials: 6, workers: 1, ...extra });

/** Copies a shard folder so that a test can alter it. */
function copyOf(dir: string, name: string): string {
  cpSync(at(dir), at(name), { recursive: true });
  return name;
}

/** Rewrites a shard's trials.csv with `edit`, and (when `reseal`) its run.json digest too, as a forger would. */
function forge(dir: string, edit: (lines: string[]) => string[], reseal: boolean): void {
  const file = join(at(dir), 'trials.csv');
  writeFileSync(file, edit(readFileSync(file, 'utf8').split('\n')).join('\n'));
  if (!reseal) return;
  const record = JSON.parse(readFileSync(join(at(dir), 'run.json'), 'utf8')) as {
    files: { path: string; sha256: string; bytes: number }[];
  };
  for (const f of record.files) if (f.path === 'trials.csv') Object.assign(f, digestFile(file));
  writeFileSync(join(at(dir), 'run.json'), JSON.stringify(record));
}

const refusal = (pattern: RegExp): unknown =>
  expect.objectContaining({ name: 'ResultsInputError', message: expect.stringMatching(pattern) });

describe('exec/merge: verification', () => {
  beforeAll(async () => {
    await run('s0', { shard: { index: 0, count: 2 } });
    await run('s1', { shard: { index: 1, count: 2 } });
    await run('s1-seed9', { shard: { index: 1, count: 2 }, seed: 9 });
    await run('s1-cap3', { shard: { index: 1, count: 2 }, attributionTrials: 3 });
  }, 60_000);

  it('should merge an untouched set (given in any order) into every trial of the plan', async () => {
    const result = await mergeRuns([at('s1'), at('s0')], { out: at('merged') });
    const rows = readFileSync(at('merged/trials.csv'), 'utf8').trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(result.plan.size);
    expect(rows.map((r) => r.split(',')[3]).slice(0, 6)).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it.each([
    ['an incomplete set', ['s0'], /incomplete set: missing shard 1\/2/],
    ['a duplicate shard', ['s0', 's0', 's1'], /shard 0\/2 given twice/],
    ['a folder without run.json', ['s0', 'nowhere'], /nowhere\/run\.json not found/],
    ['shards of different runs', ['s0', 's1-seed9'], /not shards of the same run: different options/],
    ['shards whose variant runs had other trial caps', ['s0', 's1-cap3'], /different --attribution-trials and --tempo-trials/],
  ])('should refuse %s, naming the folder, and write nothing', async (_label, dirs, message) => {
    await expect(mergeRuns(dirs.map(at), { out: at('bad') })).rejects.toThrow(refusal(message));
    expect(existsSync(at('bad'))).toBe(false);
  });

  it('should refuse a shard whose metric was edited (digest no longer matches run.json), naming the file', async () => {
    const dir = copyOf('s1', 'edited');
    forge(dir, (lines) => lines.map((l, i) => (i === 2 ? l.replace(/,([0-9.]+)$/, ',999') : l)), false);
    await expect(mergeRuns([at('s0'), at(dir)], { out: at('bad') })).rejects.toThrow(
      refusal(/edited\/trials\.csv was changed after the shard ran/),
    );
    expect(existsSync(at('bad'))).toBe(false);
  });

  it('should refuse a relabelled policy row even when run.json was resealed, naming the file and row', async () => {
    const dir = copyOf('s1', 'relabelled');
    forge(dir, (lines) => lines.map((l, i) => (i === 1 ? l.replace(',persistent,', ',ephemeral-15m,') : l)), true);
    await expect(mergeRuns([at('s0'), at(dir)], { out: at('bad') })).rejects.toThrow(
      refusal(/relabelled\/trials\.csv row 2 is not the plan's row/),
    );
  });

  it('should refuse a wrong-seed shard whose run.json was edited to look right', async () => {
    const dir = copyOf('s1-seed9', 'reseeded');
    const record = JSON.parse(readFileSync(join(at(dir), 'run.json'), 'utf8')) as { options: { seed: number | null } };
    record.options.seed = null;
    writeFileSync(join(at(dir), 'run.json'), JSON.stringify(record));
    await expect(mergeRuns([at('s0'), at(dir)], { out: at('bad') })).rejects.toThrow(
      refusal(/reseeded\/trials\.csv row 2 is not the plan's row \(expected .*,\d+, got .*\)/),
    );
  });

  it('should refuse shards whose run.json names another version of the scenario', async () => {
    const dir = copyOf('s1', 'other-version');
    const record = JSON.parse(readFileSync(join(at(dir), 'run.json'), 'utf8')) as { scenarios: { sha256: string }[] };
    record.scenarios[0]!.sha256 = 'f'.repeat(64);
    writeFileSync(join(at(dir), 'run.json'), JSON.stringify(record));
    await expect(mergeRuns([at('s0'), at(dir)], { out: at('bad') })).rejects.toThrow(
      refusal(/not shards of the same run: different scenario files/),
    );
  });

  it('should refuse a run.json whose file list points outside the folder', async () => {
    const dir = copyOf('s1', 'escape');
    const record = JSON.parse(readFileSync(join(at(dir), 'run.json'), 'utf8')) as { files: { path: string }[] };
    record.files[0]!.path = '../s0/trials.csv';
    writeFileSync(join(at(dir), 'run.json'), JSON.stringify(record));
    await expect(mergeRuns([at('s0'), at(dir)], { out: at('bad') })).rejects.toThrow(refusal(/is not a blastlab run record/));
  });
});
