/**
 * The token broker behind `blastlab serve`: the scenario's policy applied to OAuth requests. Its rules,
 * B1–B9 (identity, scope, decision, lifetime, binding, revocation, reevaluate, call chain, revokeOn),
 * are stated once in docs/serve-load.md "Decisions" and cited in the code. This module holds the state
 * (keys, revocations, tasks, counters), mints (B4), revokes (B6, B9) and introspects (B7); the token
 * endpoint's decisions are in `token-endpoint.ts`. The clock is injected (`now`), so the broker is
 * testable without waiting.
 */
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { BrokerPolicy, RevokeTrigger, Scenario } from '../domain/scenario.js';
import type { ScopePair } from '../issuer/claims.js';
import { scopeOf } from '../issuer/claims.js';
import { TokenEncoder } from '../issuer/encode.js';
import { KeyRing } from '../issuer/keyring.js';
import type { SigningKey } from '../issuer/keys.js';
import { createSigningKey } from '../issuer/keys.js';
import { RevocationList } from '../issuer/revocation.js';
import { DEFAULT_SKEW_MS, TokenVerifier } from '../issuer/verify.js';
import type { DemoCredentials } from './credentials.js';
import {
  GRANT_CLIENT_CREDENTIALS,
  GRANT_TOKEN_EXCHANGE,
  TOKEN_TYPE_ACCESS,
  TOKEN_TYPE_JWT,
  demoCredentials,
} from './credentials.js';
import { DpopVerifier } from './dpop.js';
import type { FormParams } from './form.js';
import type { ServeIntents } from './intents.js';
import { buildServeIntents, chainKey, outOfIntent, parseScopeItem, reevaluates } from './intents.js';
import type { Journal, JournalEntry } from './journal.js';
import { OAuthError } from './oauth-error.js';
import type { RequestAuth } from './principals.js';
import { Principals } from './principals.js';
import { TaskRegistry, checkOutcome, type TaskToken } from './tasks.js';
import type { MintRequest, ServedClaims, TokenResponse } from './token-endpoint.js';
import { TokenEndpoint } from './token-endpoint.js';

export { GRANT_CLIENT_CREDENTIALS, GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS, TOKEN_TYPE_JWT };
export type { DemoCredentials, RequestAuth };
export { INTROSPECTOR_CLIENT } from './principals.js';
export type { ServedClaims, TokenResponse } from './token-endpoint.js';

/** Verified tokens remembered for introspection (the map is cleared when full). */
const MAX_VERIFIED_TOKENS = 16_384;

/** What `/task/end` answers. */
export interface TaskEndResponse {
  readonly task: string;
  readonly outcome: RevokeTrigger;
  /** Tokens revoked now (0 when `revokeOn` does not list the outcome). */
  readonly revoked: number;
}

/** How a broker is set up. */
export interface BrokerOptions {
  readonly scenario: Scenario;
  readonly policy: BrokerPolicy;
  /** The `iss` of access tokens and the base of every endpoint URL, e.g. `http://127.0.0.1:8080`. */
  readonly issuer: string;
  readonly now: () => number;
  /** The access-token signing key (default: a fresh one). */
  readonly signingKey?: SigningKey;
  /** Revocations replayed from a journal. */
  readonly revoked?: readonly JournalEntry[];
  readonly journal?: Journal;
}

/** The broker: decisions, minting, revocation, introspection, tasks. */
export class Broker {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly policy: BrokerPolicy;
  readonly dpop = new DpopVerifier();
  readonly verifier: TokenVerifier;
  private readonly options: BrokerOptions;
  private readonly keys: KeyRing;
  private readonly revocations = new RevocationList();
  private readonly encoder = new TokenEncoder();
  private readonly workloadVerifier: TokenVerifier;
  private readonly principals: Principals;
  private readonly nodes: ReadonlySet<string>;
  private readonly intents: ServeIntents;
  private readonly endpoint: TokenEndpoint;
  /** Token string → its claims, once verified (see activeClaims). */
  private readonly verified = new Map<string, ServedClaims>();
  private readonly tasks = new TaskRegistry();
  private readonly jtiPrefix = randomBytes(6).toString('base64url');
  private readonly ttlS: number;
  private counter = 0;
  /** Tokens minted since start. */
  tokensIssued = 0;
  /** exp (s) → tokens minted with it and not revoked. */
  private readonly liveByExp = new Map<number, number>();

