/**
 * DPoP proofs (RFC 9449) at the token endpoint: the client signs a short JWT with a key it holds and
 * sends the public key in the proof's header; the broker checks the proof (§4.3) and binds the token
 * it mints to the key's RFC 7638 thumbprint (`cnf.jkt`, §6). Checks, in order:
 * 1. a compact JWS of three base64url segments, at most 8 KiB;
 * 2. header: `typ` = `dpop+jwt`, `alg` EdDSA (Ed25519) or ES256, `jwk` a public key only (no `d`);
 * 3. the signature under that key;
 * 4. claims: `jti` (≤ 128 chars), `htm` = the request's method, `htu` = the endpoint URL without query
 *    or fragment, `iat` within ±`windowMs` of the broker's clock;
 * 5. replay: a `jti` seen within the replay horizon is refused.
 * The clock is injected; nothing here reads time.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { OAuthError } from './oauth-error.js';

/** Default acceptance window of a proof's `iat` around the broker's clock. */
export const DPOP_WINDOW_MS = 60_000;
const MAX_PROOF_LENGTH = 8192;
const MAX_CACHED_KEYS = 1024;

/** A verified proof: the thumbprint to bind to. */
export interface DpopResult {
  readonly jkt: string;
}

function bad(reason: string): OAuthError {
  return new OAuthError('invalid_dpop_proof', reason);
}

function parseSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw bad(`the proof's ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`the proof's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** RFC 7638 members of a public JWK in lexicographic order, or undefined when it is not a supported key. */
function canonicalJwk(jwk: Record<string, unknown>, alg: string): string | undefined {
  const str = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(v);
  if (alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && str(jwk.x))
    return `{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`;
  if (alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256' && str(jwk.x) && str(jwk.y)) {
    return `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  }
  return undefined;
}

/** Verifies DPoP proofs and remembers their `jti`s for the replay horizon. */
export class DpopVerifier {
  readonly windowMs: number;
  /** jti → the instant (ms) after which it may be forgotten; insertion order = expiry order. */
  private readonly seen = new Map<string, number>();
  /** Canonical JWK → its key and RFC 7638 thumbprint (a proof's key is parsed and hashed once, not per request). */
  private readonly keys = new Map<string, { readonly key: KeyObject; readonly jkt: string }>();

  constructor(options: { readonly windowMs?: number } = {}) {
    this.windowMs = options.windowMs ?? DPOP_WINDOW_MS;
  }

  /** Proof `jti`s currently remembered. */
  get remembered(): number {
    return this.seen.size;
  }

  private keyOf(canonical: string): { readonly key: KeyObject; readonly jkt: string } {
    let entry = this.keys.get(canonical);
    if (entry === undefined) {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: JSON.parse(canonical) as JsonWebKey, format: 'jwk' });
      } catch {
        throw bad("the proof's jwk is not a valid public key");
      }
      entry = { key, jkt: createHash('sha256').update(canonical).digest('base64url') };
      if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
      this.keys.set(canonical, entry);
    }
    return entry;
  }

  private sweep(nowMs: number): void {
    for (const [jti, until] of this.seen) {
      if (until > nowMs) break;
      this.seen.delete(jti);
    }
  }

  /** Checks `proof` for a request of `method` on `url` at `nowMs`; throws OAuthError(invalid_dpop_proof). */
  verify(proof: string, method: string, url: string, nowMs: number): DpopResult {
    this.sweep(nowMs);
    // 1. shape
    if (proof.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) {
      throw bad('the DPoP header is not a compact JWS');
    }
    const [h = '', p = '', s = ''] = proof.split('.');
    // 2. header
    const header = parseSegment(h, 'header');
    if (header.typ !== 'dpop+jwt') throw bad("the proof's typ must be dpop+jwt");
    const alg = header.alg;
    if (alg !== 'EdDSA' && alg !== 'ES256') throw bad(`unsupported proof alg ${JSON.stringify(alg)} (EdDSA or ES256)`);
    const jwk = header.jwk;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw bad('the proof has no jwk header');
    if ('d' in jwk) throw bad("the proof's jwk contains a private key");
    const canonical = canonicalJwk(jwk as Record<string, unknown>, alg);
    if (canonical === undefined) throw bad(`the proof's jwk is not an ${alg === 'EdDSA' ? 'Ed25519' : 'P-256'} public key`);
    // 3. signature
    const { key, jkt } = this.keyOf(canonical);
    const input = Buffer.from(`${h}.${p}`, 'latin1');
    const signature = Buffer.from(s, 'base64url');
    const ok =
      alg === 'EdDSA'
        ? verify(null, input, key, signature)
        : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (!ok) throw bad("the proof's signature does not verify");
    // 4. claims
    const claims = parseSegment(p, 'claims');
    const jti = claims.jti;
    if (typeof jti !== 'string' || jti === '' || jti.length > 128) throw bad('the proof needs a jti of 1 to 128 characters');
    if (claims.htm !== method) throw bad(`the proof's htm must be ${method}`);
    if (typeof claims.htu !== 'string' || stripQuery(claims.htu) !== url) throw bad(`the proof's htu must be ${url}`);
    const iat = claims.iat;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw bad('the proof needs a numeric iat');
    if (Math.abs(iat * 1000 - nowMs) > this.windowMs)
      throw bad(`the proof's iat is more than ${this.windowMs / 1000} s from the server's clock`);
    // 5. replay: remembered past the last instant at which the proof's iat is still acceptable
    if (this.seen.has(jti)) throw bad('the proof was already used (replayed jti)');
    this.seen.set(jti, nowMs + 2 * this.windowMs);
    return { jkt };
  }
}

/** A URL without its query and fragment (RFC 9449 §4.3 compares `htu` that way). */
export function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}
