import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/errors.js';
import { loadScenarioFile, parseScenarioText } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';
import { loadPreset, presetNames, PRESETS_DIR } from '../../src/scenario/presets.js';

const scenarioWith = (policies: string): string =>
  `name: p\nnodes:\n  - { id: a, kind: agent }\nattacks:\n  - { pattern: tool-chaining, agent: a, at: 1h }\npolicies:\n${policies}`;

describe('scenario/presets', () => {
  it('should ship the five documented presets, each valid and introduced by a comment', () => {
    expect(presetNames()).toEqual([
      'ephemeral-15m',
      'ephemeral-1h-sts',
      'ephemeral-5m-spiffe',
      'persistent-90d',
      'persistent-never',
    ]);
    for (const name of presetNames()) {
      expect(loadPreset(name), name).toHaveProperty('ok', true);
      const text = readFileSync(fileURLToPath(new URL(`${name}.yaml`, PRESETS_DIR)), 'utf8');
      expect(text.startsWith('# Imitates'), name).toBe(true);
    }
  });

  it('should resolve each preset to the documented parameters', () => {
    const result = parseScenarioText(
      scenarioWith(
        ['persistent-90d', 'persistent-never', 'ephemeral-15m', 'ephemeral-5m-spiffe', 'ephemeral-1h-sts']
          .map((n) => `  ${n}: ${n}\n`)
          .join(''),
      ),
      'p.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [p90, never, e15, spiffe, sts] = result.scenario.policies;
    const all = { completion: true, failure: true, timeout: true };
    expect(p90).toMatchObject({ kind: 'persistent', rotationMs: 7_776_000_000 });
    expect(never).toMatchObject({ kind: 'persistent', rotationMs: Infinity });
    expect(e15).toMatchObject({
      kind: 'ephemeral',
      broker: { ttlMs: 900_000, scope: 'task', revokeOn: all, reevaluate: 'privileged', bindToWorkload: true },
    });
    expect(spiffe).toMatchObject({
      kind: 'ephemeral',
      broker: { ttlMs: 300_000, scope: 'step', revokeOn: all, reevaluate: 'every-step', bindToWorkload: true },
    });
    expect(sts).toMatchObject({
      kind: 'ephemeral',
      broker: {
        ttlMs: 3_600_000,
        scope: 'role',
        revokeOn: { completion: false, failure: false, timeout: false },
        reevaluate: 'none',
        bindToWorkload: false,
      },
    });
  });

  it('should validate overrides merged into a preset and locate the problem in the scenario', () => {
    const result = parseScenarioText(scenarioWith('  x: { preset: ephemeral-15m, ttl: soon }\n'), 'p.yaml');
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ code: 'bad-duration', path: 'policies.x.ttl', line: 7 })],
    });
  });

  it('should refuse preset names that could leave the presets folder', () => {
    const result = parseScenarioText(scenarioWith('  x: ../../package\n'), 'p.yaml');
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'bad-name', path: 'policies.x', line: 7 })] });
  });

  describe('user presets', () => {
    afterAll(removeTempDirs);
    /** root/policies/<name>.yaml (ttl 2m), root/team/s.yaml naming it; returns the scenario path. */
    function layout(): { root: string; file: string } {
      const root = tempDir('blastlab-presets-');
      mkdirSync(join(root, 'policies'));
      mkdirSync(join(root, 'team'));
      writeFileSync(join(root, 'policies', 'my-broker.yaml'), 'kind: ephemeral\nttl: 2m\n');
      // Shadows the built-in preset of the same name.
      writeFileSync(join(root, 'policies', 'ephemeral-15m.yaml'), 'kind: ephemeral\nttl: 3m\n');
      const file = join(root, 'team', 's.yaml');
      writeFileSync(file, scenarioWith('  mine: my-broker\n  shadowed: ephemeral-15m\n  builtin: persistent-90d\n'));
      return { root, file };
    }

    it('should read presets from the nearest policies/ folder above the scenario, before the built-in ones', () => {
      const { file } = layout();
      const [mine, shadowed, builtin] = loadScenarioFile(file).policies;
      expect(mine).toMatchObject({ name: 'mine', kind: 'ephemeral', broker: { ttlMs: 120_000 } });
      expect(shadowed).toMatchObject({ name: 'shadowed', broker: { ttlMs: 180_000 } });
      expect(builtin).toMatchObject({ name: 'builtin', kind: 'persistent', rotationMs: 7_776_000_000 });
    });

    it('should search the --presets folder first', () => {
      const { root, file } = layout();
      mkdirSync(join(root, 'override'));
      writeFileSync(join(root, 'override', 'my-broker.yaml'), 'kind: ephemeral\nttl: 7m\n');
      expect(loadScenarioFile(file, { presets: join(root, 'override') }).policies[0]).toMatchObject({
        broker: { ttlMs: 420_000 },
      });
    });

    it('should name the folders it looked in for an unknown preset', () => {
      const root = tempDir('blastlab-presets-');
      const file = join(root, 's.yaml');
      writeFileSync(file, scenarioWith('  mine: my-broker\n'));
      let error: unknown;
      try {
        loadScenarioFile(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).issues[0]).toMatchObject({ code: 'unknown-preset', path: 'policies.mine', line: 7 });
    });
  });
});
