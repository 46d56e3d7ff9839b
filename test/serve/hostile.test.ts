/**
 * Random hostile requests against a real broker: whatever arrives, the server answers with a status
 * from the OAuth/HTTP set (never 500), refusals are RFC 6749 JSON errors, the server stays up, and
 * every token it does issue verifies through its JWKS endpoint with an independent implementation.
 */
import fc from 'fast-check';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoCredentials } from '../../src/serve/broker.js';
import { GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_JWT } from '../../src/serve/broker.js';
import { OAUTH_ERRORS } from '../../src/serve/oauth-error.js';
import type { StartedBroker } from '../../src/serve/start.js';
import { agentOf, basic, call, dpopProof, serve } from './helpers.js';
import { runs } from '../runs.js';

let running: StartedBroker;
let creds: DemoCredentials;
let validToken = '';

beforeAll(async () => {
  // The hybrid policy binds too; ephemeral-15m and hybrid differ only in exceptions the broker ignores.
  ({ running, creds } = await serve({ policy: 'ephemeral-15m' }));
});
afterAll(async () => {
  await running.close();
});

const printable = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
const PATHS = [
  '/token',
  '/revoke',
  '/introspect',
  '/task/end',
  '/.well-known/jwks.json',
  '/healthz',
  '/.well-known/oauth-authorization-server',
];

function requestArb() {
  const ci = () => agentOf(creds, 'ci-agent');
  const bot = () => agentOf(creds, 'contractor-bot');
  const value = fc.oneof(
    printable,
    fc.string({ maxLength: 30 }),
    fc.constantFrom('subject', 'secret', 'token', 'tampered', 'scope', 'audience', 'completion', 'failure', 'run-1'),
  );
  const field = fc.constantFrom(
    'grant_type',
    'subject_token',
    'subject_token_type',
    'actor_token',
    'actor_token_type',
    'requested_token_type',
    'scope',
    'audience',
    'resource',
    'client_id',
    'client_secret',
    'token',
    'token_type_hint',
    'task',
    'outcome',
    'x',
  );
  const form = fc.array(fc.tuple(field, value), { maxLength: 8 }).map((pairs) => {
    const body = new URLSearchParams();
    for (const [k, v] of pairs) {
      const resolved =
        v === 'subject'
          ? ci().subject_token!
          : v === 'secret'
            ? bot().client_secret!
            : v === 'token'
              ? validToken
              : v === 'tampered'
                ? `${ci().subject_token!.slice(0, -3)}AAA`
                : v === 'scope'
                  ? 'write:prod-db read:build-logs'
                  : v === 'audience'
                    ? 'prod-db'
                    : v;
      const key = k === 'grant_type' && v === 'scope' ? 'grant_type' : k;
      body.append(
        key,
        k === 'grant_type' && v === 'subject'
          ? GRANT_TOKEN_EXCHANGE
          : k === 'subject_token_type' && v === 'token'
            ? TOKEN_TYPE_JWT
            : resolved,
      );
    }
    return body.toString();
  });
  const body = fc.oneof(form, fc.string({ maxLength: 200 }), fc.constant(''), fc.constant('%zz=1&a=%E0%A4%A'));
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'application/json',
    'text/plain',
    '',
  );
  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.constant('bot'),
    fc.constant('introspector'),
    printable.map((s) => `Basic ${s}`),
    printable,
  );
  const dpop = fc.oneof(fc.constant(undefined), fc.constantFrom('ci', 'bot', 'stale'), printable);
  // Near-valid requests: a correct exchange or client-credentials request with a few fields dropped or
  // replaced, so the property also walks the success path and the checks just before it.
  const nearValid = fc
    .record({
      grant: fc.constantFrom('exchange', 'cc'),
      drop: fc.subarray(['subject_token_type', 'grant_type', 'scope', 'audience']),
      set: fc.array(fc.tuple(field, value), { maxLength: 2 }),
      dpop: fc.constantFrom('ci', 'bot', 'ci', 'bot', 'stale'),
    })
    .map(({ grant, drop, set, dpop }) => {
      const params = new Map<string, string>(
        grant === 'exchange'
          ? [
              ['grant_type', GRANT_TOKEN_EXCHANGE],
              ['subject_token', ci().subject_token!],
              ['subject_token_type', TOKEN_TYPE_JWT],
              ['scope', 'write:prod-db'],
              ['audience', 'prod-db'],
            ]
          : [
              ['grant_type', 'client_credentials'],
              ['scope', 'read:build-logs'],
            ],
      );
      for (const d of drop) params.delete(d);
      for (const [k, v] of set) params.set(k, v);
      return {
        method: 'POST',
        path: '/token',
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams([...params]).toString(),
        authorization: grant === 'cc' ? 'bot' : undefined,
        dpop,
      };
    });
  const random = fc.record({
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
    path: fc.oneof(
      fc.constantFrom(...PATHS),
      printable.map((s) => `/${encodeURIComponent(s)}`),
    ),
    contentType,
    body,
    authorization,
    dpop,
  });
  return fc.oneof(random, nearValid);
}

describe('blastlab serve under hostile requests', () => {
  it('should stay up, answer with OAuth errors, and issue only tokens that verify', async () => {
    const jwks = createRemoteJWKSet(new URL(`${running.url}/.well-known/jwks.json`));
    let issued = 0;
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        const url = `${running.url}${r.path}`;
        const headers: Record<string, string> = {};
        if (r.contentType !== '') headers['content-type'] = r.contentType;
        if (r.authorization === 'bot')
          headers.authorization = basic('contractor-bot', agentOf(creds, 'contractor-bot').client_secret!);
        else if (r.authorization === 'introspector')
          headers.authorization = basic(creds.introspection.client_id, creds.introspection.client_secret);
        else if (r.authorization !== undefined) headers.authorization = r.authorization;
        const tokenUrl = `${running.url}/token`;
        if (r.dpop === 'ci') headers.dpop = dpopProof(agentOf(creds, 'ci-agent').dpop_jwk, tokenUrl);
        else if (r.dpop === 'bot') headers.dpop = dpopProof(agentOf(creds, 'contractor-bot').dpop_jwk, tokenUrl);
        else if (r.dpop === 'stale') headers.dpop = dpopProof(agentOf(creds, 'ci-agent').dpop_jwk, tokenUrl, {}, 1);
        else if (r.dpop !== undefined) headers.dpop = r.dpop;
        const res = await call(r.method, url, headers, r.method === 'GET' ? undefined : r.body);
        const text = res.text;
        expect([200, 400, 401, 404, 405, 413]).toContain(res.status);
        if (res.status >= 400 && text !== '') {
          const error = (JSON.parse(text) as { error: string }).error;
          if (res.status !== 404 && res.status !== 405) expect(OAUTH_ERRORS as readonly string[]).toContain(error);
        }
        if (res.status === 200 && r.path === '/token') {
          const token = (JSON.parse(text) as { access_token: string }).access_token;
          await jwtVerify(token, jwks, { issuer: running.url, algorithms: ['EdDSA'] });
          validToken = token;
          issued++;
        }
      }),
      runs(120),
    );
    const health = await call('GET', `${running.url}/healthz`);
    expect(health.status).toBe(200);
    expect(running.internalErrors()).toBe(0);
    // The property must exercise the success path too, or "every 2xx verifies" says nothing.
    expect(issued).toBeGreaterThan(0);
  });
});
