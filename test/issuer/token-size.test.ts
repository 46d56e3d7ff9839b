import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cli } from '../e2e/helpers.js';
import { realTokenSizes, runScenarios } from '../../src/exec/run.js';
import { MAX_TOKEN_LENGTH, type ScopePair } from '../../src/issuer/claims.js';
import { TokenIssuer } from '../../src/issuer/issuer.js';
import { KeyRing } from '../../src/issuer/keyring.js';
import { RevocationList } from '../../src/issuer/revocation.js';
import { ScopeTable } from '../../src/issuer/scope-table.js';
import { TokenVerifier } from '../../src/issuer/verify.js';
import { compile } from '../../src/model/compile.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { ISSUER, seededKey, T0_MS, WORKLOAD_JKT } from './fixture.js';

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

/** An issuer (with or without a scope table) and a verifier that shares its key ring, denylist and table. */
function issuerWith(scopes: ScopeTable | undefined): { issuer: TokenIssuer; bare: TokenVerifier } {
  const keys = new KeyRing(seededKey('k0', 1), { overlapMs: 0 });
  const revocations = new RevocationList();
  const now = (): number => T0_MS;
  const issuer = new TokenIssuer({
    issuer: ISSUER,
    trustDomain: 't',
    keys,
    revocations,
    now,
    jtiPrefix: 'x',
    ...(scopes ? { scopes } : {}),
  });
  // A verifier of the same issuer that was not given the scope table.
  const bare = new TokenVerifier({ issuer: ISSUER, keys, revocations, now });
  return { issuer, bare };
}

/** 1,200 scope pairs: read and write on 600 resources (a token of about 25,000 characters inline). */
const WIDE: ScopePair[] = Array.from({ length: 600 }, (_, i) => `bucket-${String(i).padStart(4, '0')}`).flatMap((target) => [
  { target, action: 'read' as const },
  { target, action: 'write' as const },
]);

describe('issuer: a scope over the size limit is carried by reference', () => {
  const request = { subject: 'spiffe://t/default/agent', pairs: WIDE, ttlMs: 60_000, bindTo: WORKLOAD_JKT };

  it('should mint a short token with scope_ref that its verifiers resolve: covered pairs pass, others fail scope', () => {
    const scopes = new ScopeTable();
    const { issuer, bare } = issuerWith(scopes);
    const minted = issuer.mint(request);
    expect(minted.token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(minted.claims).toMatchObject({ scope: '', aud: [], scope_ref: expect.stringMatching(/^sr1\./) });
    expect(scopes.size).toBe(1);
    const v = issuer.verifier;
    expect(v.verify(minted.token, { target: 'bucket-0599', action: 'write', presentedJkt: WORKLOAD_JKT })).toMatchObject({
      ok: true,
      claims: { aud: expect.arrayContaining(['bucket-0599']) },
    });
    expect(v.verify(minted.token, { target: 'bucket-0600', action: 'read', presentedJkt: WORKLOAD_JKT })).toMatchObject({
      ok: false,
      failure: 'audience',
    });
    expect(v.verify(minted.token, { target: 'bucket-0001', action: 'admin', presentedJkt: WORKLOAD_JKT })).toMatchObject({
      ok: false,
      failure: 'scope',
    });
    // Binding still holds for a scope by reference.
    expect(v.verify(minted.token, { target: 'bucket-0001', action: 'read' })).toMatchObject({ ok: false, failure: 'binding' });
    // A verifier without the table cannot resolve the reference.
    expect(bare.verify(minted.token, { target: 'bucket-0001', action: 'read', presentedJkt: WORKLOAD_JKT })).toMatchObject({
      ok: false,
      failure: 'scope',
    });
  });

  it('should keep the same reference across a refresh (one id per scope)', () => {
    const { issuer } = issuerWith(new ScopeTable());
    const minted = issuer.mint(request);
    const refreshed = issuer.refresh(minted.token, WORKLOAD_JKT);
    expect(refreshed).toMatchObject({ ok: true, minted: { claims: { scope_ref: minted.claims.scope_ref } } });
  });

  it('should leave small scopes inline, and without a table mint the long token every verifier refuses (as before)', () => {
    const { issuer } = issuerWith(new ScopeTable());
    expect(issuer.mint({ ...request, pairs: WIDE.slice(0, 4) }).claims.scope_ref).toBeUndefined();
    const plain = issuerWith(undefined).issuer;
    const long = plain.mint(request);
    expect(long.token.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(
      plain.verifier.verify(long.token, { target: 'bucket-0001', action: 'read', presentedJkt: WORKLOAD_JKT }),
    ).toMatchObject({
      ok: false,
      failure: 'malformed',
    });
  });
});

describe('real tokens: one size limit for issuer and verifier', () => {
  it('should run --real-tokens on a role scope over the limit, carrying it by reference (named up front)', async () => {
    const scenario = loadScenarioFile(wideGrant(600));
    const { issues, byReference } = realTokenSizes(compile(scenario));
    expect(issues).toEqual([]);
    expect(byReference).toHaveLength(1);
    expect(byReference[0]).toMatchObject({
      code: 'scope-by-reference',
      path: 'nodes[1]',
      message: expect.stringContaining(`credential "role-key"`),
    });
    expect(byReference[0]!.message).toMatch(
      new RegExp(
        `would mint a \\d+-character token \\(1200 scope items\\), over the ${MAX_TOKEN_LENGTH} verifiers accept: its scope is carried by reference`,
      ),
    );
    const out = join(dir, 'out');
    const result = await runScenarios([scenario], { out, workers: 1, realTokens: true });
    expect(result.realTokens[0]!.minted).toBeGreaterThan(0);
    expect(result.realTokens[0]!.verified).toBe(result.realTokens[0]!.minted);
    expect(readFileSync(join(out, 'real-tokens.csv'), 'utf8')).toContain('wide-600');
  });

  it('should let a role scope under the limit through inline', () => {
    expect(realTokenSizes(compile(loadScenarioFile(wideGrant(40))))).toEqual({ issues: [], byReference: [] });
  });
});

describe('validate --real-tokens: token sizes are checked before any run', () => {
  beforeAll(build);

  it('should note (exit 0) a role scope carried by reference, naming the credential and the inline size', () => {
    const file = wideGrant(600);
    const r = cli(['validate', file, '--real-tokens'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`note: ${file} nodes[1]: --real-tokens: credential "role-key"`);
    expect(r.stdout).toMatch(
      /would mint a \d+-character token \(1200 scope items\), over the 16384 verifiers accept: its scope is carried by reference \(scope_ref, a \d+-character token\)/,
    );
    expect(r.stderr).toBe('');
  });

  it('should say nothing for a role scope under the limit, nor without --real-tokens', () => {
    const small = cli(['validate', wideGrant(40), '--real-tokens'], dir);
    expect([small.code, small.stderr, small.stdout.includes('note:')]).toEqual([0, '', false]);
    const plain = cli(['validate', wideGrant(600)], dir);
    expect([plain.code, plain.stderr, plain.stdout.includes('note:')]).toEqual([0, '', false]);
  });
});
