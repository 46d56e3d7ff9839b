/**
 * `POST /token` (rules B1–B5, B8, B9 in docs/serve-load.md "Decisions"): which principal asks, on
 * whose behalf, for which pairs; the decision; the binding; the task. Minting itself is the broker's.
 */
import type { BrokerPolicy } from '../domain/scenario.js';
import type { ScopePair, TokenClaims } from '../issuer/claims.js';
import { scopeOf } from '../issuer/claims.js';
import type { IntentIndex } from '../issuer/decision.js';
import type { TokenVerifier } from '../issuer/verify.js';
import { GRANT_CLIENT_CREDENTIALS, GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS, TOKEN_TYPE_JWT } from './credentials.js';
import type { DpopVerifier } from './dpop.js';
import type { FormParams } from './form.js';
import type { ServeIntents } from './intents.js';
import { chainKey, outOfIntent, reevaluates, requestedPairs } from './intents.js';
import { OAuthError } from './oauth-error.js';
import type { Principals, RequestAuth } from './principals.js';
import { checkTaskId } from './tasks.js';

const MAX_CACHED_SUBJECTS = 4096;

/** The claims of a served access token: the issuer's plus `client_id` (RFC 9068), `act` (RFC 8693 §4.1), `txn` (B9). */
export interface ServedClaims extends TokenClaims {
  readonly client_id: string;
  readonly act?: { readonly sub: string };
  readonly txn?: string;
}

/** A successful token response (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly issued_token_type?: string;
  readonly token_type: 'Bearer' | 'DPoP';
  readonly expires_in: number;
  readonly scope: string;
}
/** A successful token response (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly issued_token_type?: string;
  readonly token_type: 'Bearer' | 'DPoP';
  readonly expires_in: number;
  readonly scope: string;
}

/** Who a subject token stands for. */
interface SubjectInfo {
  readonly principal: string;
  readonly expMs: number;
  readonly jkt: string | undefined;
  readonly txn: string | undefined;
  /** Access tokens only: the scope items, which a re-exchange by the same principal may narrow but not widen. */
  readonly scope: ReadonlySet<string> | null;
}

/** What one mint needs. */
export interface MintRequest {
  readonly client: string;
  readonly subject: string;
  readonly pairs: readonly ScopePair[];
  readonly jkt: string | undefined;
  readonly actor: string | undefined;
  readonly txn: string | undefined;
}

/** What the token endpoint needs from its broker. */
export interface TokenContext {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly policy: BrokerPolicy;
  readonly principals: Principals;
  readonly intents: ServeIntents;
  readonly nodes: ReadonlySet<string>;
  readonly verifier: TokenVerifier;
  readonly workloadVerifier: TokenVerifier;
  readonly dpop: DpopVerifier;
  readonly now: () => number;
  readonly mint: (r: MintRequest) => TokenResponse;
}

/** The token endpoint of a broker. */
export class TokenEndpoint {
  private readonly subjects = new Map<string, SubjectInfo>();

  constructor(private readonly ctx: TokenContext) {}

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

  /** B1: the principal a subject token stands for (workload tokens cached per token string until they expire). */
  private subjectOf(token: string, type: string | undefined, what: string): SubjectInfo {
    if (type === TOKEN_TYPE_ACCESS) {
      const result = this.ctx.verifier.authenticate(token);
      if (!result.ok) throw new OAuthError('invalid_grant', `${what}: ${result.reason}`);
      const c = result.claims as ServedClaims;
      const principal = this.ctx.principals.bySubject.get(c.sub);
      if (principal === undefined) throw new OAuthError('invalid_grant', `${what}: unknown subject ${c.sub}`);
      return { principal, expMs: c.exp * 1000, jkt: c.cnf?.jkt, txn: c.txn, scope: new Set(c.scope.split(' ')) };
    }
    if (type !== TOKEN_TYPE_JWT)
      throw new OAuthError('invalid_request', `${what}_type must be ${TOKEN_TYPE_JWT} or ${TOKEN_TYPE_ACCESS}`);
    const nowMs = this.ctx.now();
    const cached = this.subjects.get(token);
    if (cached !== undefined && nowMs < cached.expMs) return cached;
    const result = this.ctx.workloadVerifier.authenticate(token);
    if (!result.ok) throw new OAuthError('invalid_grant', `${what}: ${result.reason}`);
    const claims = result.claims;
    if (!claims.aud.includes(this.ctx.issuer)) throw new OAuthError('invalid_grant', `${what}: this broker is not in aud`);
    const principal = this.ctx.principals.bySubject.get(claims.sub);
    if (principal === undefined) throw new OAuthError('invalid_grant', `${what}: unknown subject ${claims.sub}`);
    const info: SubjectInfo = {
      principal,
      expMs: claims.exp * 1000 + this.ctx.workloadVerifier.skewMs,
      jkt: claims.cnf?.jkt,
      txn: undefined,
      scope: null,
    };
    if (this.subjects.size >= MAX_CACHED_SUBJECTS) this.subjects.clear();
    this.subjects.set(token, info);
    return info;
  }

