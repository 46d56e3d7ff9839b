import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cli, FIXTURES, removeTempDirs, snapshot, tempDir } from './helpers.js';

const FILE = join(FIXTURES, 'suite/ci-key.yaml');

describe('cli: run --no-trials and merge', () => {
  const cwd = tempDir();
  const run = (out: string, extra: string[]): number | null =>
    cli(['run', FILE, '--quiet', '--workers', '1', '--trials', '9', '--out', out, ...extra], cwd).code;

  beforeAll(() => {
    build();
    expect(run('full', [])).toBe(0);
    // --no-trials after --trials must not undo it (commander would read it as the negation of --trials).
    expect(run('whole', ['--no-trials'])).toBe(0);
    for (let i = 0; i < 3; i++) expect(run(`n${i}`, ['--no-trials', '--shard', `${i}/3`])).toBe(0);
    expect(run('f0', ['--shard', '0/3'])).toBe(0);
  }, 120_000);
  afterAll(removeTempDirs);

  it('should keep --trials and write no trial rows', () => {
    const record = JSON.parse(readFileSync(join(cwd, 'whole/run.json'), 'utf8')) as {
      options: { trials: number };
      planSize: number;
    };
    expect(record.options.trials).toBe(9);
    const files = [...snapshot(join(cwd, 'whole')).keys()];
    expect(files).toContain('summaries.json');
    expect(files.filter((f) => f.includes('trials.csv'))).toEqual([]);
  });

  it("should merge --no-trials shards (any order) into the unsharded --no-trials folder byte for byte, with the full run's summary.csv", () => {
    const r = cli(['merge', 'n2', 'n0', 'n1', '--out', 'merged', '--quiet'], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(snapshot(join(cwd, 'merged'))).toEqual(snapshot(join(cwd, 'whole')));
    expect(readFileSync(join(cwd, 'merged/summary.csv'), 'utf8')).toBe(readFileSync(join(cwd, 'full/summary.csv'), 'utf8'));
  });

  it('should refuse to mix --no-trials and full shards with exit 2, naming both', () => {
    const r = cli(['merge', 'f0', 'n1', 'n2', '--out', 'mixed'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /n1 was run with --no-trials \(summaries\.json\) and f0 without \(trials\.csv\): run every shard the same way/,
    );
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
