/**
 * The token broker behind `blastlab serve`: the scenario's policy applied to OAuth requests.
 *
 * Rules (one copy each, cited in the code):
 * B1 identity: a `workload` agent proves itself with its workload token (a JWT the broker's workload
 *    issuer signed at start, `iss` = `<issuer>/workload`, `aud` = the broker), exchanged by RFC 8693
 *    token exchange; a `shared-secret` agent authenticates with its client secret (RFC 6749 §4.4).
 * B2 scope: a request names `action:target` items (`scope`) and/or targets (`audience`, `resource`);
 *    without `scope`, the token covers every allowed pair on the named targets (or all of them).
 *    Unknown targets → `invalid_target`; malformed items → `invalid_scope`.
 * B3 decision: every pair must lie within what the policy lets the agent have — its declared intent
 *    (its workload steps) under `scope: task|step`, what its credentials grant under `scope: role` —
 *    and `scope: step` allows one pair per token. A denial → `invalid_scope` with the reason.
 * B4 lifetime: `exp` = `iat` + the policy's `ttl` (whole seconds, rounded up).
 * B5 binding: under `bindToWorkload` a DPoP proof (RFC 9449) is required and the token carries
 *    `cnf.jkt`; a workload token bound to a key can only be exchanged with a proof by that key. A proof
 *    sent without the policy asking for one still binds the token.
 * B6 revocation: `/revoke` puts a token's `jti` on the denylist until it would have expired anyway
 *    (journalled first when a journal is open); `/introspect` reports it inactive from then on.
 * The clock is injected (`now`), so the broker is testable without waiting.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { actionBit, maskActions } from '../domain/actions.js';
import type { Action, Policy, Scenario } from '../domain/scenario.js';
import { ACTIONS } from '../domain/scenario.js';
import type { ScopePair, TokenClaims } from '../issuer/claims.js';
import { scopeOf, spiffeId } from '../issuer/claims.js';
import type { DecisionPolicy, IntentIndex } from '../issuer/decision.js';
import { buildIntentIndex, decide } from '../issuer/decision.js';
import { TokenEncoder } from '../issuer/encode.js';
import { KeyRing } from '../issuer/keyring.js';
import type { SigningKey } from '../issuer/keys.js';
import { createSigningKey, jwkThumbprint } from '../issuer/keys.js';
import { RevocationList } from '../issuer/revocation.js';
import { DEFAULT_SKEW_MS, TokenVerifier } from '../issuer/verify.js';
import { DpopVerifier } from './dpop.js';
import type { FormParams } from './form.js';
import { parseBasicAuth } from './form.js';
import type { Journal, JournalEntry } from './journal.js';
import { OAuthError } from './oauth-error.js';

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPE_ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
/** The client that resource servers use for `/introspect`. */
export const INTROSPECTOR_CLIENT = 'introspector';
/** Lifetime of the workload tokens the broker hands out at start. */
const WORKLOAD_TOKEN_TTL_S = 24 * 3600;
const MAX_CACHED_SUBJECTS = 4096;
const RESOURCE_PREFIX = 'urn:blastlab:';

/** The claims of a served access token: the issuer's claims plus `client_id` (RFC 9068) and `act` (RFC 8693 §4.1). */
export interface ServedClaims extends TokenClaims {
  readonly client_id: string;
  readonly act?: { readonly sub: string };
}

/** A successful token response (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly issued_token_type?: string;
  readonly token_type: 'Bearer' | 'DPoP';
  readonly expires_in: number;
  readonly scope: string;
}

/** The headers of a request that matter to the broker. */
export interface RequestAuth {
  readonly authorization?: string | undefined;
  readonly dpop?: string | undefined;
}

/** How a broker is set up. */
export interface BrokerOptions {
  readonly scenario: Scenario;
  readonly policy: Policy;
  /** The `iss` of access tokens and the base of every endpoint URL, e.g. `http://127.0.0.1:8080`. */
  readonly issuer: string;
  readonly now: () => number;
  /** The access-token signing key (default: a fresh one). */
  readonly signingKey?: SigningKey;
  /** Revocations replayed from a journal. */
  readonly revoked?: readonly JournalEntry[];
  readonly journal?: Journal;
}

interface Client {
  /** The agent this client is, or null for the introspector. */
  readonly agent: string | null;
  readonly secretHash: Buffer;
  readonly secret: string;
}

interface AgentInfo {
  readonly id: string;
  readonly environment: string;
  readonly identity: 'workload' | 'shared-secret';
  readonly subject: string;
  /** The agent's own key for DPoP proofs (its workload key for workload agents). */
  readonly dpopKey: SigningKey;
  /** Workload agents only: the token they exchange. */
  readonly workloadToken: string | null;
}