  private exchange(params: FormParams, auth: RequestAuth): TokenResponse {
    const p = params.single;
    const subjectToken = p.get('subject_token');
    if (subjectToken === undefined) throw new OAuthError('invalid_request', 'subject_token is required');
    const requested = p.get('requested_token_type');
    if (requested !== undefined && requested !== TOKEN_TYPE_ACCESS && requested !== TOKEN_TYPE_JWT) {
      throw new OAuthError('invalid_request', `requested_token_type must be ${TOKEN_TYPE_ACCESS}`);
    }
    const subject = this.subjectOf(subjectToken, p.get('subject_token_type'), 'subject_token');
    const actorToken = p.get('actor_token');
    let actor: string | undefined;
    if (actorToken !== undefined) {
      if (p.get('actor_token_type') !== TOKEN_TYPE_JWT)
        throw new OAuthError('invalid_request', `actor_token_type must be ${TOKEN_TYPE_JWT}`);
      actor = this.ctx.principals.byId.get(this.subjectOf(actorToken, TOKEN_TYPE_JWT, 'actor_token').principal)!.subject;
    } else if (p.has('actor_token_type')) {
      throw new OAuthError('invalid_request', 'actor_token_type without actor_token');
    }
    const client = this.ctx.principals.authenticate(params, auth);
    if (client !== null && this.ctx.principals.isTool(client) && client !== subject.principal) {
      return { ...this.toolRequest(client, params, auth, subject), issued_token_type: TOKEN_TYPE_ACCESS };
    }
    if (client !== null && client !== subject.principal)
      throw new OAuthError('unauthorized_client', `client ${client} may not exchange ${subject.principal}'s token`);
    const pairs = this.decide(subject.principal, subject.principal, params);
    const wider =
      subject.scope === null
        ? undefined
        : scopeOf(pairs)
            .scope.split(' ')
            .find((i) => !subject.scope!.has(i));
    if (wider !== undefined) throw new OAuthError('invalid_scope', `${wider} is not in the subject token's scope`);
    this.reevaluate(subject, this.ctx.intents.declared, subject.principal, pairs);
    const response = this.ctx.mint({
      client: subject.principal,
      subject: this.ctx.principals.byId.get(subject.principal)!.subject,
      pairs,
      jkt: this.binding(auth, subject.jkt),
      actor,
      txn: this.taskOf(params, subject.txn),
    });
    return { ...response, issued_token_type: TOKEN_TYPE_ACCESS };
  }

  private clientCredentials(params: FormParams, auth: RequestAuth): TokenResponse {
    const client = this.ctx.principals.authenticate(params, auth);
    if (client === null)
      throw new OAuthError('invalid_client', 'client_credentials requires client authentication (Basic or client_secret)');
    const principal = this.ctx.principals.principalOf(client);
    if (principal === null) throw new OAuthError('unauthorized_client', `client ${client} may not use client_credentials`);
    if (this.ctx.principals.isTool(principal)) return this.toolRequest(principal, params, auth, null);
    return this.ctx.mint({
      client: principal,
      subject: this.ctx.principals.byId.get(principal)!.subject,
      pairs: this.decide(principal, principal, params),
      jkt: this.binding(auth, undefined),
      actor: undefined,
      txn: this.taskOf(params, undefined),
    });
  }

