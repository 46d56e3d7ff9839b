/**
 * The token verifier a resource server runs. Checks, in order, and stops at the first failure:
 * 1. shape: three base64url segments, the signature a canonical 64-byte encoding (no malleable tail);
 * 2. header: `alg` pinned to EdDSA (no `none`, no HMAC confusion), `kid` known and not retired;
 * 3. the Ed25519 signature over the first two segments;
 * 4. `iss`, then `exp` / `nbf` with bounded clock skew;
 * 5. revocation (`jti` denylist); a scope carried by reference (`scope_ref`) is resolved from the
 *    issuer's scope table here, or the token fails `scope`;
 * 6. audience and scope: the target is in `aud` and `action:target` is in `scope`;
 * 7. binding: a token with `cnf.jkt` only verifies for the caller that presents that key thumbprint
 *    (the key it proved possession of on the connection, as in mTLS-bound tokens, RFC 8705).
 */
import { verify } from 'node:crypto';
import type { Action } from '../domain/scenario.js';
import type { TokenClaims } from './claims.js';
import { MAX_TOKEN_LENGTH, scopeCovers } from './claims.js';
import { TOKEN_ALG } from './encode.js';
import type { KeyRing } from './keyring.js';
import type { RevocationList } from './revocation.js';
import type { ScopeTable } from './scope-table.js';

/** Why a token was rejected, as a literal (callers and tests match on it). */
export const VERIFY_FAILURES = [
  'malformed',
  'alg',
  'unknown-kid',
  'signature',
  'issuer',
  'expired',
  'not-yet-valid',
  'revoked',
  'audience',
  'scope',
  'binding',
] as const;
export type VerifyFailure = (typeof VERIFY_FAILURES)[number];

/** The outcome of a verification. */
export type Verification =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly failure: VerifyFailure; readonly reason: string };

/** What the caller asks to do with the token. */
export interface VerifyRequest {
  readonly target: string;
  readonly action: Action;
  /** RFC 7638 thumbprint of the key the caller proved possession of; required by bound tokens. */
  readonly presentedJkt?: string | undefined;
}

/** How a verifier is set up; `now` is the injected clock (ms). */
export interface VerifierOptions {
  readonly issuer: string;
  readonly keys: KeyRing;
  readonly revocations: RevocationList;
  readonly now: () => number;
  /** Allowed clock skew on `exp` / `nbf` (default 30 s). */
  readonly skewMs?: number;
  /** The issuer's scope table, to resolve `scope_ref` (issuer/scope-table.ts); without it such tokens fail `scope`. */
  readonly scopes?: ScopeTable;
}

/** Default clock skew on `exp` and `nbf`. */
export const DEFAULT_SKEW_MS = 30_000;

// Whole-token shape: a non-ASCII or non-alphabet character could otherwise decode to the same bytes
// (base64 decoders skip or alias characters), and the signature's last character may carry only the
// values whose 4 unused bits are zero, so a signature has exactly one accepted spelling.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{85}[AQgw]$/;
const MAX_CACHED_HEADERS = 64;

function fail(failure: VerifyFailure, reason: string): Verification {
  return { ok: false, failure, reason };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function asClaims(value: unknown): TokenClaims | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  if (typeof c.iss !== 'string' || typeof c.sub !== 'string' || typeof c.scope !== 'string' || typeof c.jti !== 'string')
    return undefined;
  if (!isStringArray(c.aud)) return undefined;
  if (typeof c.iat !== 'number' || typeof c.nbf !== 'number' || typeof c.exp !== 'number') return undefined;
  // A scope by reference leaves the inline scope and audience empty: never both.
  if (c.scope_ref !== undefined && (typeof c.scope_ref !== 'string' || c.scope !== '' || c.aud.length > 0)) return undefined;
  if (c.cnf !== undefined) {
    if (typeof c.cnf !== 'object' || c.cnf === null || typeof (c.cnf as Record<string, unknown>).jkt !== 'string')
      return undefined;
  }
  return value as TokenClaims;
}

/** Verifies tokens minted by one issuer. */
export class TokenVerifier {
  readonly skewMs: number;
  private readonly options: VerifierOptions;
  /** Header segment → kid, for headers already parsed and found well-formed. */
  private readonly headerKids = new Map<string, string>();
  private buffer = Buffer.allocUnsafe(2048);

