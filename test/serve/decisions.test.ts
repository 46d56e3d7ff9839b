/** The broker's rules B2–B6 in-process, with a hand-driven clock (no HTTP: fast and exact). */
import { describe, expect, it } from 'vitest';
import { decodeClaimsUnverified } from '../../src/issuer/encode.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { BrokerSettings } from '../../src/domain/scenario.js';
import { Broker, GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS, TOKEN_TYPE_JWT, type ServedClaims } from '../../src/serve/broker.js';
import { parseForm } from '../../src/serve/form.js';
import { OAuthError } from '../../src/serve/oauth-error.js';
import { choosePolicy } from '../../src/serve/start.js';
import { UsageError } from '../../src/errors.js';
import { brokered } from '../arbitraries/build.js';
import { basic, dpopProof } from './helpers.js';

const scenario = loadScenarioFile('scenarios/ci-deploy-key.yaml');
const base = brokered(scenario.policies.find((p) => p.name === 'ephemeral-15m'));
const T0 = 1_700_000_000_000;

function broker(overrides: Partial<BrokerSettings> = {}) {
  const clock = { now: T0 };
  const b = new Broker({
    scenario,
    policy: { ...base, broker: { ...base.broker, bindToWorkload: false, ...overrides } },
    issuer: 'http://broker.test',
    now: () => clock.now,
  });
  const creds = b.demoCredentials();
  const ci = creds.agents.find((a) => a.agent === 'ci-agent')!;
  const exchange = (extra = '', dpop?: string) =>
    b.token(
      parseForm(
        `grant_type=${encodeURIComponent(GRANT_TOKEN_EXCHANGE)}&subject_token=${ci.subject_token!}&subject_token_type=${encodeURIComponent(TOKEN_TYPE_JWT)}${extra}`,
        new Set(['audience', 'resource']),
      ),
      { dpop },
    );
  const introspect = (token: string) =>
    b.introspect(parseForm(`token=${token}`), {
      authorization: basic(creds.introspection.client_id, creds.introspection.client_secret),
    });
  return { b, clock, creds, exchange, introspect };
}

function oauthCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuthError) return error.code;
    throw error;
  }
  return 'ok';
}

