import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoCredentials } from '../../src/serve/broker.js';
import { GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_JWT } from '../../src/serve/broker.js';
import type { StartedBroker } from '../../src/serve/start.js';
import { agentOf, basic, call, dpopProof, postForm, serve } from './helpers.js';

let running: StartedBroker;
let creds: DemoCredentials;
let tokenUrl: string;

beforeAll(async () => {
  ({ running, creds } = await serve());
  tokenUrl = `${running.url}/token`;
});
afterAll(async () => {
  await running.close();
});

function exchange(extra: Record<string, string | string[]> = {}, headers: Record<string, string> | null = null) {
  const ci = agentOf(creds, 'ci-agent');
  const params = {
    grant_type: GRANT_TOKEN_EXCHANGE,
    subject_token: ci.subject_token!,
    subject_token_type: TOKEN_TYPE_JWT,
    ...extra,
  };
  return postForm(tokenUrl, params, headers ?? { DPoP: dpopProof(ci.dpop_jwk, tokenUrl) });
}

function clientCredentials(extra: Record<string, string> = {}, headers: Record<string, string> | null = null) {
  const bot = agentOf(creds, 'contractor-bot');
  return postForm(
    tokenUrl,
    { grant_type: 'client_credentials', ...extra },
    headers ?? {
      Authorization: basic(bot.client_id!, bot.client_secret!),
      DPoP: dpopProof(bot.dpop_jwk, tokenUrl),
    },
  );
}

async function introspect(token: string) {
  return postForm(
    `${running.url}/introspect`,
    { token },
    { Authorization: basic(creds.introspection.client_id, creds.introspection.client_secret) },
  );
}

