import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../src/exec/merge.js';
import { runScenarios } from '../../src/exec/run.js';
import { digestFile } from '../../src/io/digest.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { snapshot } from '../e2e/helpers.js';

const FILE = 'test/fixtures/e2e/suite/ci-key.yaml';
const root = mkdtempSync(join(tmpdir(), 'blastlab-no-trials-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (name: string): string => join(root, name);
const run = (out: string, extra: { shard?: { index: number; count: number }; noTrials?: boolean } = {}): Promise<unknown> =>
  runScenarios([loadScenarioFile(FILE)], { out: at(out), trials: 7, workers: 1, ...extra });

const refusal = (pattern: RegExp): unknown =>
  expect.objectContaining({ name: 'ResultsInputError', message: expect.stringMatching(pattern) });

/** Rewrites a shard's summaries.json with `edit` and reseals its digest in run.json, as a forger would. */
function forge(dir: string, edit: (text: string) => string): void {
  const file = join(at(dir), 'summaries.json');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const record = JSON.parse(readFileSync(join(at(dir), 'run.json'), 'utf8')) as {
    files: { path: string; sha256: string; bytes: number }[];
  };
  for (const f of record.files) if (f.path === 'summaries.json') Object.assign(f, digestFile(file));
  writeFileSync(join(at(dir), 'run.json'), JSON.stringify(record));
}

describe('exec: run --no-trials and merge of its shards', () => {
  beforeAll(async () => {
    await run('full');
    await run('whole', { noTrials: true });
    for (let i = 0; i < 3; i++) await run(`n${i}`, { shard: { index: i, count: 3 }, noTrials: true });
    await run('f1', { shard: { index: 1, count: 3 } });
  }, 120_000);

  it('should write summaries.json instead of trials.csv and attribution-trials.csv, listed with its digest in run.json', () => {
    const files = readdirSync(at('whole')).sort();
    expect(files).toContain('summaries.json');
    expect(files).not.toContain('trials.csv');
    expect(files).not.toContain('attribution-trials.csv');
    const record = JSON.parse(readFileSync(at('whole/run.json'), 'utf8')) as { noTrials?: boolean; files: { path: string }[] };
    expect(record.noTrials).toBe(true);
    expect(record.files.map((f) => f.path)).toContain('summaries.json');
    const report = readFileSync(at('whole/report.md'), 'utf8');
    expect(report).toContain('mergeable summaries in `summaries.json`');
    expect(report).not.toContain('per-trial values are in');
    expect(readFileSync(at('full/report.md'), 'utf8')).toContain('per-trial values are in `trials.csv`');
  });

  it("should give the full run's summary.csv, comparison.csv and attribution.csv (small samples: quantiles exact)", () => {
    for (const name of ['summary.csv', 'comparison.csv', 'attribution.csv'])
      expect(readFileSync(at(`whole/${name}`), 'utf8'), name).toBe(readFileSync(at(`full/${name}`), 'utf8'));
    expect(readFileSync(at('whole/attribution.csv'), 'utf8').trimEnd().split('\n').length).toBeGreaterThan(1);
  });

  it('should merge shards (in any order) into exactly the data files of the unsharded --no-trials run, byte for byte', async () => {
    await mergeRuns([at('n2'), at('n0'), at('n1')], { out: at('merged') });
    // The charts' SVG ids count renders per process, so in-process the report differs; the CLI test compares whole folders.
    const data = (dir: string): Map<string, string> =>
      new Map([...snapshot(at(dir))].filter(([name]) => name.endsWith('.csv') || name === 'summaries.json'));
    expect(data('merged')).toEqual(data('whole'));
    expect([...data('merged').keys()]).toContain('summaries.json');
  });

  it('should merge 9 shards of 7 trials a cell (some shards hold no trial at all) into the same data files', async () => {
    const dirs: string[] = [];
    for (let i = 0; i < 9; i++) {
      await run(`m${i}`, { shard: { index: i, count: 9 }, noTrials: true });
      dirs.push(at(`m${i}`));
    }
    await mergeRuns(dirs.reverse(), { out: at('merged9') });
    for (const name of ['summaries.json', 'summary.csv', 'comparison.csv', 'attribution.csv'])
      expect(readFileSync(at(`merged9/${name}`), 'utf8'), name).toBe(readFileSync(at(`whole/${name}`), 'utf8'));
  }, 60_000);

  it('should merge under another --baseline (no attribution rows for it) into a folder that merges again', async () => {
    const other = await mergeRuns([at('n0'), at('n1'), at('n2')], { out: at('rebased'), baseline: 'ephemeral-15m' });
    expect(other.comparison.every((r) => r.baseline === 'ephemeral-15m')).toBe(true);
    expect(readFileSync(at('rebased/attribution.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
    await mergeRuns([at('rebased')], { out: at('again') });
    expect(readFileSync(at('again/summaries.json'), 'utf8')).toBe(readFileSync(at('whole/summaries.json'), 'utf8'));
    expect(readFileSync(at('again/comparison.csv'), 'utf8')).toBe(readFileSync(at('rebased/comparison.csv'), 'utf8'));
  });

  it('should refuse to mix --no-trials shards with full shards, naming both, and write nothing', async () => {
    await expect(mergeRuns([at('n0'), at('f1'), at('n2')], { out: at('mixed') })).rejects.toThrow(
      refusal(/n0 was run with --no-trials \(summaries\.json\) and .*f1 without \(trials\.csv\)/),
    );
    expect(existsSync(at('mixed'))).toBe(false);
  });

  it('should refuse a summaries.json changed after the shard ran (digest)', async () => {
    cpSync(at('n1'), at('edited'), { recursive: true });
    const file = at('edited/summaries.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"n":', '"n": '));
    await expect(mergeRuns([at('n0'), at('edited'), at('n2')], { out: at('bad') })).rejects.toThrow(
      refusal(/edited\/summaries\.json was changed after the shard ran/),
    );
    expect(existsSync(at('bad'))).toBe(false);
  });

  it.each([
    [
      'a relabelled policy',
      (t: string) => t.replace('"policy":"persistent"', '"policy":"ephemeral-15m"'),
      /cell 1 is not the plan's/,
    ],
    [
      'a shifted trial range',
      (t: string) => t.replace(/"trials":\[2,4\]/, '"trials":[0,2]'),
      /cell 1 is not the plan's \(expected .*,2,4, got .*,0,2\)/,
    ],
    [
      'a metric with more values than trials',
      (t: string) => t.replace(/"attack_success":\{"n":2,/, '"attack_success":{"n":3,'),
      /attack_success/,
    ],
  ])('should refuse %s even with a resealed digest, naming the file and the cell', async (label, edit, message) => {
    const name = `forged-${label.replace(/\W+/g, '-')}`;
    cpSync(at('n1'), at(name), { recursive: true });
    forge(name, edit);
    expect(readFileSync(at(`${name}/summaries.json`), 'utf8')).not.toBe(readFileSync(at('n1/summaries.json'), 'utf8'));
    await expect(mergeRuns([at('n0'), at(name), at('n2')], { out: at('bad') })).rejects.toThrow(
      refusal(new RegExp(`${name}/summaries\\.json: .*${message.source}`)),
    );
    expect(existsSync(at('bad'))).toBe(false);
  });
});