interface SubjectInfo {
  readonly agent: string;
  readonly expMs: number;
  readonly jkt: string | undefined;
}

/** What `/.well-known/blastlab-credentials` serves on loopback: how to ask for tokens, per agent. */
export interface DemoCredentials {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly policy: string;
  readonly dpop_required: boolean;
  readonly introspection: { readonly client_id: string; readonly client_secret: string };
  readonly agents: readonly {
    readonly agent: string;
    readonly grant: 'client_credentials' | 'token_exchange';
    readonly scope: string;
    readonly client_id?: string;
    readonly client_secret?: string;
    readonly subject_token?: string;
    readonly subject_token_type?: string;
    /** Private JWK (Ed25519) to sign DPoP proofs with. */
    readonly dpop_jwk: Record<string, unknown>;
  }[];
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Pairs a scenario's `scope: role` lets each agent have: the grants of the credentials it holds. */
function grantIndex(scenario: Scenario): IntentIndex {
  const grants = new Map<string, Map<string, number>>();
  for (const e of scenario.edges) {
    if (e.kind !== 'grants') continue;
    let g = grants.get(e.from);
    if (g === undefined) grants.set(e.from, (g = new Map<string, number>()));
    let bits = 0;
    for (const a of e.actions) bits |= actionBit(a);
    g.set(e.to, (g.get(e.to) ?? 0) | bits);
  }
  const intents = new Map<string, Map<string, number>>();
  for (const e of scenario.edges) {
    if (e.kind !== 'holds') continue;
    const g = grants.get(e.to);
    if (g === undefined) continue;
    let i = intents.get(e.from);
    if (i === undefined) intents.set(e.from, (i = new Map<string, number>()));
    for (const [target, bits] of g) i.set(target, (i.get(target) ?? 0) | bits);
  }
  return { intents, sensitivityRank: buildIntentIndex(scenario).sensitivityRank };
}

/** The broker: decisions, minting, revocation, introspection. */
export class Broker {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly policy: Policy;
  readonly dpop = new DpopVerifier();
  readonly verifier: TokenVerifier;
  private readonly options: BrokerOptions;
  private readonly keys: KeyRing;
  private readonly revocations = new RevocationList();
  private readonly encoder = new TokenEncoder();
  private readonly workloadIssuer: string;
  private readonly workloadVerifier: TokenVerifier;
  private readonly agents = new Map<string, AgentInfo>();
  private readonly bySubject = new Map<string, string>();
  private readonly clients = new Map<string, Client>();
  private readonly nodes: ReadonlySet<string>;
  private readonly allowed: IntentIndex;
  private readonly decisionPolicy: DecisionPolicy = { maxSensitivity: 'regulated', window: null, requireReason: false };
  private readonly subjects = new Map<string, SubjectInfo>();
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
    this.workloadIssuer = `${options.issuer}/workload`;
    this.ttlS = Math.max(1, Math.ceil(options.policy.ttlMs / 1000));
    const signingKey = options.signingKey ?? createSigningKey(`bl-${randomBytes(6).toString('base64url')}`);
    this.keys = new KeyRing(signingKey, { overlapMs: 0 });
    this.verifier = new TokenVerifier({ issuer: this.issuer, keys: this.keys, revocations: this.revocations, now: options.now });
    const workloadKeys = new KeyRing(createSigningKey('workload-1'), { overlapMs: 0 });
    this.workloadVerifier = new TokenVerifier({
      issuer: this.workloadIssuer,
      keys: workloadKeys,
      revocations: new RevocationList(),
      now: options.now,
    });
    const scenario = options.scenario;
    this.nodes = new Set(scenario.nodes.map((n) => n.id));
    // B3: which index decides depends on the policy's scope.
    this.allowed = options.policy.scope === 'role' ? grantIndex(scenario) : buildIntentIndex(scenario);
    const nowS = Math.floor(options.now() / 1000);
    const workloadEncoder = new TokenEncoder();
    for (const node of scenario.nodes) {
      if (node.kind !== 'agent') continue;
      const subject = spiffeId('blastlab.serve', node.environment, node.id);
      const dpopKey = createSigningKey(`${node.id}-dpop`);
      let workloadToken: string | null = null;
      if (node.identity === 'workload') {
        // B1: the workload token, bound to the agent's own key.
        const claims: TokenClaims = {
          iss: this.workloadIssuer,
          sub: subject,
          aud: [this.issuer],
          scope: '',
          iat: nowS,
          nbf: nowS,
          exp: nowS + WORKLOAD_TOKEN_TTL_S,
          jti: `wl.${node.id}`,
          cnf: { jkt: jwkThumbprint(dpopKey.publicKey) },
        };
        workloadToken = workloadEncoder.encode(workloadKeys.current, claims);
      } else {
        const secret = randomBytes(24).toString('base64url');
        this.clients.set(node.id, { agent: node.id, secret, secretHash: sha256(secret) });
      }
      this.agents.set(node.id, {
        id: node.id,
        environment: node.environment,
        identity: node.identity,
        subject,
        dpopKey,
        workloadToken,
      });
      this.bySubject.set(subject, node.id);
    }
    const introspectorSecret = randomBytes(24).toString('base64url');
    this.clients.set(INTROSPECTOR_CLIENT, { agent: null, secret: introspectorSecret, secretHash: sha256(introspectorSecret) });
    const now = options.now();
    for (const entry of options.revoked ?? []) this.revocations.revoke(entry.jti, entry.untilMs, now);
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
      cpu_user_us: cpu.user,
      cpu_system_us: cpu.system,
    };
  }

  /** Per agent, what a client needs to ask for tokens (served on loopback only). */
  demoCredentials(): DemoCredentials {
    const introspector = this.clients.get(INTROSPECTOR_CLIENT)!;
    const agents = [...this.agents.values()].map((a) => {
      const pairs = this.allowedPairs(a.id, null);
      const scope = scopeOf(pairs).scope;
      const dpop_jwk = a.dpopKey.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
      if (a.workloadToken !== null) {
        return {
          agent: a.id,
          grant: 'token_exchange' as const,
          scope,
          subject_token: a.workloadToken,
          subject_token_type: TOKEN_TYPE_JWT,
          dpop_jwk,
        };
      }
      const client = this.clients.get(a.id)!;
      return {
        agent: a.id,
        grant: 'client_credentials' as const,
        scope,
        client_id: a.id,
        client_secret: client.secret,
        dpop_jwk,
      };
    });
    return {
      issuer: this.issuer,
      token_endpoint: this.tokenUrl,
      policy: this.policy.name,
      dpop_required: this.policy.bindToWorkload,
      introspection: { client_id: INTROSPECTOR_CLIENT, client_secret: introspector.secret },
      agents,
    };
  }

  /** `POST /token`. Throws OAuthError. */
  token(params: FormParams, auth: RequestAuth): TokenResponse {
    const grant = params.single.get('grant_type');
    if (grant === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grant === GRANT_TOKEN_EXCHANGE) return this.exchange(params, auth);
    if (grant === GRANT_CLIENT_CREDENTIALS) return this.clientCredentials(params, auth);
    throw new OAuthError(
      'unsupported_grant_type',
      `grant_type ${JSON.stringify(grant)} is not supported (token exchange or client_credentials)`,
    );
  }

  /** `POST /revoke` (RFC 7009): resolves once the revocation is durable; unknown tokens are a no-op. */
  async revoke(params: FormParams, auth: RequestAuth): Promise<void> {
    const client = this.authenticateClient(params, auth);
    const token = params.single.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    const result = this.verifier.authenticate(token);
    if (!result.ok) return;
    const claims = result.claims as ServedClaims;
    // RFC 7009 §2.1: an authenticated client may only revoke its own tokens; a holder without client
    // credentials (a public client) may revoke the token it presents.
    if (client !== null && client !== claims.client_id)
      throw new OAuthError('unauthorized_client', 'the token was not issued to this client');
    const untilMs = claims.exp * 1000 + this.verifier.skewMs;
    if (this.options.journal !== undefined) await this.options.journal.append({ jti: claims.jti, untilMs });
    if (this.revocations.has(claims.jti)) return;
    this.revocations.revoke(claims.jti, untilMs, this.options.now());
    const n = this.liveByExp.get(claims.exp);
    if (n !== undefined && n > 0) this.liveByExp.set(claims.exp, n - 1);
  }

  /** `POST /introspect` (RFC 7662): requires an authenticated client. */
  introspect(params: FormParams, auth: RequestAuth): Record<string, unknown> {
    const client = this.authenticateClient(params, auth);
    if (client === null) throw new OAuthError('invalid_client', 'introspection requires client authentication');
    const token = params.single.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    const result = this.verifier.authenticate(token);
    if (!result.ok) return { active: false };
    const c = result.claims as ServedClaims;
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
    };
  }

  /** The authenticated client id, null when the request carries no client credentials; throws invalid_client. */
  private authenticateClient(params: FormParams, auth: RequestAuth): string | null {
    let clientId: string;
    let secret: string;
    const bodySecret = params.single.get('client_secret');
    if (auth.authorization !== undefined) {
      if (bodySecret !== undefined)
        throw new OAuthError('invalid_request', 'use one client authentication method, not Basic and client_secret both');
      ({ clientId, secret } = parseBasicAuth(auth.authorization));
    } else if (bodySecret !== undefined) {
      const id = params.single.get('client_id');
      if (id === undefined) throw new OAuthError('invalid_request', 'client_secret needs client_id');
      clientId = id;
      secret = bodySecret;
    } else {
      return null;
    }
    const client = this.clients.get(clientId);
    // Hash both sides so the comparison takes the same time whatever the secret's length.
    if (client === undefined || !timingSafeEqual(client.secretHash, sha256(secret))) {
      throw new OAuthError('invalid_client', 'client authentication failed');
    }
    return clientId;
  }

  /** B1: the agent a workload token stands for (cached per token string until it expires). */
  private workloadSubject(token: string, what: string): SubjectInfo {
    const nowMs = this.options.now();
    const cached = this.subjects.get(token);
    if (cached !== undefined && nowMs < cached.expMs) return cached;
    const result = this.workloadVerifier.authenticate(token);
    if (!result.ok) throw new OAuthError('invalid_grant', `${what}: ${result.reason}`);
    const claims = result.claims;
    if (!claims.aud.includes(this.issuer)) throw new OAuthError('invalid_grant', `${what}: this broker is not in aud`);
    const agent = this.bySubject.get(claims.sub);
    if (agent === undefined) throw new OAuthError('invalid_grant', `${what}: unknown subject ${claims.sub}`);
    const info: SubjectInfo = { agent, expMs: claims.exp * 1000 + this.workloadVerifier.skewMs, jkt: claims.cnf?.jkt };
    if (this.subjects.size >= MAX_CACHED_SUBJECTS) this.subjects.clear();
    this.subjects.set(token, info);
    return info;
  }

  private exchange(params: FormParams, auth: RequestAuth): TokenResponse {
    const p = params.single;
    const subjectToken = p.get('subject_token');
    if (subjectToken === undefined) throw new OAuthError('invalid_request', 'subject_token is required');
    if (p.get('subject_token_type') !== TOKEN_TYPE_JWT)
      throw new OAuthError('invalid_request', `subject_token_type must be ${TOKEN_TYPE_JWT}`);
    const requested = p.get('requested_token_type');
    if (requested !== undefined && requested !== TOKEN_TYPE_ACCESS && requested !== TOKEN_TYPE_JWT) {
      throw new OAuthError('invalid_request', `requested_token_type must be ${TOKEN_TYPE_ACCESS}`);
    }
    const subject = this.workloadSubject(subjectToken, 'subject_token');
    const actorToken = p.get('actor_token');
    let actor: string | undefined;
    if (actorToken !== undefined) {
      if (p.get('actor_token_type') !== TOKEN_TYPE_JWT)
        throw new OAuthError('invalid_request', `actor_token_type must be ${TOKEN_TYPE_JWT}`);
      actor = this.agents.get(this.workloadSubject(actorToken, 'actor_token').agent)!.subject;
    } else if (p.has('actor_token_type')) {
      throw new OAuthError('invalid_request', 'actor_token_type without actor_token');
    }
    const client = this.authenticateClient(params, auth);
    if (client !== null && client !== subject.agent)
      throw new OAuthError('unauthorized_client', `client ${client} may not exchange ${subject.agent}'s token`);
    const pairs = this.requestedPairs(subject.agent, params);
    const jkt = this.binding(auth, subject.jkt);
    const response = this.mint(subject.agent, pairs, jkt, actor);
    return { ...response, issued_token_type: TOKEN_TYPE_ACCESS };
  }

  private clientCredentials(params: FormParams, auth: RequestAuth): TokenResponse {
    const client = this.authenticateClient(params, auth);
    if (client === null)
      throw new OAuthError('invalid_client', 'client_credentials requires client authentication (Basic or client_secret)');
    const agent = this.clients.get(client)!.agent;
    if (agent === null) throw new OAuthError('unauthorized_client', `client ${client} may not use client_credentials`);
    const pairs = this.requestedPairs(agent, params);
    return this.mint(agent, pairs, this.binding(auth, undefined), undefined);
  }

  /** B5: the thumbprint to bind to, or undefined; throws when the policy needs a proof and none is valid. */
  private binding(auth: RequestAuth, subjectJkt: string | undefined): string | undefined {
    if (auth.dpop === undefined) {
      if (this.policy.bindToWorkload)
        throw new OAuthError('invalid_dpop_proof', `policy ${this.policy.name} binds tokens to the workload: send a DPoP proof`);
      return undefined;
    }
    const { jkt } = this.dpop.verify(auth.dpop, 'POST', this.tokenUrl, this.options.now());
    if (subjectJkt !== undefined && jkt !== subjectJkt)
      throw new OAuthError('invalid_grant', "the subject token is bound to another key than the DPoP proof's");
    return jkt;
  }

  /** Every allowed pair of `agent`, optionally only on `targets`, in ACTIONS order per target. */
  private allowedPairs(agent: string, targets: ReadonlySet<string> | null): ScopePair[] {
    const pairs: ScopePair[] = [];
    for (const [target, bits] of this.allowed.intents.get(agent) ?? []) {
      if (targets !== null && !targets.has(target)) continue;
      for (const action of maskActions(bits)) pairs.push({ target, action });
    }
    return pairs;
  }

  /** B2 + B3: the pairs a request asks for, decided against the policy. */
  private requestedPairs(agent: string, params: FormParams): ScopePair[] {
    const audiences = new Set<string>(params.multi.get('audience') ?? []);
    for (const resource of params.multi.get('resource') ?? []) {
      if (!resource.startsWith(RESOURCE_PREFIX))
        throw new OAuthError('invalid_target', `resource ${JSON.stringify(resource)} is not urn:blastlab:<target>`);
      audiences.add(resource.slice(RESOURCE_PREFIX.length));
    }
    for (const target of audiences) {
      if (!this.nodes.has(target)) throw new OAuthError('invalid_target', `unknown audience ${JSON.stringify(target)}`);
    }
    const scope = params.single.get('scope');
    let pairs: ScopePair[];
    if (scope === undefined) {
      pairs = this.allowedPairs(agent, audiences.size === 0 ? null : audiences);
      if (pairs.length === 0)
        throw new OAuthError(
          'invalid_scope',
          `${agent} has nothing the policy allows${audiences.size === 0 ? '' : ' on the requested audience'}`,
        );
    } else {
      pairs = [];
      for (const item of scope.split(' ')) {
        if (item === '') continue;
        const colon = item.indexOf(':');
        const action = item.slice(0, colon) as Action;
        const target = item.slice(colon + 1);
        if (colon < 0 || !ACTIONS.includes(action) || target === '')
          throw new OAuthError('invalid_scope', `scope item ${JSON.stringify(item)} is not action:target (read, write or admin)`);
        if (!this.nodes.has(target)) throw new OAuthError('invalid_scope', `scope item ${JSON.stringify(item)}: unknown target`);
        pairs.push({ target, action });
      }
      if (pairs.length === 0) throw new OAuthError('invalid_scope', 'scope is empty');
      for (const target of audiences) {
        if (!pairs.some((p) => p.target === target))
          throw new OAuthError('invalid_target', `audience ${JSON.stringify(target)} is not covered by the requested scope`);
      }
    }
    if (this.policy.scope === 'step' && scopeOf(pairs).scope.includes(' ')) {
      throw new OAuthError('invalid_scope', `policy ${this.policy.name} has scope: step: ask for one action:target per token`);
    }
    const decision = decide({ agent, pairs, reason: '', atMs: this.options.now() }, this.allowed, this.decisionPolicy);
    if (!decision.allow) throw new OAuthError('invalid_scope', `denied: ${decision.reason}`);
    return pairs;
  }

  /** B4: mints a token for `agent`. */
  private mint(agent: string, pairs: readonly ScopePair[], jkt: string | undefined, actor: string | undefined): TokenResponse {
    const { scope, aud } = scopeOf(pairs);
    const iat = Math.floor(this.options.now() / 1000);
    const exp = iat + this.ttlS;
    this.counter++;
    const info = this.agents.get(agent)!;
    const base = {
      iss: this.issuer,
      sub: info.subject,
      aud,
      scope,
      iat,
      nbf: iat,
      exp,
      jti: `${this.jtiPrefix}.${this.counter.toString(36)}`,
      client_id: agent,
    };
    let claims: ServedClaims = jkt === undefined ? base : { ...base, cnf: { jkt } };
    if (actor !== undefined) claims = { ...claims, act: { sub: actor } };
    const token = this.encoder.encode(this.keys.current, claims);
    this.tokensIssued++;
    this.liveByExp.set(exp, (this.liveByExp.get(exp) ?? 0) + 1);
    return { access_token: token, token_type: jkt === undefined ? 'Bearer' : 'DPoP', expires_in: this.ttlS, scope };
  }
}

/** The skew the broker's verifiers allow (re-exported for tests). */
export const BROKER_SKEW_MS = DEFAULT_SKEW_MS;
