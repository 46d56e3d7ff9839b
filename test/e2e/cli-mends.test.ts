/** End-to-end checks of what a new user tripped over (issue 15 §9, §4): messages and exit codes. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cli, FIXTURES, removeTempDirs, tempDir } from './helpers.js';

const SUITE = join(FIXTURES, 'suite');

describe('blastlab CLI: messages a new user reads', () => {
  beforeAll(() => build(), 180_000);
  afterAll(removeTempDirs);

  it('should warn about scenarios --policies leaves out, and still run the rest', () => {
    const cwd = tempDir();
    const r = cli(['run', SUITE, '--policies', 'hybrid', '--trials', '2', '--workers', '1', '--quiet', '--out', 'o'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: --policies hybrid: 1 scenario defines none of them and is left out of every output: e2e-ci-key\n/,
    );
    expect(existsSync(join(cwd, 'o/summary.csv'))).toBe(true);
  });

  it('should say a file is not a scenario file, or not found, with exit 2 and no raw error', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'notes.txt'), 'name: x\n');
    const notes = cli(['run', 'notes.txt'], cwd);
    expect(notes.code).toBe(2);
    expect(notes.stderr).toContain('notes.txt not a scenario file (expected *.yaml, *.yml or *.json)');
    const missing = cli(['validate', 'nope.yaml'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml not found');
    expect(missing.stderr).not.toContain('ENOENT');
    expect(readdirSync(cwd)).toEqual(['notes.txt']);
  });

  it('should exit 2 when merge is given a folder that does not exist', () => {
    const r = cli(['merge', 'no-such-shard', '--out', 'm'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a folder: no-such-shard');
  });

  it('should say when validate falls back on the built-in scenarios', () => {
    const cwd = tempDir();
    const r = cli(['validate'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("no ./scenarios folder here: validate uses blastlab's built-in scenarios");
    expect(r.stdout).toMatch(/\d+ scenarios valid in blastlab's built-in scenarios\n$/);
    mkdirSync(join(cwd, 'scenarios'));
    expect(cli(['validate'], cwd).stderr).not.toContain('built-in');
  });

  it('should refuse a trace trial beyond the plan and print only metrics with --quiet', () => {
    const file = join(SUITE, 'ci-key.yaml');
    const beyond = cli(['trace', file, '--trial', '12'], tempDir());
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toContain('--trial 12: the plan runs trials 0 … 11');
    const quiet = cli(['trace', file, '--trial', '12', '--trials', '13', '--quiet', '--no-color'], tempDir());
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^metrics:\n {2}records_exfiltrated/);
    expect(quiet.stdout).toContain('  resources_reached');
    expect(quiet.stdout).not.toContain('trace:');
  });

  it('should mark the required options in sweep --help', () => {
    const r = cli(['sweep', '--help'], tempDir());
    expect(r.code).toBe(0);
    for (const flag of ['--policy', '--param', '--values'])
      expect(r.stdout).toMatch(new RegExp(`${flag} <[a-z]+>[^\\n]*\\n?[^\\n]*\\(required`));
  });
});
