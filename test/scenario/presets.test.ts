import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.js';
import { loadPreset, presetNames, PRESETS_DIR } from '../../src/scenario/presets.js';

const scenarioWith = (policies: string): string =>
  `name: p\nnodes:\n  - { id: a, kind: agent }\nattacks:\n  - { pattern: tool-chaining, agent: a, at: 1h }\npolicies:\n${policies}`;

describe('scenario/presets', () => {
  it('should ship the five documented presets, each valid and introduced by a comment', () => {
    expect(presetNames()).toEqual(['ephemeral-15m', 'ephemeral-1h-sts', 'ephemeral-5m-spiffe', 'persistent-90d', 'persistent-never']);
    for (const name of presetNames()) {
      expect(loadPreset(name), name).toHaveProperty('raw');
      const text = readFileSync(fileURLToPath(new URL(`${name}.yaml`, PRESETS_DIR)), 'utf8');
      expect(text.startsWith('# Imitates'), name).toBe(true);
    }
  });

  it('should resolve each preset to the documented parameters', () => {
    const result = parseScenarioText(
      scenarioWith(['persistent-90d', 'persistent-never', 'ephemeral-15m', 'ephemeral-5m-spiffe', 'ephemeral-1h-sts'].map((n) => `  ${n}: ${n}\n`).join('')),
      'p.yaml',
    );
    if (!('scenario' in result)) throw new Error(JSON.stringify(result.issues));
    const [p90, never, e15, spiffe, sts] = result.scenario.policies;
    const all = { completion: true, failure: true, timeout: true };
    expect(p90).toMatchObject({ kind: 'persistent', rotationMs: 7_776_000_000 });
    expect(never).toMatchObject({ kind: 'persistent', rotationMs: Infinity });
    expect(e15).toMatchObject({ kind: 'ephemeral', ttlMs: 900_000, scope: 'task', revokeOn: all, reevaluate: 'privileged', bindToWorkload: true });
    expect(spiffe).toMatchObject({ kind: 'ephemeral', ttlMs: 300_000, scope: 'step', revokeOn: all, reevaluate: 'every-step', bindToWorkload: true });
    expect(sts).toMatchObject({ kind: 'ephemeral', ttlMs: 3_600_000, scope: 'role', revokeOn: { completion: false, failure: false, timeout: false }, reevaluate: 'none', bindToWorkload: false });
  });

  it('should validate overrides merged into a preset and locate the problem in the scenario', () => {
    const result = parseScenarioText(scenarioWith('  x: { preset: ephemeral-15m, ttl: soon }\n'), 'p.yaml');
    expect(result).toEqual({ issues: [expect.objectContaining({ path: 'policies.x.ttl', line: 7 })] });
  });

  it('should refuse preset names that could leave the presets folder', () => {
    const result = parseScenarioText(scenarioWith('  x: ../../package\n'), 'p.yaml');
    expect(result).toEqual({ issues: [expect.objectContaining({ path: 'policies.x', line: 7 })] });
  });
});
