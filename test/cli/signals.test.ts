import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/errors.js';
import { withSignals } from '../../src/cli/signals.js';
import { runScenarios } from '../../src/exec/run.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

const parent = mkdtempSync(join(tmpdir(), 'blastlab-signals-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Runs a long in-thread run, sends `signal` to this process at the first progress, and returns the exit code reportError picks. */
async function interruptedRun(signal: NodeJS.Signals, out: string): Promise<number> {
  const scenario = loadScenarioFile('test/fixtures/e2e/suite/ci-key.yaml');
  let sent = false;
  const error = await withSignals((abort) =>
    runScenarios([scenario], {
      out: join(parent, out),
      trials: 1_000_000,
      workers: 1,
      signal: abort,
      onProgress: () => {
        if (!sent) process.kill(process.pid, signal);
        sent = true;
      },
    }),
  ).then(
    () => null,
    (e: unknown) => e,
  );
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return reportError(error);
  } finally {
    stderr.mockRestore();
  }
}

describe('cli/signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('should stop a run on %s with exit %i, leaving no staging and no results', async (signal, code) => {
    expect(await interruptedRun(signal, `out-${signal}`)).toBe(code);
    expect(readdirSync(parent).filter((n) => n.includes(signal))).toEqual([]);
  });

  it('should remove its handlers afterwards', async () => {
    const before = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
    await withSignals(() => Promise.resolve());
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s))).toEqual(before);
  });
});