describe('blastlab serve', () => {
  it('should answer healthz and publish RFC 8414 metadata', async () => {
    const health = JSON.parse((await call('GET', `${running.url}/healthz`)).text) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', scenario: 'ci-deploy-key', policy: 'ephemeral-15m' });
    const meta = JSON.parse((await call('GET', `${running.url}/.well-known/oauth-authorization-server`)).text) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({
      issuer: running.url,
      token_endpoint: tokenUrl,
      jwks_uri: `${running.url}/.well-known/jwks.json`,
    });
  });

  it('should exchange a workload token for a DPoP-bound token that jose verifies through the JWKS endpoint', async () => {
    const res = await exchange({ scope: 'write:prod-db', audience: 'prod-db' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'DPoP',
      expires_in: 900,
      scope: 'write:prod-db',
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    const jwks = createRemoteJWKSet(new URL(`${running.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(res.body!.access_token as string, jwks, {
      issuer: running.url,
      audience: 'prod-db',
      algorithms: ['EdDSA'],
    });
    const ci = agentOf(creds, 'ci-agent');
    expect(payload).toMatchObject({
      scope: 'write:prod-db',
      aud: ['prod-db'],
      client_id: 'ci-agent',
      sub: 'spiffe://blastlab.serve/aws/ci-agent',
    });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect((payload.cnf as { jkt: string }).jkt).toBe(
      await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: ci.dpop_jwk.x as string }),
    );
  });

  it('should give the whole declared intent when no scope is asked, and only that', async () => {
    const res = await exchange();
    expect(res.status).toBe(200);
    expect(res.body!.scope).toBe('write:artifact-bucket write:prod-db');
    expect((await exchange({ scope: 'read:prod-db' })).body).toMatchObject({ error: 'invalid_scope' });
    expect((await exchange({ scope: 'admin:prod-db' })).body).toMatchObject({ error: 'invalid_scope' });
    expect((await exchange({ audience: 'no-such-db' })).body).toMatchObject({ error: 'invalid_target' });
    expect((await exchange({ scope: 'write:prod-db', audience: 'artifact-bucket' })).body).toMatchObject({
      error: 'invalid_target',
    });
    expect((await exchange({ scope: 'write prod-db' })).body).toMatchObject({ error: 'invalid_scope' });
  });

  it('should issue client-credentials tokens to shared-secret agents only, within intent', async () => {
    const ok = await clientCredentials();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'DPoP', scope: 'read:build-logs' });
    expect(ok.body!.issued_token_type).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(`${running.url}/.well-known/jwks.json`));
    await expect(
      jwtVerify(ok.body!.access_token as string, jwks, { issuer: running.url, audience: 'build-logs' }),
    ).resolves.toBeDefined();
    const bot = agentOf(creds, 'contractor-bot');
    const wrong = await clientCredentials(
      {},
      { Authorization: basic(bot.client_id!, `${bot.client_secret!}x`), DPoP: dpopProof(bot.dpop_jwk, tokenUrl) },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const posted = await clientCredentials(
      { client_id: bot.client_id!, client_secret: bot.client_secret!, scope: 'write:build-logs' },
      { DPoP: dpopProof(bot.dpop_jwk, tokenUrl) },
    );
    expect(posted.body).toMatchObject({ error: 'invalid_scope' });
    const introspector = await clientCredentials(
      {},
      {
        Authorization: basic(creds.introspection.client_id, creds.introspection.client_secret),
        DPoP: dpopProof(bot.dpop_jwk, tokenUrl),
      },
    );
    expect(introspector.body).toMatchObject({ error: 'unauthorized_client' });
    const asOther = await exchange(
      {},
      {
        Authorization: basic(bot.client_id!, bot.client_secret!),
        DPoP: dpopProof(agentOf(creds, 'ci-agent').dpop_jwk, tokenUrl),
      },
    );
    expect(asOther.body).toMatchObject({ error: 'unauthorized_client' });
  });

  it('should require, check and never accept twice a DPoP proof under bindToWorkload', async () => {
    const ci = agentOf(creds, 'ci-agent');
    expect((await exchange({}, {})).body).toMatchObject({ error: 'invalid_dpop_proof' });
    const proof = dpopProof(ci.dpop_jwk, tokenUrl);
    expect((await exchange({}, { DPoP: proof })).status).toBe(200);
    expect((await exchange({}, { DPoP: proof })).body).toMatchObject({ error: 'invalid_dpop_proof' });
    expect((await exchange({}, { DPoP: dpopProof(ci.dpop_jwk, `${running.url}/revoke`) })).body).toMatchObject({
      error: 'invalid_dpop_proof',
    });
    expect(
      (await exchange({}, { DPoP: dpopProof(ci.dpop_jwk, tokenUrl, {}, Math.floor(Date.now() / 1000) - 600) })).body,
    ).toMatchObject({ error: 'invalid_dpop_proof' });
    // A proof by another key than the one the workload token is bound to.
    const bot = agentOf(creds, 'contractor-bot');
    expect((await exchange({}, { DPoP: dpopProof(bot.dpop_jwk, tokenUrl) })).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('should report a revoked token inactive, and only after revocation', async () => {
    const token = (await exchange()).body!.access_token as string;
    expect((await introspect(token)).body).toMatchObject({ active: true, client_id: 'ci-agent', token_type: 'DPoP' });
    const revoked = await postForm(`${running.url}/revoke`, { token, token_type_hint: 'access_token' });
    expect(revoked.status).toBe(200);
    expect((await introspect(token)).body).toEqual({ active: false });
    expect((await postForm(`${running.url}/revoke`, { token: 'not-a-token' })).status).toBe(200);
    const noAuth = await postForm(`${running.url}/introspect`, { token });
    expect(noAuth.status).toBe(401);
  });

  it('should refuse another client revoking a token it was not issued', async () => {
    const token = (await exchange()).body!.access_token as string;
    const bot = agentOf(creds, 'contractor-bot');
    const res = await postForm(`${running.url}/revoke`, { token }, { Authorization: basic(bot.client_id!, bot.client_secret!) });
    expect(res.body).toMatchObject({ error: 'unauthorized_client' });
    expect((await introspect(token)).body).toMatchObject({ active: true });
  });

  it('should answer malformed requests with the right OAuth error', async () => {
    expect((await postForm(tokenUrl, { grant_type: 'password' })).body).toMatchObject({ error: 'unsupported_grant_type' });
    expect((await postForm(tokenUrl, {})).body).toMatchObject({ error: 'invalid_request' });
    expect((await exchange({ subject_token: 'a.b.c' })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({ subject_token_type: 'urn:x' })).body).toMatchObject({ error: 'invalid_request' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const dup = await call('POST', tokenUrl, form, 'grant_type=client_credentials&grant_type=client_credentials');
    expect([dup.status, JSON.parse(dup.text).error]).toEqual([400, 'invalid_request']);
    const json = await call('POST', tokenUrl, { 'content-type': 'application/json' }, '{}');
    expect([json.status, JSON.parse(json.text).error]).toEqual([400, 'invalid_request']);
    const big = await call('POST', tokenUrl, form, `scope=${'a'.repeat(70_000)}`);
    expect(big.status).toBe(413);
    const chunked = await call('POST', tokenUrl, { ...form, 'transfer-encoding': 'chunked' }, `scope=${'a'.repeat(70_000)}`);
    expect(chunked.status).toBe(413);
    const get = await call('GET', tokenUrl);
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect((await call('GET', `${running.url}/__proto__`)).status).toBe(404);
    expect((await call('GET', `${running.url}/healthz`)).status).toBe(200);
    expect(running.internalErrors()).toBe(0);
  });
});

describe('blastlab serve --journal', () => {
  it('should keep revocations across a restart with the same key and issuer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-serve-'));
    try {
      const keyFile = join(dir, 'key.pem');
      const journalFile = join(dir, 'journal.jsonl');
      const first = await serve({ keyFile, journalFile });
      const issuer = first.running.url;
      const ci = agentOf(first.creds, 'ci-agent');
      const mint = async () =>
        (
          await postForm(
            `${issuer}/token`,
            { grant_type: GRANT_TOKEN_EXCHANGE, subject_token: ci.subject_token!, subject_token_type: TOKEN_TYPE_JWT },
            { DPoP: dpopProof(ci.dpop_jwk, `${issuer}/token`) },
          )
        ).body!.access_token as string;
      const revoked = await mint();
      const kept = await mint();
      expect((await postForm(`${issuer}/revoke`, { token: revoked })).status).toBe(200);
      await first.running.close();

      const check = async (withJournal: boolean) => {
        const again = await serve({ keyFile, issuer, ...(withJournal ? { journalFile } : {}) });
        const auth = { Authorization: basic(again.creds.introspection.client_id, again.creds.introspection.client_secret) };
        const a = await postForm(`${again.running.url}/introspect`, { token: revoked }, auth);
        const b = await postForm(`${again.running.url}/introspect`, { token: kept }, auth);
        await again.running.close();
        return [a.body!.active, b.body!.active];
      };
      // Without the journal the revocation is forgotten: that is what the journal is for.
      expect(await check(false)).toEqual([true, true]);
      expect(await check(true)).toEqual([false, true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
