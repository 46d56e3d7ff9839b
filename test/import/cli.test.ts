/** `blastlab import` end to end: writes a scenario `run` accepts; bad input exits 2 with file and line, writing nothing. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, build, cli, tempDir } from '../e2e/helpers.js';

const FIX = join(ROOT, 'test/fixtures/import');
let dir = '';
beforeAll(() => {
  build();
  dir = tempDir('blastlab-import-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blastlab import', () => {
  it('should import GitHub Actions workflows and print what it mapped and ignored', () => {
    const out = join(dir, 'ci.yaml');
    const r = cli(['import', 'github-actions', join(FIX, 'gha-repo'), '--out', out], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mapped +7 +jobs → agents/);
    expect(r.stdout).toMatch(/ignored +\d+ +GITHUB_TOKEN scopes/);
    expect(r.stdout).toContain('policies as-is, ephemeral, hybrid');
    expect(readFileSync(out, 'utf8')).toMatch(/^# Written by blastlab import github-actions/);
  });

  it('should import AWS IAM with a credential report and put real ages in scenarios.csv and the report', () => {
    const out = join(dir, 'aws.json');
    const r = cli(
      [
        'import',
        'aws-iam',
        join(FIX, 'aws/authorization-details.json'),
        '--credential-report',
        join(FIX, 'aws/credential-report.csv'),
        '--as-of',
        '2026-12-01T12:00:00Z',
        '--out',
        out,
      ],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('intent: all-grants');
    const run = cli(['run', out, '--trials', '3', '--workers', '1', '--out', join(dir, 'aws-res'), '--quiet'], dir);
    expect(run.code).toBe(0);
    const [header, line] = readFileSync(join(dir, 'aws-res/scenarios.csv'), 'utf8').trim().split('\n');
    expect(header).toMatch(/,credentials,standing_credentials,stale_credentials,oldest_standing_secret_age_s$/);
    const row = line!.split(',');
    // 4 keys + 4 role sessions + external + federated; standing: the 4 keys and the external principal;
    // stale: legacy-backup's key 1 and the vendor role (unused since March); oldest: legacy-backup's key 1.
    expect(row.slice(-4)).toEqual([
      '10',
      '5',
      '2',
      String(Math.floor((Date.parse('2026-12-01T12:00:00Z') - Date.parse('2022-05-10T09:05:00Z')) / 1000)),
    ]);
    const report = readFileSync(join(dir, 'aws-res/report.md'), 'utf8');
    expect(report).toContain('Oldest standing secrets');
    expect(report).toContain('Stale credentials');
  });

  it('should exit 2 naming the file and line of a truncated export, writing nothing', () => {
    const out = join(dir, 'never.yaml');
    const r = cli(['import', 'aws-iam', join(FIX, 'aws-bad-truncated.json'), '--out', out], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /aws-bad-truncated\.json:\d+:\d+ JSON syntax error|aws-bad-truncated\.json:\d+:\d+ YAML syntax error/,
    );
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(existsSync(out)).toBe(false);
  });

  it('should exit 2 for a workflow YAML error, a bad report cell and an unknown source, keeping an existing output intact', () => {
    const out = join(dir, 'keep.yaml');
    writeFileSync(out, 'previous\n');
    const gha = cli(['import', 'github-actions', join(FIX, 'gha-bad'), '--out', out], dir);
    expect(gha.code).toBe(2);
    expect(gha.stderr).toMatch(/broken\.yml:10:1 YAML syntax error/);
    expect(gha.stderr).toMatch(
      /typo\.yml:6:5 jobs\.build\.permisions: unknown key "permisions" \(did you mean "permissions"\?\)/,
    );
    const csv = cli(
      [
        'import',
        'aws-iam',
        join(FIX, 'aws/authorization-details.json'),
        '--credential-report',
        join(FIX, 'aws-bad-report.csv'),
        '--out',
        out,
      ],
      dir,
    );
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/aws-bad-report\.csv:3:1 access_key_1_last_used_date: "last spring" is not a date/);
    const unknown = cli(['import', 'terraform', 'x', '--out', out], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown source "terraform"');
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
  });
});
