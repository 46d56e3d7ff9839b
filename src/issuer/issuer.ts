/**
 * The token broker: decides a request against the agent's declared intent and the policy's context
 * rules, then mints a short-lived Ed25519 token; refreshes live tokens and revokes them on completion,
 * failure or timeout. The clock is injected (`now(): number`, ms), never read from the environment.
 */
import { randomBytes } from 'node:crypto';
import type { ScopePair, TokenClaims } from './claims.js';
import { MAX_TOKEN_LENGTH, scopeOf, spiffeId } from './claims.js';
import type { ScopeTable } from './scope-table.js';
import type { AccessRequest, Decision, DecisionPolicy, IntentIndex } from './decision.js';
import { decide } from './decision.js';
import { TokenEncoder } from './encode.js';
import type { KeyRing } from './keyring.js';
import type { RevocationList } from './revocation.js';
import type { Verification } from './verify.js';
import { DEFAULT_SKEW_MS, TokenVerifier } from './verify.js';

/** How an issuer is set up. */
export interface IssuerOptions {
  /** The `iss` claim. */
  readonly issuer: string;
  /** SPIFFE trust domain of the subjects, e.g. `estate.example`. */
  readonly trustDomain: string;
  readonly keys: KeyRing;
  readonly revocations: RevocationList;
  /** Injected clock (ms). */
  readonly now: () => number;
  /** Clock skew the verifiers allow (default 30 s): revocations are kept until `exp` + skew. */
  readonly skewMs?: number;
  /** Prefix of `jti` values (default: 8 random bytes), so ids from different issuers never collide. */
  readonly jtiPrefix?: string;
  /**
   * Scopes carried by reference: a token that would be longer than MAX_TOKEN_LENGTH with its scope
   * inline carries `scope_ref` into this table instead (shared with the verifiers). Without it such a
   * token is minted inline and every verifier refuses it.
   */
  readonly scopes?: ScopeTable;
}

/** A mint without a policy decision: subject, scope, lifetime and optional binding. */
export interface MintRequest {
  readonly subject: string;
  readonly pairs: readonly ScopePair[];
  readonly ttlMs: number;
  /** RFC 7638 thumbprint of the workload key to bind the token to (`cnf.jkt`). */
  readonly bindTo?: string | undefined;
}

/** A token request from a workload: decided, then minted. */
export interface TokenRequest {
  readonly agent: string;
  readonly environment: string;
  readonly pairs: readonly ScopePair[];
  readonly reason: string;
  readonly ttlMs: number;
  readonly bindTo?: string | undefined;
}

/** A minted token and its claims. */
export interface MintedToken {
  readonly token: string;
  readonly claims: TokenClaims;
}

/** The outcome of a token request. */
export type IssueResult =
  { readonly ok: true; readonly minted: MintedToken } | { readonly ok: false; readonly decision: Decision & { allow: false } };

/** Mints, refreshes and revokes tokens. */
export class TokenIssuer {
  readonly verifier: TokenVerifier;
  private readonly options: IssuerOptions;
  private readonly encoder = new TokenEncoder();
  private readonly jtiPrefix: string;
  private readonly skewMs: number;
  private counter = 0;

  constructor(options: IssuerOptions) {
    this.options = options;
    this.skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
    this.jtiPrefix = options.jtiPrefix ?? randomBytes(8).toString('base64url');
    this.verifier = new TokenVerifier({
      issuer: options.issuer,
      keys: options.keys,
      revocations: options.revocations,
      now: options.now,
      skewMs: this.skewMs,
      ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    });
  }

  /** The SPIFFE-style subject of an agent in this issuer's trust domain. */
  subjectOf(agent: string, environment: string): string {
    return spiffeId(this.options.trustDomain, environment, agent);
  }

  /** Mints a token now, without a policy decision (the decision is `issue`'s job). */
  mint(request: MintRequest): MintedToken {
    const { scope, aud } = scopeOf(request.pairs);
    return this.mintScoped(request.subject, aud, scope, Math.ceil(request.ttlMs / 1000), request.bindTo);
  }

  private mintScoped(sub: string, aud: readonly string[], scope: string, ttlS: number, bindTo: string | undefined): MintedToken {
    if (!(ttlS > 0)) throw new RangeError(`TokenIssuer.mint: ttl must be > 0 (got ${ttlS}s)`);
    const iat = Math.floor(this.options.now() / 1000);
    this.counter++;
    const jti = `${this.jtiPrefix}.${this.counter.toString(36)}`;
    const base = { iss: this.options.issuer, sub, aud, scope, iat, nbf: iat, exp: iat + ttlS, jti };
    const claims: TokenClaims = bindTo === undefined ? base : { ...base, cnf: { jkt: bindTo } };
    const token = this.encoder.encode(this.options.keys.current, claims);
    const table = this.options.scopes;
    if (token.length <= MAX_TOKEN_LENGTH || table === undefined) return { token, claims };
    const byReference: TokenClaims = { ...claims, aud: [], scope: '', scope_ref: table.register(scope, aud) };
    return { token: this.encoder.encode(this.options.keys.current, byReference), claims: byReference };
  }

  /** Decides `request` against the agent's intent and the policy's context; mints on allow. */
  issue(request: TokenRequest, intents: IntentIndex, policy: DecisionPolicy): IssueResult {
    const access: AccessRequest = {
      agent: request.agent,
      pairs: request.pairs,
      reason: request.reason,
      atMs: this.options.now(),
    };
    const decision = decide(access, intents, policy);
    if (!decision.allow) return { ok: false, decision };
    const minted = this.mint({
      subject: this.subjectOf(request.agent, request.environment),
      pairs: request.pairs,
      ttlMs: request.ttlMs,
      bindTo: request.bindTo,
    });
    return { ok: true, minted };
  }

  /**
   * Exchanges a live token for a fresh one with the same subject, scope, lifetime and binding (a
   * bound token only by the holder of its key), and revokes the old one.
   */
  refresh(token: string, presentedJkt?: string): { ok: true; minted: MintedToken } | Extract<Verification, { ok: false }> {
    const current = this.verifier.authenticate(token);
    if (!current.ok) return current;
    const old = current.claims;
    if (old.cnf !== undefined && presentedJkt !== old.cnf.jkt) {
      return { ok: false, failure: 'binding', reason: 'token is bound to another workload key' };
    }
    const minted = this.mintScoped(old.sub, old.aud, old.scope, old.exp - old.iat, old.cnf?.jkt);
    this.revokeClaims(old);
    return { ok: true, minted };
  }

  /** Revokes a token by its claims (kept on the denylist until it would have expired anyway). */
  revokeClaims(claims: TokenClaims): void {
    this.options.revocations.revoke(claims.jti, claims.exp * 1000 + this.skewMs, this.options.now());
  }
}