  constructor(options: BrokerOptions) {
    this.options = options;
    this.policy = options.policy;
    this.issuer = options.issuer;
    this.tokenUrl = `${options.issuer}/token`;
    this.ttlS = Math.max(1, Math.ceil(options.policy.broker.ttlMs / 1000));
    const signingKey = options.signingKey ?? createSigningKey(`bl-${randomBytes(6).toString('base64url')}`);
    this.keys = new KeyRing(signingKey, { overlapMs: 0 });
    this.verifier = new TokenVerifier({ issuer: this.issuer, keys: this.keys, revocations: this.revocations, now: options.now });
    const workloadIssuer = `${options.issuer}/workload`;
    const workloadKey = createSigningKey('workload-1');
    this.workloadVerifier = new TokenVerifier({
      issuer: workloadIssuer,
      keys: new KeyRing(workloadKey, { overlapMs: 0 }),
      revocations: new RevocationList(),
      now: options.now,
    });
    const scenario = options.scenario;
    this.nodes = new Set(scenario.nodes.map((n) => n.id));
    this.intents = buildServeIntents(scenario, options.policy);
    const nowMs = options.now();
    this.principals = new Principals(scenario, this.issuer, workloadIssuer, workloadKey, Math.floor(nowMs / 1000));
    for (const entry of options.revoked ?? []) this.revocations.revoke(entry.jti, entry.untilMs, nowMs);
    this.endpoint = new TokenEndpoint({
      issuer: this.issuer,
      tokenUrl: this.tokenUrl,
      policy: this.policy,
      principals: this.principals,
      intents: this.intents,
      nodes: this.nodes,
      verifier: this.verifier,
      workloadVerifier: this.workloadVerifier,
      dpop: this.dpop,
      now: options.now,
      mint: (r) => this.mint(r),
    });
  }

  /** The public keys that verify access tokens (RFC 7517 JWK set). */
  jwks(): { keys: Record<string, unknown>[] } {
    const nowMs = this.options.now();
    const keys = this.keys.activeKids(nowMs).map((kid) => {
      const jwk = (this.keys.verificationKey(kid, nowMs) as KeyObject).export({ format: 'jwk' });
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA', use: 'sig' };
    });
    return { keys };
  }

