import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { runSweep } from '../../src/exec/sweep.js';

const FILE = join(import.meta.dirname, '../fixtures/good/ci-deploy-key.yaml');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function out(): string {
  const dir = mkdtempSync(join(tmpdir(), 'blastlab-sweep-'));
  dirs.push(dir);
  return join(dir, 'out');
}

describe('exec/sweep', () => {
  it('should refuse a parameter the policy kind ignores, before running or writing anything', async () => {
    const dir = out();
    await expect(
      runSweep(FILE, { policy: 'persistent', param: 'ttl', values: ['1m', '1h'], out: dir, workers: 1 }),
    ).rejects.toThrow(/--param ttl: .*has no effect/);
    expect(existsSync(dir)).toBe(false);
  });

  it('should refuse values that resolve to the same policy', async () => {
    const dir = out();
    const error = await runSweep(FILE, {
      policy: 'ephemeral-15m',
      param: 'ttl',
      values: ['15m', '900s'],
      out: dir,
      workers: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('15m and 900s');
    expect(existsSync(dir)).toBe(false);
  });

  it('should sweep a hybrid exception field and give each value its own rows', async () => {
    const result = await runSweep(FILE, {
      policy: 'hybrid',
      param: 'exceptions.0.rotation',
      values: ['1h', 'never'],
      out: out(),
      workers: 1,
      trials: 20,
    });
    expect(new Set(result.rows.map((r) => r.value))).toEqual(new Set(['1h', 'never']));
    expect(result.rows.every((r) => r.param === 'exceptions.0.rotation')).toBe(true);
  });
});