  /** B8: a tool's request, with its caller's token (`caller`) or without. */
  private toolRequest(tool: string, params: FormParams, auth: RequestAuth, caller: SubjectInfo | null): TokenResponse {
    const toolSubject = this.ctx.principals.byId.get(tool)!.subject;
    if (this.ctx.policy.broker.callChain === 'none') {
      // The broker sees only the tool: its own declared work, its own token; the caller's task is not kept.
      const pairs = this.decide(tool, tool, params);
      this.reevaluate(caller, this.ctx.intents.declared, tool, pairs);
      const txn = this.taskOf(params, undefined);
      return this.ctx.mint({
        client: tool,
        subject: toolSubject,
        pairs,
        jkt: this.binding(auth, undefined),
        actor: undefined,
        txn,
      });
    }
    if (caller === null || this.ctx.principals.isTool(caller.principal))
      throw new OAuthError(
        'unauthorized_client',
        `policy ${this.ctx.policy.name} propagates call-chain context: ${tool} must exchange its calling agent's token`,
      );
    const agent = caller.principal;
    // C1: under scope: role nothing checks intent, so the tool's grants decide; else the agent's steps through the tool.
    const pairs =
      this.ctx.policy.broker.scope === 'role'
        ? this.decide(tool, tool, params)
        : requestedPairs({
            who: chainKey(agent, tool),
            name: `${tool} acting for ${agent}`,
            index: this.ctx.intents.chains,
            params,
            nodes: this.ctx.nodes,
            policy: this.ctx.policy,
            nowMs: this.ctx.now(),
          });
    this.reevaluate(caller, this.ctx.intents.chains, chainKey(agent, tool), pairs);
    return this.ctx.mint({
      client: tool,
      subject: this.ctx.principals.byId.get(agent)!.subject,
      pairs,
      jkt: this.binding(auth, undefined),
      actor: toolSubject,
      txn: this.taskOf(params, caller.txn),
    });
  }

  /**
   * B7 at an exchange: presenting an access token is a use of it, so when the policy re-evaluates,
   * the re-checked pairs asked for must lie in the declared intent of `who` (whatever the scope).
   */
  private reevaluate(subject: SubjectInfo | null, index: IntentIndex, who: string, pairs: readonly ScopePair[]): void {
    if (subject === null || subject.scope === null) return;
    const recheck = pairs.filter((p) => reevaluates(this.ctx.policy, p.action));
    if (recheck.length === 0) return;
    const reason = outOfIntent(index, who, recheck, this.ctx.now());
    if (reason !== null) throw new OAuthError('invalid_scope', `denied on re-evaluation: ${reason}`);
  }

  /** B2 + B3 for a principal deciding on its own allowance. */
  private decide(who: string, name: string, params: FormParams): ScopePair[] {
    return requestedPairs({
      who,
      name,
      index: this.ctx.intents.allowed,
      params,
      nodes: this.ctx.nodes,
      policy: this.ctx.policy,
      nowMs: this.ctx.now(),
    });
  }

  /** B9: the task a token is minted for: the `task` parameter or the subject token's, not two different ones. */
  private taskOf(params: FormParams, inherited: string | undefined): string | undefined {
    const task = params.single.get('task');
    if (task === undefined) return inherited;
    checkTaskId(task);
    if (inherited !== undefined && inherited !== task)
      throw new OAuthError('invalid_request', `the subject token belongs to task ${inherited}, not ${task}`);
    return task;
  }

  /** B5: the thumbprint to bind to, or undefined; throws when the policy needs a proof and none is valid. */
  private binding(auth: RequestAuth, subjectJkt: string | undefined): string | undefined {
    if (auth.dpop === undefined) {
      if (this.ctx.policy.broker.bindToWorkload)
        throw new OAuthError(
          'invalid_dpop_proof',
          `policy ${this.ctx.policy.name} binds tokens to the workload: send a DPoP proof`,
        );
      return undefined;
    }
    const { jkt } = this.ctx.dpop.verify(auth.dpop, 'POST', this.ctx.tokenUrl, this.ctx.now());
    if (subjectJkt !== undefined && jkt !== subjectJkt)
      throw new OAuthError('invalid_grant', "the subject token is bound to another key than the DPoP proof's");
    return jkt;
  }
}
