/**
 * What `/.well-known/blastlab-credentials` serves on loopback (and `serve --credentials-out` writes):
 * per agent and per tool, how to ask the broker for tokens.
 */
import type { BrokerPolicy, BrokerSettings } from '../domain/scenario.js';
import { scopeOf } from '../issuer/claims.js';
import { pairsOf, type ServeIntents } from './intents.js';
import { INTROSPECTOR_CLIENT, type Principal, type Principals } from './principals.js';

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPE_ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

/** How one agent asks for tokens. */
export interface DemoAgent {
  readonly agent: string;
  readonly grant: 'client_credentials' | 'token_exchange';
  readonly scope: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly subject_token?: string;
  readonly subject_token_type?: string;
  /** Private JWK (Ed25519) to sign DPoP proofs with. */
  readonly dpop_jwk: Record<string, unknown>;
}

/** How one tool asks for tokens: client credentials for its own work, or token exchange of its caller's token (B8). */
export interface DemoTool {
  readonly tool: string;
  readonly client_id: string;
  readonly client_secret: string;
  /** Its own allowance (what `callChain: none` lets it have). */
  readonly scope: string;
  readonly dpop_jwk: Record<string, unknown>;
}

/** The whole document. */
export interface DemoCredentials {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly policy: string;
  readonly dpop_required: boolean;
  readonly call_chain: BrokerSettings['callChain'];
  readonly introspection: { readonly client_id: string; readonly client_secret: string };
  readonly agents: readonly DemoAgent[];
  readonly tools: readonly DemoTool[];
}

function privateJwk(p: Principal): Record<string, unknown> {
  return p.dpopKey.privateKey.export({ format: 'jwk' });
}

/** The credentials document of a broker. */
export function demoCredentials(
  principals: Principals,
  intents: ServeIntents,
  policy: BrokerPolicy,
  issuer: string,
  tokenUrl: string,
): DemoCredentials {
  const agents: DemoAgent[] = [];
  const tools: DemoTool[] = [];
  for (const p of principals.byId.values()) {
    const scope = scopeOf(pairsOf(intents.allowed, p.id, null)).scope;
    const dpop_jwk = privateJwk(p);
    if (p.kind === 'tool') {
      tools.push({ tool: p.id, client_id: p.id, client_secret: principals.secretOf(p.id), scope, dpop_jwk });
    } else if (p.workloadToken !== null) {
      agents.push({
        agent: p.id,
        grant: 'token_exchange',
        scope,
        subject_token: p.workloadToken,
        subject_token_type: TOKEN_TYPE_JWT,
        dpop_jwk,
      });
    } else {
      agents.push({
        agent: p.id,
        grant: 'client_credentials',
        scope,
        client_id: p.id,
        client_secret: principals.secretOf(p.id),
        dpop_jwk,
      });
    }
  }
  return {
    issuer,
    token_endpoint: tokenUrl,
    policy: policy.name,
    dpop_required: policy.broker.bindToWorkload,
    call_chain: policy.broker.callChain,
    introspection: { client_id: INTROSPECTOR_CLIENT, client_secret: principals.secretOf(INTROSPECTOR_CLIENT) },
    agents,
    tools,
  };
}
