/** Spawning the built CLI for end-to-end tests. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tempDir as makeTempDir } from '../tmp.js';
import { join, relative, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** The built bin. */
export const BIN = join(ROOT, 'dist/cli/main.js');
/** The e2e fixture scenarios. */
export const FIXTURES = join(ROOT, 'test/fixtures/e2e');

/** Newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    max = Math.max(max, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return max;
}

/**
 * Builds dist/ unless it is newer than every source file (`npm test` builds first). Others' work in
 * progress may have type errors: tsconfig.build.json emits anyway, so the exit code is ignored.
 */
export function build(): void {
  const built = statSync(BIN, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built > newest(join(ROOT, 'src'))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // noEmitOnError is false: type errors still produce dist/.
  }
}

/** Result of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `blastlab <args>` in `cwd` (not a TTY: no progress bar, no colour). */
export function cli(args: readonly string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temp folder, removed by `removeTempDirs()` (call it in the test file's `afterAll`). */
export function tempDir(prefix = 'blastlab-e2e-'): string {
  return makeTempDir(prefix);
}

export { removeTempDirs } from '../tmp.js';

/** Every file under `dir` (recursive, sorted), as relative paths → contents. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Names of every entry under `dir`, recursively (to spot temp files). */
export function listAll(dir: string): string[] {
  return [...snapshot(dir).keys()];
}
