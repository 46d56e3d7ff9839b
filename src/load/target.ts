/**
 * What the harness sends and to whom: the token endpoint, the grant's form body, client
 * authentication (Basic or client_secret_post), and a fresh DPoP proof per request when a key is
 * given. Against `blastlab serve` everything is discovered: `/healthz` identifies the server (and
 * gives its CPU and token counters), `/.well-known/blastlab-credentials` (loopback only) or a
 * `serve --credentials-out` file gives an agent's secrets.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UsageError } from '../errors.js';
import type { DemoCredentials } from '../serve/broker.js';
import { GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_JWT } from '../serve/broker.js';
import type { OutgoingRequest } from './generator.js';
import type { ServerSample } from './metrics.js';

/** The grants `load` can drive. */
export const LOAD_GRANTS = ['client-credentials', 'exchange'] as const;
export type LoadGrant = (typeof LOAD_GRANTS)[number];

/** A fully resolved request template. */
export interface GrantConfig {
  readonly grant: LoadGrant;
  readonly tokenUrl: string;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  /** How the client secret travels (default basic). */
  readonly auth: 'basic' | 'post';
  readonly subjectToken?: string | undefined;
  readonly scope?: string | undefined;
  readonly audience: readonly string[];
  /** Sign a DPoP proof per request with this private key (Ed25519). */
  readonly dpopKey?: KeyObject | undefined;
}

/** The `op` column for a grant. */
export function opOf(grant: LoadGrant): string {
  return grant === 'exchange' ? 'token_exchange' : 'client_credentials';
}