describe('broker decisions', () => {
  it('should check declared intent under scope: task and the credential grants under scope: role', () => {
    const task = broker();
    expect(oauthCode(() => task.exchange('&scope=read:prod-db'))).toBe('invalid_scope');
    const role = broker({ scope: 'role' });
    // deploy-key grants read and write on prod-db: role scope gives read although no task declares it.
    expect(role.exchange('&scope=read:prod-db').scope).toBe('read:prod-db');
    expect(oauthCode(() => role.exchange('&scope=admin:prod-db'))).toBe('invalid_scope');
    expect(oauthCode(() => role.exchange('&scope=read:build-logs'))).toBe('invalid_scope');
  });

  it('should allow one action:target per token under scope: step', () => {
    const step = broker({ scope: 'step' });
    expect(step.exchange('&scope=write:prod-db').scope).toBe('write:prod-db');
    expect(oauthCode(() => step.exchange('&scope=write:prod-db+write:artifact-bucket'))).toBe('invalid_scope');
    expect(oauthCode(() => step.exchange())).toBe('invalid_scope');
    expect(step.exchange('&audience=prod-db').scope).toBe('write:prod-db');
  });

  it('should map resource urn:blastlab:<target> to an audience and refuse other resources', () => {
    const { exchange } = broker();
    expect(exchange('&resource=urn%3Ablastlab%3Aartifact-bucket').scope).toBe('write:artifact-bucket');
    expect(oauthCode(() => exchange('&resource=https%3A%2F%2Fdb.example%2F'))).toBe('invalid_target');
  });

  it('should stamp lifetime from the policy ttl and report expiry and revocation through introspection', async () => {
    const { b, clock, exchange, introspect } = broker({ ttlMs: 90_500 });
    const res = exchange();
    const claims = decodeClaimsUnverified(res.access_token) as ServedClaims;
    expect([res.expires_in, claims.exp - claims.iat, claims.nbf]).toEqual([91, 91, claims.iat]);
    expect(introspect(res.access_token)).toMatchObject({ active: true, exp: claims.exp });
    expect(b.health()).toMatchObject({ tokens_issued: 1, live_tokens: 1 });
    const other = exchange();
    await b.revoke(parseForm(`token=${other.access_token}`), {});
    expect(introspect(other.access_token)).toEqual({ active: false });
    expect(b.health()).toMatchObject({ tokens_issued: 2, live_tokens: 1, revoked: 1 });
    clock.now = claims.exp * 1000 + b.verifier.skewMs;
    expect(introspect(res.access_token)).toEqual({ active: false });
    expect(b.health()).toMatchObject({ live_tokens: 0, revoked: 0 });
  });

  it('should record the actor of a delegated exchange', () => {
    const { exchange, creds } = broker();
    const actor = creds.agents.find((a) => a.agent === 'ci-agent')!.subject_token!;
    const res = exchange(`&actor_token=${actor}&actor_token_type=${encodeURIComponent(TOKEN_TYPE_JWT)}`);
    expect((decodeClaimsUnverified(res.access_token) as ServedClaims).act).toEqual({
      sub: 'spiffe://blastlab.serve/aws/ci-agent',
    });
    expect(oauthCode(() => exchange(`&actor_token=${actor}`))).toBe('invalid_request');
    expect(oauthCode(() => exchange(`&actor_token=x.y.z&actor_token_type=${encodeURIComponent(TOKEN_TYPE_JWT)}`))).toBe(
      'invalid_grant',
    );
  });

  it('should bind to a DPoP proof sent without the policy asking', () => {
    const { exchange, creds, clock } = broker();
    const jwk = creds.agents.find((a) => a.agent === 'ci-agent')!.dpop_jwk;
    const res = exchange('', dpopProof(jwk, 'http://broker.test/token', {}, Math.floor(clock.now / 1000)));
    expect(res.token_type).toBe('DPoP');
    expect((decodeClaimsUnverified(res.access_token) as ServedClaims).cnf?.jkt).toBeDefined();
    expect(exchange().token_type).toBe('Bearer');
  });

  it('should let an access token be re-exchanged narrower, never wider, and keep its task', async () => {
    const { b, exchange } = broker();
    const wide = exchange('&task=deploy-9');
    const again = (extra: string) =>
      b.token(
        parseForm(
          `grant_type=${encodeURIComponent(GRANT_TOKEN_EXCHANGE)}&subject_token=${wide.access_token}&subject_token_type=${encodeURIComponent(TOKEN_TYPE_ACCESS)}${extra}`,
        ),
        {},
      );
    const narrow = again('&scope=write:prod-db');
    expect(decodeClaimsUnverified(narrow.access_token)).toMatchObject({ scope: 'write:prod-db', txn: 'deploy-9' });
    expect(oauthCode(() => again('&scope=write:prod-db&task=other'))).toBe('invalid_request');
    await b.revoke(parseForm(`token=${wide.access_token}`), {});
    expect(oauthCode(() => again('&scope=write:prod-db'))).toBe('invalid_grant');
    expect(oauthCode(() => exchange('&task=has%20space'))).toBe('invalid_request');
  });

  it('should not widen a re-exchange under scope: role either', () => {
    const { b, exchange } = broker({ scope: 'role' });
    const one = exchange('&scope=read:prod-db');
    const code = oauthCode(() =>
      b.token(
        parseForm(
          `grant_type=${encodeURIComponent(GRANT_TOKEN_EXCHANGE)}&subject_token=${one.access_token}&subject_token_type=${encodeURIComponent(TOKEN_TYPE_ACCESS)}&scope=write:prod-db`,
        ),
        {},
      ),
    );
    expect(code).toBe('invalid_scope');
  });

  it('should re-check lifetime and revocation of a token it has already introspected', async () => {
    const { b, clock, exchange, introspect } = broker();
    const token = exchange().access_token;
    const other = exchange().access_token;
    expect([introspect(token).active, introspect(other).active]).toEqual([true, true]);
    clock.now = T0 - 31_000; // before nbf by more than the skew
    expect(introspect(token)).toEqual({ active: false });
    clock.now = T0;
    await b.revoke(parseForm(`token=${token}`), {});
    expect([introspect(token).active, introspect(other).active]).toEqual([false, true]);
    expect(introspect(`${other.slice(0, -4)}AAAA`)).toEqual({ active: false });
  });

  it('should re-evaluate the pairs asked for when an access token is exchanged (a use of it)', () => {
    for (const [reevaluate, readCode] of [
      ['every-step', 'invalid_scope'],
      ['privileged', 'ok'],
    ] as const) {
      const { b, exchange } = broker({ scope: 'role', reevaluate });
      // Exchanging the workload token is not a use: under scope: role the out-of-intent read is minted.
      const wide = exchange('&scope=read:prod-db+write:prod-db');
      const again = (scope: string) => () =>
        b.token(
          parseForm(
            `grant_type=${encodeURIComponent(GRANT_TOKEN_EXCHANGE)}&subject_token=${wide.access_token}&subject_token_type=${encodeURIComponent(TOKEN_TYPE_ACCESS)}&scope=${scope}`,
          ),
          {},
        );
      expect([oauthCode(again('read:prod-db')), oauthCode(again('write:prod-db'))]).toEqual([readCode, 'ok']);
    }
  });
});

describe('serve/start choosePolicy', () => {
  it('should default to the first ephemeral or hybrid policy and refuse a persistent one (it mints no tokens)', () => {
    expect(choosePolicy(scenario, undefined).name).toBe('ephemeral-15m');
    expect(() => choosePolicy(scenario, 'persistent')).toThrow(UsageError);
    const standingOnly = { ...scenario, policies: scenario.policies.filter((p) => p.kind === 'persistent') };
    expect(() => choosePolicy(standingOnly, undefined)).toThrow(/is persistent: it mints no tokens/);
  });
});
