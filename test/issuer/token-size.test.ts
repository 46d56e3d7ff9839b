import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cli } from '../e2e/helpers.js';
import { realTokenSizeIssues, runScenarios } from '../../src/exec/run.js';
import { MAX_TOKEN_LENGTH } from '../../src/issuer/claims.js';
import { compile } from '../../src/model/compile.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'blastlab-token-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scenario whose one credential grants read and write on `resources` resources, under a role-scoped policy. */
function wideGrant(resources: number): string {
  const ids = Array.from({ length: resources }, (_, i) => `bucket-${String(i).padStart(4, '0')}`);
  const file = join(dir, `wide-${resources}.yaml`);
  writeFileSync(
    file,
    [
      `name: wide-${resources}`,
      'trials: 2',
      'nodes:',
      '  - { id: agent, kind: agent }',
      '  - { id: role-key, kind: credential }',
      ...ids.map((id) => `  - { id: ${id}, kind: resource }`),
      'edges:',
      '  - { from: agent, to: role-key, kind: holds }',
      ...ids.map((id) => `  - { from: role-key, to: ${id}, kind: grants, actions: [read, write] }`),
      'workload:',
      `  - { agent: agent, every: 1d, duration: 1m, steps: [{ target: ${ids[0]}, action: read }] }`,
      'attacks:',
      '  - { pattern: secret-replay, credential: role-key, from: agent, leakAt: 1d }',
      'policies:',
      '  role: { kind: ephemeral, ttl: 15m, scope: role }',
    ].join('\n'),
  );
  return file;
}

describe('real tokens: one size limit for issuer and verifier', () => {
  it('should refuse --real-tokens up front, naming the credential, when a role scope would exceed the verifier limit', async () => {
    const scenario = loadScenarioFile(wideGrant(600));
    const [issue, ...rest] = realTokenSizeIssues(compile(scenario));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ path: 'nodes[1]', message: expect.stringContaining(`credential "role-key"`) });
    expect(issue!.message).toContain(`1200 scope items), over the ${MAX_TOKEN_LENGTH}`);
    const out = join(dir, 'out');
    await expect(runScenarios([scenario], { out, workers: 1, realTokens: true })).rejects.toThrow(
      expect.objectContaining({ name: 'ScenarioError' }),
    );
    expect(existsSync(out)).toBe(false);
  });

  it('should let a role scope under the limit through', () => {
    expect(realTokenSizeIssues(compile(loadScenarioFile(wideGrant(40))))).toEqual([]);
  });
});

describe('validate: the token size is checked before any run', () => {
  beforeAll(build);

  it('should refuse under validate --real-tokens (exit 2), naming the credential and the size', () => {
    const file = wideGrant(600);
    const r = cli(['validate', file, '--real-tokens'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} nodes[1]: --real-tokens: credential "role-key"`);
    expect(r.stderr).toMatch(/would mint a \d+-character token \(1200 scope items\), over the 16384/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('should only warn without --real-tokens (exit 0: the modelled run never mints)', () => {
    const r = cli(['validate', wideGrant(600)], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: ');
    expect(r.stderr).toContain('credential "role-key"');
    expect(r.stdout).toContain('1 scenario valid');
  });

  it('should say nothing for a role scope under the limit', () => {
    const r = cli(['validate', wideGrant(40), '--real-tokens'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