/** The token endpoint for `url`: as given, or `<url>/token` when the URL has no path. */
export function tokenEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`load: expected an http(s) URL (got ${JSON.stringify(url)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`load: expected an http(s) URL (got ${JSON.stringify(url)})`);
  parsed.hash = '';
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/token';
  return parsed.toString();
}

/** A request builder for `config`: a static body, and a new DPoP proof each call. */
export function requestBuilder(config: GrantConfig): () => OutgoingRequest {
  const form = new URLSearchParams();
  if (config.grant === 'exchange') {
    if (config.subjectToken === undefined)
      throw new UsageError(
        'load: --grant exchange needs a subject token (--subject-token or the BLASTLAB_SUBJECT_TOKEN environment variable)',
      );
    form.set('grant_type', GRANT_TOKEN_EXCHANGE);
    form.set('subject_token', config.subjectToken);
    form.set('subject_token_type', TOKEN_TYPE_JWT);
  } else {
    if (config.clientId === undefined || config.clientSecret === undefined) {
      throw new UsageError(
        'load: --grant client-credentials needs --client-id and a secret (--client-secret or the BLASTLAB_CLIENT_SECRET environment variable)',
      );
    }
    form.set('grant_type', 'client_credentials');
  }
  if (config.scope !== undefined) form.set('scope', config.scope);
  for (const a of config.audience) form.append('audience', a);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (config.clientId !== undefined && config.clientSecret !== undefined) {
    if (config.auth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', config.clientId);
      form.set('client_secret', config.clientSecret);
    }
  }
  const body = form.toString();
  const key = config.dpopKey;
  if (key === undefined) return () => ({ headers, body });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const header = Buffer.from(
    JSON.stringify({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } }),
  ).toString('base64url');
  const prefix = randomBytes(9).toString('base64url');
  let counter = 0;
  return () => {
    counter++;
    const payload = Buffer.from(
      JSON.stringify({
        jti: `${prefix}.${counter.toString(36)}`,
        htm: 'POST',
        htu: config.tokenUrl,
        iat: Math.floor(Date.now() / 1000),
      }),
    ).toString('base64url');
    const signature = sign(null, Buffer.from(`${header}.${payload}`, 'latin1'), key).toString('base64url');
    return { headers: { ...headers, dpop: `${header}.${payload}.${signature}` }, body };
  };
}

/** A fresh Ed25519 key for DPoP proofs (`load --dpop` against other servers). */
export function freshDpopKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** GETs `url` and parses JSON; null on any failure (a probe, not a requirement). */
export function getJson(url: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    // agent: false — a probe must not leave a keep-alive socket holding the process open.
    const req = send(url, { method: 'GET', agent: false, timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(null);
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** The server's counters when `origin` is blastlab serve, else null. */
export async function sampleServer(origin: string): Promise<ServerSample | null> {
  const h = (await getJson(`${origin}/healthz`)) as Record<string, unknown> | null;
  if (h === null || h.server !== 'blastlab-serve') return null;
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return { cpuUs: num(h.cpu_user_us) + num(h.cpu_system_us), tokensIssued: num(h.tokens_issued), liveTokens: num(h.live_tokens) };
}

/** Flags that describe the request; anything missing is discovered from blastlab serve. */
export interface TargetFlags {
  readonly grant: LoadGrant;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly auth?: 'basic' | 'post' | undefined;
  readonly subjectToken?: string | undefined;
  readonly scope?: string | undefined;
  readonly audience?: readonly string[] | undefined;
  readonly dpop?: boolean | undefined;
  /** A `serve --credentials-out` file. */
  readonly credentials?: string | undefined;
  /** Which agent of blastlab serve to act as (default: the first that uses the grant). */
  readonly agent?: string | undefined;
}

/** Resolves the request template for `url`. */
export async function resolveTarget(
  url: string,
  flags: TargetFlags,
): Promise<{ config: GrantConfig; blastlab: boolean; agent: string | null }> {
  const tokenUrl = tokenEndpoint(url);
  const origin = new URL(tokenUrl).origin;
  const blastlab = (await sampleServer(origin)) !== null;
  const explicit = flags.grant === 'exchange' ? flags.subjectToken !== undefined : flags.clientId !== undefined;
  const base = {
    grant: flags.grant,
    tokenUrl,
    auth: flags.auth ?? 'basic',
    scope: flags.scope,
    audience: flags.audience ?? [],
    dpopKey: flags.dpop === true ? freshDpopKey() : undefined,
  } as const;
  if (explicit || (!blastlab && flags.credentials === undefined)) {
    return {
      config: { ...base, clientId: flags.clientId, clientSecret: flags.clientSecret, subjectToken: flags.subjectToken },
      blastlab,
      agent: null,
    };
  }
  let creds: DemoCredentials | null;
  if (flags.credentials !== undefined) {
    try {
      creds = JSON.parse(readFileSync(flags.credentials, 'utf8')) as DemoCredentials;
    } catch (error) {
      throw new UsageError(
        `load: ${flags.credentials}: not a blastlab credentials file (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  } else {
    creds = (await getJson(`${origin}/.well-known/blastlab-credentials`)) as DemoCredentials | null;
    if (creds === null)
      throw new UsageError(
        `load: ${origin} is blastlab serve but does not serve credentials here (not loopback?): pass --credentials FILE from serve --credentials-out, or --client-id/--client-secret`,
      );
  }
  const wanted = flags.grant === 'exchange' ? 'token_exchange' : 'client_credentials';
  const agents: DemoCredentials['agents'] = Array.isArray(creds.agents) ? creds.agents : [];
  const entry = agents.find((a) => a.grant === wanted && (flags.agent === undefined || a.agent === flags.agent));
  if (entry === undefined) {
    const names = agents.map((a) => `${a.agent} (${a.grant})`).join(', ');
    throw new UsageError(
      `load: no agent${flags.agent === undefined ? '' : ` "${flags.agent}"`} using ${wanted} on this server (agents: ${names || 'none'})`,
    );
  }
  const dpopKey =
    creds.dpop_required || flags.dpop === true
      ? createPrivateKey({ key: entry.dpop_jwk as JsonWebKey, format: 'jwk' })
      : undefined;
  return {
    config: {
      ...base,
      clientId: entry.client_id,
      clientSecret: entry.client_secret,
      subjectToken: entry.subject_token,
      scope: flags.scope ?? entry.scope,
      dpopKey,
    },
    blastlab,
    agent: entry.agent,
  };
}
