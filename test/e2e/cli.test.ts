import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/domain/metrics.js';
import { BIN, build, cli, FIXTURES, listAll, removeTempDirs, snapshot, tempDir } from './helpers.js';

const SUITE = join(FIXTURES, 'suite');
const INVALID = join(FIXTURES, 'invalid/broken.yaml');
/** Trials in the suite: ci-key 2 policies × 2 attacks × 12 + support 3 policies × 1 attack × 9. */
const SUITE_TRIALS = 2 * 2 * 12 + 3 * 9;
const OUTPUTS = ['comparison.csv', 'report.html', 'report.md', 'run.json', 'scenarios.csv', 'summary.csv', 'trials.csv'];

/** No staging folders or temp files left beside or inside the outputs (the folder must exist). */
function expectNoTemp(dir: string): void {
  expect(existsSync(dir), dir).toBe(true);
  expect(listAll(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
}

describe('blastlab CLI (e2e)', () => {
  beforeAll(() => build(), 180_000);
  afterAll(removeTempDirs);

  describe('validate', () => {
    it('should exit 0 and list the scenarios when every file is valid', () => {
      const r = cli(['validate', SUITE], tempDir());
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('2 scenarios valid');
    });

    it('should warn about a broker key on a persistent policy, at its line, and still pass the file', () => {
      const cwd = tempDir();
      const text = readFileSync(join(SUITE, 'ci-key.yaml'), 'utf8');
      const line = text.split('\n').findIndex((l) => l.includes('kind: persistent')) + 1;
      writeFileSync(
        join(cwd, 'ci-key.yaml'),
        text.replace('{ kind: persistent, rotation: 30d }', '{ kind: persistent, rotation: 30d, ttl: 15m }'),
      );
      for (const args of [
        ['validate', 'ci-key.yaml', '--quiet'],
        ['run', 'ci-key.yaml', '--quiet', '--trials', '2', '--workers', '1'],
      ]) {
        const r = cli(args, cwd);
        expect(r.code, args[0]).toBe(0);
        expect(r.stderr, args[0]).toMatch(
          new RegExp(
            `^warning: ci-key\\.yaml:${line}:\\d+ policies\\.persistent\\.ttl: ttl only applies to tokens a broker mints`,
            'm',
          ),
        );
      }
      expect(cli(['validate', join(SUITE, 'ci-key.yaml'), '--quiet'], cwd).stderr).toBe('');
    });

    it('should report every problem with file and line, and exit 2', () => {
      const r = cli(['validate', INVALID], tempDir());
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith(INVALID));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines.every((l) => /broken\.yaml:\d+:\d+ /.test(l))).toBe(true);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  describe('run', () => {
    it('should write every output file to results/<folder name> and exit 0', () => {
      const cwd = tempDir();
      const r = cli(['run', SUITE, '--workers', '1'], cwd);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = join(cwd, 'results/suite');
      for (const f of OUTPUTS) expect(existsSync(join(out, f)), f).toBe(true);
      const trials = readFileSync(join(out, 'trials.csv'), 'utf8').trimEnd().split('\n');
      expect(trials).toHaveLength(SUITE_TRIALS + 1);
      expect(trials[0]).toMatch(/^scenario,policy,attack,trial,seed,records_exfiltrated,resources_reached,/);
      expect(r.stdout).toContain('e2e-ci-key');
      expectNoTemp(cwd);
      expectNoTemp(join(cwd, 'results'));
    });

    it('should name the output folder after the scenario when given one file', () => {
      const cwd = tempDir();
      expect(cli(['run', join(SUITE, 'support.yaml'), '--quiet', '--workers', '1'], cwd).code).toBe(0);
      expect(existsSync(join(cwd, 'results/e2e-support/trials.csv'))).toBe(true);
    });

    it('should write byte-identical files on a rerun', () => {
      const cwd = tempDir();
      expect(cli(['run', SUITE, '--quiet', '--out', 'a', '--workers', '1'], cwd).code).toBe(0);
      expect(cli(['run', SUITE, '--quiet', '--out', 'b', '--workers', '1'], cwd).code).toBe(0);
      expect(snapshot(join(cwd, 'b'))).toEqual(snapshot(join(cwd, 'a')));
    });

    it('should write byte-identical files with 1 and 2 workers', () => {
      const cwd = tempDir();
      expect(cli(['run', SUITE, '--quiet', '--out', 'w1', '--workers', '1'], cwd).code).toBe(0);
      expect(cli(['run', SUITE, '--quiet', '--out', 'w2', '--workers', '2'], cwd).code).toBe(0);
      expect(snapshot(join(cwd, 'w2'))).toEqual(snapshot(join(cwd, 'w1')));
    });

    it('should print nothing but the result with more workers than cores (no listener-leak warning)', () => {
      const cwd = tempDir();
      // 4 workers keep 16 batches in flight, each listening on one abort signal: Node warns past 10.
      const r = cli(['run', SUITE, '--quiet', '--out', 'w4', '--workers', '4', '--trials', '3'], cwd);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    });

    it('should write byte-identical files with 1 and 2 workers when big cost passes are computed up front', () => {
      const cwd = tempDir();
      // 80 agents: ~67k task occurrences a trial, above EXACT_COST_OCCURRENCES (50k): shared cost passes the pool precomputes.
      expect(cli(['generate', '--agents', '80', '--trials', '3', '--out', 'estate.json', '--quiet'], cwd).code).toBe(0);
      expect(cli(['run', 'estate.json', '--quiet', '--out', 'w1', '--workers', '1'], cwd).code).toBe(0);
      expect(cli(['run', 'estate.json', '--quiet', '--out', 'w2', '--workers', '2'], cwd).code).toBe(0);
      expect(snapshot(join(cwd, 'w2'))).toEqual(snapshot(join(cwd, 'w1')));
    }, 180_000); // two runs of an ~9k-edge estate, each with its attribution variants

    it('should mint and verify with --real-tokens exactly the tokens trials.csv counts, and change no result', () => {
      const cwd = tempDir();
      expect(cli(['run', SUITE, '--quiet', '--out', 'plain', '--workers', '1'], cwd).code).toBe(0);
      const r = cli(['run', SUITE, '--out', 'real', '--workers', '2', '--real-tokens'], cwd);
      expect(r.code).toBe(0);
      for (const f of ['trials.csv', 'summary.csv', 'comparison.csv', 'scenarios.csv']) {
        expect(readFileSync(join(cwd, 'real', f), 'utf8'), f).toBe(readFileSync(join(cwd, 'plain', f), 'utf8'));
      }
      const rows = readFileSync(join(cwd, 'real/trials.csv'), 'utf8').trimEnd().split('\n');
      const column = rows[0]!.split(',').indexOf('tokens_issued');
      const issued = new Map<string, number>();
      for (const row of rows.slice(1)) {
        const cells = row.split(',');
        issued.set(cells[0]!, (issued.get(cells[0]!) ?? 0) + Number(cells[column]));
      }
      const report = readFileSync(join(cwd, 'real/real-tokens.csv'), 'utf8').trimEnd().split('\n');
      expect(report[0]).toBe('scenario,tokens_minted,tokens_verified,wall_ms,us_per_token,tokens_per_s');
      expect(report).toHaveLength(3);
      for (const line of report.slice(1)) {
        const [scenario, minted, verified] = line.split(',');
        expect(Number(minted), scenario).toBe(issued.get(scenario!));
        expect(Number(verified), scenario).toBe(Number(minted));
      }
      expect(r.stdout).toMatch(/real tokens: e2e-ci-key: [1-9]\d* minted and verified/);
    });

    it('should apply --trials, --seed and --policies', () => {
      const cwd = tempDir();
      const r = cli(['run', SUITE, '--quiet', '--out', 'o', '--trials', '3', '--seed', '9', '--policies', 'persistent'], cwd);
      expect(r.code).toBe(0);
      const rows = readFileSync(join(cwd, 'o/trials.csv'), 'utf8').trimEnd().split('\n').slice(1);
      expect(rows).toHaveLength(3 * (2 + 1));
      expect(rows.every((row) => row.split(',')[1] === 'persistent')).toBe(true);
      const manifest = JSON.parse(readFileSync(join(cwd, 'o/run.json'), 'utf8'));
      expect(manifest.options).toEqual({ trials: 3, seed: 9, policies: ['persistent'], baseline: null });
    });

    it('should exit 2 and write nothing for an invalid scenario file', () => {
      const cwd = tempDir();
      const r = cli(['run', SUITE, INVALID, '--out', 'out'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('broken.yaml:');
      expect(readdirSync(cwd)).toEqual([]);
    });

    it.each([
      [['run', SUITE, '--trials', 'abc']],
      [['run', SUITE, '--workers', '0']],
      [['run', SUITE, '--shard', '4/4']],
      [['run', SUITE, '--bogus']],
      [['run', SUITE, '--policies', 'nope']],
      [['run', SUITE, '--baseline', 'nope']],
    ])('should exit 2 with a usage line for bad usage: %j', (args) => {
      const cwd = tempDir();
      const r = cli(args, cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usage: blastlab run');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(cwd)).toEqual([]);
    });

    it('should exit 2 with a usage line for an unknown command', () => {
      const r = cli(['frobnicate'], tempDir());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usage: blastlab');
    });
  });

  describe('faults', () => {
    it.each([['5'], ['exit:7']])(
      'should fail with exit 1 naming scenario, policy, attack and trial when a worker fails (%s), leaving no files',
      (spec) => {
        const cwd = tempDir();
        const r = cli(['run', SUITE, '--out', 'out', '--workers', '2', '--quiet'], cwd, { BLASTLAB_TEST_CRASH: spec });
        expect(r.code).toBe(1);
        const trial = spec.replace('exit:', '');
        // The trials and the variant runs share the workers and run at once: the first to fail is named.
        expect(r.stderr).toMatch(new RegExp(`scenario "e2e-ci-key", policy "[^"]+", attack "[^"]+", trial ${trial}\\b`));
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(readdirSync(cwd)).toEqual([]);
      },
    );

    it('should stop on Ctrl-C with exit 130 and leave no files', async () => {
      const cwd = tempDir();
      const child = spawn(process.execPath, [BIN, 'run', SUITE, '--out', 'out', '--workers', '2', '--trials', '1000000'], {
        cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // The staging folder appears once the run (and its SIGINT handler) has started.
      while (!readdirSync(cwd).some((n) => n.startsWith('.out.staging-'))) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(130);
      expect(stderr).toContain('interrupted');
      expect(readdirSync(cwd)).toEqual([]);
    });
  });

  describe('shards and merge', () => {
    const cwd = tempDir();
    const shard = (i: number, n: number, extra: string[] = []): number | null =>
      cli(
        ['run', SUITE, '--quiet', '--workers', '2', '--shard', `${i}/${n}`, '--out', `s${i}of${n}${extra.join('')}`, ...extra],
        cwd,
      ).code;

    beforeAll(() => {
      expect(cli(['run', SUITE, '--quiet', '--out', 'whole', '--workers', '1'], cwd).code).toBe(0);
      for (let i = 0; i < 4; i++) expect(shard(i, 4)).toBe(0);
    }, 120_000);

    it('should merge shards 0–3 of 4 into exactly the unsharded result', () => {
      const r = cli(['merge', 's0of4', 's1of4', 's2of4', 's3of4', '--out', 'merged', '--quiet'], cwd);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(snapshot(join(cwd, 'merged'))).toEqual(snapshot(join(cwd, 'whole')));
    });

    it('should merge shards given in any order', () => {
      expect(cli(['merge', 's2of4', 's0of4', 's3of4', 's1of4', '--out', 'merged2', '--quiet'], cwd).code).toBe(0);
      expect(readFileSync(join(cwd, 'merged2/trials.csv'), 'utf8')).toBe(readFileSync(join(cwd, 'whole/trials.csv'), 'utf8'));
    });

    it('should give every shard rows of every (scenario, policy, attack)', () => {
      const combos = (dir: string): Set<string> =>
        new Set(
          readFileSync(join(cwd, dir, 'trials.csv'), 'utf8')
            .trimEnd()
            .split('\n')
            .slice(1)
            .map((l) => l.split(',').slice(0, 3).join('/')),
        );
      expect(combos('s3of4')).toEqual(combos('whole'));
    });

    // Refusals (incomplete, duplicate, foreign or edited shards) are tested in-process: test/exec/merge.test.ts.
    it('should refuse an edited shard with exit 2 and write nothing', () => {
      const dir = join(cwd, 'cut');
      cpSync(join(cwd, 's1of4'), dir, { recursive: true });
      const lines = readFileSync(join(dir, 'trials.csv'), 'utf8').split('\n');
      writeFileSync(join(dir, 'trials.csv'), lines.slice(0, -3).join('\n') + '\n');
      const r = cli(['merge', 's0of4', 'cut', 's2of4', 's3of4', '--out', 'bad'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cut\/trials\.csv was changed after the shard ran/);
      expect(existsSync(join(cwd, 'bad'))).toBe(false);
    });
  });

  describe('sweep', () => {
    const file = join(SUITE, 'ci-key.yaml');

    it('should write one sweep.csv row per value × attack × metric, values as written, and a report', () => {
      const cwd = tempDir();
      const r = cli(
        ['sweep', file, '--policy', 'ephemeral-15m', '--param', 'ttl', '--values', '1m,15m,1d', '--out', 'sw', '--workers', '2'],
        cwd,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = readFileSync(join(cwd, 'sw/sweep.csv'), 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('scenario,policy,param,value,attack,metric,mean,ci95_low,ci95_high');
      expect(lines).toHaveLength(1 + 3 * 2 * METRICS.length);
      expect(new Set(lines.slice(1).map((l) => l.split(',')[3]))).toEqual(new Set(['1m', '15m', '1d']));
      expect(existsSync(join(cwd, 'sw/report.md'))).toBe(true);
    });

    it('should accept list values and nested parameters', () => {
      const cwd = tempDir();
      expect(
        cli(
          [
            'sweep',
            file,
            '--policy',
            'ephemeral-15m',
            '--param',
            'revokeOn',
            '--values',
            '[completion],[completion,failure]',
            '--out',
            'a',
            '--quiet',
          ],
          cwd,
        ).code,
      ).toBe(0);
      expect(
        cli(
          [
            'sweep',
            file,
            '--policy',
            'persistent',
            '--param',
            'detection.probability',
            '--values',
            '0,1',
            '--out',
            'b',
            '--quiet',
          ],
          cwd,
        ).code,
      ).toBe(0);
    });

    it('should exit 2 and write nothing for a value the scenario format rejects, or an unknown policy', () => {
      const cwd = tempDir();
      const bad = cli(
        ['sweep', file, '--policy', 'ephemeral-15m', '--param', 'ttl', '--values', '1m,15 minutes', '--out', 'x'],
        cwd,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('ttl');
      const unknown = cli(['sweep', file, '--policy', 'nope', '--param', 'ttl', '--values', '1m', '--out', 'x'], cwd);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('usage: blastlab sweep');
      expect(readdirSync(cwd)).toEqual([]);
    });
  });

  describe('trace', () => {
    const file = join(SUITE, 'ci-key.yaml');

    it('should print the steps of one trial with reasons, and the metrics trials.csv has for it', () => {
      const cwd = tempDir();
      expect(cli(['run', file, '--quiet', '--out', 'o', '--workers', '1', '--trials', '3'], cwd).code).toBe(0);
      const [head, ...rows] = readFileSync(join(cwd, 'o/trials.csv'), 'utf8').trimEnd().split('\n');
      const columns = head!.split(',');
      for (const row of rows.filter((r) => r.split(',')[3] === '2')) {
        const cells = row.split(',');
        const r = cli(['trace', file, '--policy', cells[1]!, '--attack', cells[2]!, '--trial', '2'], cwd);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`policy ${cells[1]}, attack ${cells[2]}, trial 2 (seed ${cells[4]})`);
        for (const metric of ['resources_reached', 'blast_radius', 'tokens_issued', 'max_hops']) {
          const value = cells[columns.indexOf(metric)]!;
          expect(r.stdout, `${cells[1]} ${cells[2]} ${metric}`).toMatch(
            new RegExp(`\\n  ${metric} +${value === '' ? '—' : value}\\n`),
          );
        }
      }
      const persistent = cli(['trace', file, '--policy', 'persistent', '--trial', '2'], cwd).stdout;
      expect(persistent).toMatch(/\n\S+ +1 +use +\S+ +\S+ +(read|write|admin) +credential material\n/);
    });

    it('should exit 2 with a hint for an unknown policy or attack', () => {
      const cwd = tempDir();
      const r = cli(['trace', file, '--policy', 'persistnt'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('did you mean "persistent"?');
      expect(cli(['trace', file, '--attack', 'nope'], cwd).code).toBe(2);
    });
  });

  describe('generate', () => {
    it('should write the same estate for the same seed, as JSON or YAML, and the file should validate', () => {
      const cwd = tempDir();
      expect(cli(['generate', '--agents', '5', '--seed', '4', '--out', 'a.json'], cwd).code).toBe(0);
      expect(cli(['generate', '--agents', '5', '--seed', '4', '--out', 'b.json'], cwd).code).toBe(0);
      expect(readFileSync(join(cwd, 'b.json'), 'utf8')).toBe(readFileSync(join(cwd, 'a.json'), 'utf8'));
      expect(cli(['generate', '--agents', '5', '--seed', '4', '--out', 'c.yaml', '--name', 'estate-yaml'], cwd).code).toBe(0);
      const v = cli(['validate', 'a.json', 'c.yaml'], cwd);
      expect(v.stderr).toBe('');
      expect(v.code).toBe(0);
    });

    it('should exit 2 for a bad extension or agent count', () => {
      const cwd = tempDir();
      expect(cli(['generate', '--agents', '5', '--out', 'a.txt'], cwd).code).toBe(2);
      expect(cli(['generate', '--agents', '0', '--out', 'a.json'], cwd).code).toBe(2);
      expect(readdirSync(cwd)).toEqual([]);
    });
  });
});
