import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, UsageError } from '../../src/errors.js';
import { parseText, type ParsedDocument } from '../../src/scenario/document.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { buildVariant, paramWithoutEffect } from '../../src/scenario/variant.js';
import { brokered, hybridOf } from '../arbitraries/build.js';

const FILE = join(import.meta.dirname, '../fixtures/good/ci-deploy-key.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const SHA = createHash('sha256').update(TEXT).digest('hex');

function parsed(): ParsedDocument {
  const r = parseText(TEXT, FILE);
  if (!r.ok) throw new Error('fixture does not parse');
  return r.parsed;
}

function lineOf(text: string): number {
  return TEXT.split('\n').findIndex((l) => l.includes(text)) + 1;
}

describe('scenario/variant', () => {
  it('should keep only the swept policy, with the value set and everything else as the file resolves it', () => {
    const original = loadScenarioFile(FILE);
    const v = buildVariant(parsed(), SHA, { policy: 'ephemeral-15m', param: 'ttl', value: '1h' });
    expect(v.policies.map((p) => p.name)).toEqual(['ephemeral-15m']);
    const swept = brokered(v.policies[0]);
    expect(swept.broker.ttlMs).toBe(3_600_000);
    const before = brokered(original.policies.find((p) => p.name === 'ephemeral-15m'));
    expect({ ...swept, broker: { ...swept.broker, ttlMs: before.broker.ttlMs } }).toEqual(before);
    expect(v.nodes).toEqual(original.nodes);
    expect(v.attacks).toEqual(original.attacks);
  });

  it('should expand a preset with its overrides through the loader merge before setting the value', () => {
    const original = brokered(loadScenarioFile(FILE).policies.find((p) => p.name === 'sts-short'));
    const v = buildVariant(parsed(), SHA, { policy: 'sts-short', param: 'issuer.availability', value: '0.5' });
    const swept = brokered(v.policies[0]);
    expect(swept.broker.issuer.availability).toBe(0.5);
    expect(swept.broker.ttlMs).toBe(original.broker.ttlMs);
    expect(swept.broker.scope).toBe(original.broker.scope);
  });

  it('should set a field of a hybrid exception by index and refuse an index that does not exist', () => {
    const v = buildVariant(parsed(), SHA, { policy: 'hybrid', param: 'exceptions.0.rotation', value: '1d' });
    expect(hybridOf(v.policies[0]).exceptions[0]!.rotationMs).toBe(86_400_000);
    expect(() => buildVariant(parsed(), SHA, { policy: 'hybrid', param: 'exceptions.1.rotation', value: '1d' })).toThrow(
      UsageError,
    );
  });

  it('should locate a rejected value at the policy in the user file and name the --param/--values', () => {
    let error: unknown;
    try {
      buildVariant(parsed(), SHA, { policy: 'ephemeral-15m', param: 'ttl', value: '15 minutes' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const issue = (error as ScenarioError).issues[0]!;
    expect(issue.file).toBe(FILE);
    expect(issue.line).toBe(lineOf('ephemeral-15m: { kind: ephemeral'));
    expect(issue.path).toBe('policies.ephemeral-15m.ttl');
    expect(issue.code).toBe('bad-duration');
    // The message names the flag values that caused it (the point of this message).
    expect(issue.message).toContain('--param ttl --values 15 minutes');
  });

  it('should say which parameters a policy kind ignores', () => {
    for (const param of ['ttl', 'revokeOn', 'reevaluate', 'bindToWorkload', 'issuer.availability']) {
      expect(paramWithoutEffect('persistent', param), param).not.toBeNull();
      expect(paramWithoutEffect('ephemeral', param), param).toBeNull();
      expect(paramWithoutEffect('hybrid', param), param).toBeNull();
    }
    expect(paramWithoutEffect('ephemeral', 'exceptions.0.rotation')).not.toBeNull();
    expect(paramWithoutEffect('hybrid', 'exceptions.0.rotation')).toBeNull();
    expect(paramWithoutEffect('persistent', 'rotation')).toBeNull();
    // A persistent policy's scope is its standing scope (all or intent, C2).
    expect(paramWithoutEffect('persistent', 'scope')).toBeNull();
    expect(paramWithoutEffect('ephemeral', 'scope')).toBeNull();
    expect(paramWithoutEffect('persistent', 'detection.probability')).toBeNull();
  });
});
