/**
 * The documented example (docs/examples/simulate.ts) compiled and run in a fresh TypeScript project
 * against the packed package (`npm pack`), as a user would after `npm install blastlab`. Offline: the
 * package's dependencies are linked from this repository's node_modules instead of downloaded.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../e2e/helpers.js';
import { removeTempDirs, tempDir } from '../tmp.js';

const ROOT = resolve(import.meta.dirname, '../..');
afterAll(removeTempDirs);

describe('the packed package', () => {
  let project: string;

  beforeAll(() => {
    build();
    project = tempDir('blastlab-pack-');
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const tarball = (JSON.parse(out) as { filename: string }[])[0]!.filename;
    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, 'blastlab'), { recursive: true });
    execFileSync('tar', ['-xzf', join(project, tarball), '-C', join(modules, 'blastlab'), '--strip-components=1']);
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name === 'blastlab' || name.startsWith('.')) continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'example', private: true, type: 'module' }));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          outDir: '.',
        },
        files: ['simulate.ts'],
      }),
    );
    copyFileSync(join(ROOT, 'docs/examples/simulate.ts'), join(project, 'simulate.ts'));
  }, 120_000);

  it('should declare the documented API but not the internals in the packed types (stripInternal)', () => {
    const types = readFileSync(join(project, 'node_modules/blastlab/dist/index.d.ts'), 'utf8');
    for (const name of ['ScenarioError', 'formatIssue', 'simulate', 'runScenarios', 'IssueCode', 'SimulationResult'])
      expect(types).toMatch(new RegExp(`\\b${name}\\b`));
    for (const name of ['planTrials', 'executePlan', 'SummaryBuilder', 'readManifest', 'TrialPlan', 'RunManifest'])
      expect(types).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('should type-check and run the documented example with the packed types and code', () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      encoding: 'utf8',
    });
    const stdout = execFileSync(process.execPath, ['simulate.js'], { cwd: project, encoding: 'utf8' });
    expect(stdout).toMatch(/^persistent: blast radius [\d.]+ \[[\d.]+, [\d.]+\], tokens 0\n/);
    expect(stdout).toMatch(/\nephemeral-5m: blast radius [\d.]+ /);
    expect(stdout).toMatch(/\nrecommend(ed: \S+ \(.+\)|ation: \S+)\n$/);
  });
});