  constructor(options: VerifierOptions) {
    this.options = options;
    this.skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
    if (!(this.skewMs >= 0)) throw new RangeError(`TokenVerifier: skewMs must be ≥ 0 (got ${this.skewMs})`);
  }

  private kidOf(header: string): { kid: string } | Verification {
    const cached = this.headerKids.get(header);
    if (cached !== undefined) return { kid: cached };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    } catch {
      return fail('malformed', 'header is not base64url JSON');
    }
    if (typeof parsed !== 'object' || parsed === null) return fail('malformed', 'header is not an object');
    const h = parsed as Record<string, unknown>;
    if (h.alg !== TOKEN_ALG) return fail('alg', `alg must be ${TOKEN_ALG} (got ${JSON.stringify(h.alg)})`);
    if (h.crit !== undefined) return fail('malformed', 'crit header parameters are not supported');
    if (typeof h.kid !== 'string') return fail('unknown-kid', 'header has no kid');
    if (this.headerKids.size < MAX_CACHED_HEADERS) this.headerKids.set(header, h.kid);
    return { kid: h.kid };
  }

  /** Checks 1–5 (shape, header, signature, issuer, lifetime, revocation): the token is genuine and live. */
  authenticate(token: string): Verification {
    const nowMs = this.options.now();
    // Pruning first keeps the denylist bounded whatever the outcome (O(1) unless an entry is due).
    this.options.revocations.prune(nowMs);
    // 1. shape
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return fail('malformed', 'not a compact EdDSA JWS');
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    // 2. header
    const header = this.kidOf(token.slice(0, first));
    if ('ok' in header) return header;
    const publicKey = this.options.keys.verificationKey(header.kid, nowMs);
    if (publicKey === undefined) return fail('unknown-kid', `kid "${header.kid}" is unknown or retired`);
    // 3. signature over the ASCII signing input, copied into a reused buffer
    if (second > this.buffer.length) this.buffer = Buffer.allocUnsafe(second * 2);
    this.buffer.write(token, 0, second, 'latin1');
    const signature = Buffer.from(token.slice(second + 1), 'base64url');
    if (!verify(null, this.buffer.subarray(0, second), publicKey, signature))
      return fail('signature', 'signature does not verify');
    let claims: TokenClaims | undefined;
    try {
      claims = asClaims(JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8')));
    } catch {
      claims = undefined;
    }
    if (claims === undefined) return fail('malformed', 'claims are not a token claims object');
    // 4. issuer and lifetime
    if (claims.iss !== this.options.issuer)
      return fail('issuer', `iss ${JSON.stringify(claims.iss)} is not ${this.options.issuer}`);
    if (nowMs >= claims.exp * 1000 + this.skewMs) return fail('expired', `expired at ${claims.exp}`);
    if (nowMs + this.skewMs < claims.nbf * 1000) return fail('not-yet-valid', `not valid before ${claims.nbf}`);
    // 5. revocation
    if (this.options.revocations.has(claims.jti)) return fail('revoked', `jti ${claims.jti} is revoked`);
    if (claims.scope_ref !== undefined) {
      const entry = this.options.scopes?.resolve(claims.scope_ref);
      if (entry === undefined) return fail('scope', `scope_ref ${claims.scope_ref} is unknown to this verifier`);
      claims = { ...claims, scope: entry.scope, aud: entry.aud };
    }
    return { ok: true, claims };
  }

  /** Verifies `token` for `request` at the clock's current time: checks 1–7. */
  verify(token: string, request: VerifyRequest): Verification {
    const result = this.authenticate(token);
    if (!result.ok) return result;
    const claims = result.claims;
    // 6. audience and scope
    if (!claims.aud.includes(request.target)) return fail('audience', `${request.target} is not in aud`);
    if (!scopeCovers(claims.scope, request.action, request.target)) {
      return fail('scope', `scope does not cover ${request.action}:${request.target}`);
    }
    // 7. binding
    if (claims.cnf !== undefined && request.presentedJkt !== claims.cnf.jkt) {
      return fail('binding', 'token is bound to another workload key');
    }
    return result;
  }
}
