import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it("should sweep a persistent policy's standing scope (C2): intent takes away what no step declares", async () => {
    // The key grants read on two stores; the agent's only step reads one of them.
    const file = join(mkdtempSync(join(tmpdir(), 'blastlab-sweep-scope-')), 'scope.yaml');
    dirs.push(join(file, '..'));
    writeFileSync(
      file,
      `name: standing-scope
seed: 1
trials: 10
horizon: 2d
nodes:
  - { id: app, kind: agent }
  - { id: orders, kind: resource, records: 10 }
  - { id: payroll, kind: resource, records: 99 }
  - { id: key, kind: credential, ephemeralCapable: false }
edges:
  - { from: app, to: key, kind: holds }
  - { from: key, to: orders, kind: grants, actions: [read] }
  - { from: key, to: payroll, kind: grants, actions: [read] }
workload:
  - { agent: app, every: 1h, duration: 1m, steps: [{ target: orders, action: read }] }
attacks:
  - { pattern: lateral-movement, entry: app, at: 1h }
policies:
  standing: { kind: persistent }
`,
    );
    const result = await runSweep(file, {
      policy: 'standing',
      param: 'scope',
      values: ['all', 'intent'],
      out: out(),
      workers: 1,
    });
    const reached = (value: string): number | null =>
      result.rows.find((r) => r.value === value && r.metric === 'resources_reached')?.mean ?? null;
    expect(reached('all')).toBe(2);
    expect(reached('intent')).toBe(1);
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
