/** A real broker on 127.0.0.1:0 for the serve tests, and small HTTP helpers around fetch. */
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { DemoCredentials } from '../../src/serve/broker.js';
import { startBroker, type StartOptions, type StartedBroker } from '../../src/serve/start.js';

export const SCENARIO = 'scenarios/ci-deploy-key.yaml';

/** Starts a broker for ci-deploy-key (policy as given) and reads its credentials. */
export async function serve(options: Partial<StartOptions> = {}): Promise<{ running: StartedBroker; creds: DemoCredentials }> {
  const running = await startBroker({ scenario: loadScenarioFile(SCENARIO), port: 0, ...options });
  const creds = JSON.parse((await call('GET', `${running.url}/.well-known/blastlab-credentials`)).text) as DemoCredentials;
  return { running, creds };
}

/** The agent entry of `creds`. */
export function agentOf(creds: DemoCredentials, agent: string): DemoCredentials['agents'][number] {
  const found = creds.agents.find((a) => a.agent === agent);
  if (found === undefined) throw new Error(`no agent ${agent}`);
  return found;
}

/** The private key of a DPoP JWK. */
export function keyOf(jwk: Record<string, unknown>): KeyObject {
  return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

/** A DPoP proof (RFC 9449) for POST `htu`, signed with Ed25519 `jwk`. */
export function dpopProof(
  jwk: Record<string, unknown>,
  htu: string,
  overrides: Record<string, unknown> = {},
  iatS = Math.floor(Date.now() / 1000),
): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const header = enc({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } });
  const payload = enc({ jti: randomUUID(), htm: 'POST', htu, iat: iatS, ...overrides });
  const signature = sign(null, Buffer.from(`${header}.${payload}`), keyOf(jwk)).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One HTTP request over a keep-alive node:http agent (undici's fetch is several times slower on a busy machine). */
export function call(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a form; returns status, headers and the parsed JSON (or null). */
export async function postForm(
  url: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> | null; headers: Record<string, string | string[] | undefined> }> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  const res = await call('POST', url, { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body.toString());
  return {
    status: res.status,
    body: res.text === '' ? null : (JSON.parse(res.text) as Record<string, unknown>),
    headers: res.headers,
  };
}

/** Basic client credentials. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