  /** RFC 8414 authorization server metadata. */
  metadata(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      token_endpoint: this.tokenUrl,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${this.issuer}/revoke`,
      introspection_endpoint: `${this.issuer}/introspect`,
      blastlab_task_end_endpoint: `${this.issuer}/task/end`,
      grant_types_supported: [GRANT_TOKEN_EXCHANGE, GRANT_CLIENT_CREDENTIALS],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      dpop_signing_alg_values_supported: ['EdDSA', 'ES256'],
      scopes_supported: [],
    };
  }

  /** Counters for `/healthz` (and the load harness's CPU-per-token figure). */
  health(): Record<string, unknown> {
    const nowS = Math.floor(this.options.now() / 1000);
    let live = 0;
    for (const [exp, n] of this.liveByExp) {
      if (exp <= nowS) this.liveByExp.delete(exp);
      else live += n;
    }
    const cpu = process.cpuUsage();
    return {
      status: 'ok',
      server: 'blastlab-serve',
      scenario: this.options.scenario.name,
      policy: this.policy.name,
      tokens_issued: this.tokensIssued,
      live_tokens: live,
      revoked: this.revocations.size,
      open_tasks: this.tasks.size,
      cpu_user_us: cpu.user,
      cpu_system_us: cpu.system,
    };
  }

  /** Per agent and tool, what a client needs to ask for tokens (served on loopback only). */
  demoCredentials(): DemoCredentials {
    return demoCredentials(this.principals, this.intents, this.policy, this.issuer, this.tokenUrl);
  }

  /** `POST /token`. Throws OAuthError. */
  token(params: FormParams, auth: RequestAuth): TokenResponse {
    return this.endpoint.token(params, auth);
  }

  /** `POST /revoke` (RFC 7009): resolves once the revocation is durable; unknown tokens are a no-op. */
  async revoke(params: FormParams, auth: RequestAuth): Promise<void> {
    const client = this.principals.authenticate(params, auth);
    const claims = this.activeClaims(params);
    if (claims === null) return;
    // RFC 7009 §2.1: an authenticated client may only revoke its own tokens; a holder without client
    // credentials (a public client) may revoke the token it presents.
    if (client !== null && client !== claims.client_id)
      throw new OAuthError('unauthorized_client', 'the token was not issued to this client');
    await this.revokeTokens([{ jti: claims.jti, exp: claims.exp }]);
  }

  /** `POST /task/end` (B9): the holder of one of the task's tokens reports how it ended. */
  async endTask(params: FormParams, auth: RequestAuth): Promise<TaskEndResponse> {
    const client = this.principals.authenticate(params, auth);
    const outcome = checkOutcome(params.single.get('outcome'));
    const claims = this.activeClaims(params);
    if (claims === null) throw new OAuthError('invalid_grant', 'token is not active (expired, revoked or not ours)');
    if (client !== null && client !== claims.client_id)
      throw new OAuthError('unauthorized_client', 'the token was not issued to this client');
    if (claims.txn === undefined) throw new OAuthError('invalid_request', 'the token names no task (ask for it with task=…)');
    const ended = this.tasks.end(claims.sub, claims.txn, Math.floor(this.options.now() / 1000));
    const revoked = this.policy.broker.revokeOn[outcome] ? await this.revokeTokens(ended) : 0;
    return { task: claims.txn, outcome, revoked };
  }

  /** `POST /introspect` (RFC 7662, B7): requires an authenticated client. */
  introspect(params: FormParams, auth: RequestAuth): Record<string, unknown> {
    const client = this.principals.authenticate(params, auth);
    if (client === null) throw new OAuthError('invalid_client', 'introspection requires client authentication');
    const c = this.activeClaims(params);
    if (c === null) return { active: false };
    const use = params.single.get('scope');
    const denied = use === undefined ? null : this.deniedUse(c, use);
    if (denied !== null) return { active: false, denied };
    return {
      active: true,
      scope: c.scope,
      client_id: c.client_id,
      token_type: c.cnf === undefined ? 'Bearer' : 'DPoP',
      exp: c.exp,
      iat: c.iat,
      nbf: c.nbf,
      sub: c.sub,
      aud: c.aud,
      iss: c.iss,
      jti: c.jti,
      ...(c.cnf === undefined ? {} : { cnf: c.cnf }),
      ...(c.act === undefined ? {} : { act: c.act }),
      ...(c.txn === undefined ? {} : { txn: c.txn }),
    };
  }

  /**
   * The claims of the request's `token` when it is one of ours and active, else null. A token whose
   * signature and issuer were checked once is remembered (B7 makes `/introspect` a call per use): later
   * calls re-check only its lifetime and revocation, as the verifier would. Serve never rotates its key.
   */
  private activeClaims(params: FormParams): ServedClaims | null {
    const token = params.single.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    const known = this.verified.get(token);
    if (known !== undefined) {
      const nowMs = this.options.now();
      this.revocations.prune(nowMs); // as the verifier does: the denylist stays bounded

      const skew = this.verifier.skewMs;
      const live = nowMs < known.exp * 1000 + skew && nowMs + skew >= known.nbf * 1000;
      return live && !this.revocations.has(known.jti) ? known : null;
    }
    const result = this.verifier.authenticate(token);
    if (!result.ok) return null;
    if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
    this.verified.set(token, result.claims as ServedClaims);
    return result.claims as ServedClaims;
  }

  /** Revokes `tokens` (B6): journalled first, then denylisted; returns how many were newly revoked. */
  private async revokeTokens(tokens: readonly TaskToken[]): Promise<number> {
    const fresh = tokens.filter((t) => !this.revocations.has(t.jti));
    const entries = fresh.map((t) => ({ jti: t.jti, untilMs: t.exp * 1000 + this.verifier.skewMs }));
    const journal = this.options.journal;
    if (journal !== undefined) await Promise.all(entries.map((e) => journal.append(e)));
    const nowMs = this.options.now();
    let revoked = 0;
    for (const [i, e] of entries.entries()) {
      if (this.revocations.has(e.jti)) continue;
      this.revocations.revoke(e.jti, e.untilMs, nowMs);
      revoked++;
      const exp = fresh[i]!.exp;
      const n = this.liveByExp.get(exp);
      if (n !== undefined && n > 0) this.liveByExp.set(exp, n - 1);
    }
    return revoked;
  }

  /** B7: why the use `scope` of a token is refused now, or null when it is allowed. */
  private deniedUse(c: ServedClaims, scope: string): string | null {
    const items = new Set(c.scope.split(' '));
    const recheck: ScopePair[] = [];
    for (const item of scope.split(' ')) {
      if (item === '') continue;
      const pair = parseScopeItem(item, this.nodes, 'invalid_request');
      if (!items.has(item)) return `the token's scope does not cover ${item}`;
      if (reevaluates(this.policy, pair.action)) recheck.push(pair);
    }
    if (recheck.length === 0) return null;
    const subject = this.principals.bySubject.get(c.sub);
    const chained = subject !== undefined && subject !== c.client_id && this.principals.isTool(c.client_id);
    return chained
      ? outOfIntent(this.intents.chains, chainKey(subject, c.client_id), recheck, this.options.now())
      : outOfIntent(this.intents.declared, c.client_id, recheck, this.options.now());
  }

  /** B4: mints a token. */
  private mint(r: MintRequest): TokenResponse {
    const { scope, aud } = scopeOf(r.pairs);
    const iat = Math.floor(this.options.now() / 1000);
    const exp = iat + this.ttlS;
    this.counter++;
    const jti = `${this.jtiPrefix}.${this.counter.toString(36)}`;
    const base = { iss: this.issuer, sub: r.subject, aud, scope, iat, nbf: iat, exp, jti, client_id: r.client };
    let claims: ServedClaims = r.jkt === undefined ? base : { ...base, cnf: { jkt: r.jkt } };
    if (r.actor !== undefined) claims = { ...claims, act: { sub: r.actor } };
    if (r.txn !== undefined) {
      claims = { ...claims, txn: r.txn };
      this.tasks.add(r.subject, r.txn, { jti, exp }, iat);
    }
    const token = this.encoder.encode(this.keys.current, claims);
    this.tokensIssued++;
    this.liveByExp.set(exp, (this.liveByExp.get(exp) ?? 0) + 1);
    return { access_token: token, token_type: r.jkt === undefined ? 'Bearer' : 'DPoP', expires_in: this.ttlS, scope };
  }
}

/** The skew the broker's verifiers allow (re-exported for tests). */
export const BROKER_SKEW_MS = DEFAULT_SKEW_MS;
