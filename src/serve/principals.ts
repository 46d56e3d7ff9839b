/**
 * Who may ask the broker for tokens (rule B1 of `src/serve/broker.ts`): the scenario's agents and
 * tools, their proofs of identity, and client authentication (RFC 6749 §2.3.1).
 * - An agent with `identity: workload` holds a workload token the broker's workload issuer signs at
 *   start (`cnf.jkt` = the agent's own key); an agent with `identity: shared-secret` and every tool is
 *   an OAuth client with a random secret. The introspector client can only introspect.
 * - Every principal has an Ed25519 key for DPoP proofs (handed out on loopback with the secrets).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scenario } from '../domain/scenario.js';
import type { TokenClaims } from '../issuer/claims.js';
import { spiffeId } from '../issuer/claims.js';
import { TokenEncoder } from '../issuer/encode.js';
import type { SigningKey } from '../issuer/keys.js';
import { createSigningKey, jwkThumbprint } from '../issuer/keys.js';
import type { FormParams } from './form.js';
import { parseBasicAuth } from './form.js';
import { OAuthError } from './oauth-error.js';

/** The client that resource servers use for `/introspect`. */
export const INTROSPECTOR_CLIENT = 'introspector';
/** Lifetime of the workload tokens the broker hands out at start. */
const WORKLOAD_TOKEN_TTL_S = 24 * 3600;

/** The headers of a request that matter to the broker. */
export interface RequestAuth {
  readonly authorization?: string | undefined;
  readonly dpop?: string | undefined;
}

/** An agent or a tool of the scenario. */
export interface Principal {
  readonly id: string;
  readonly kind: 'agent' | 'tool';
  readonly environment: string;
  readonly subject: string;
  /** The principal's own key for DPoP proofs (its workload key for workload agents). */
  readonly dpopKey: SigningKey;
  /** Workload agents only: the token they exchange. */
  readonly workloadToken: string | null;
}

interface Client {
  /** The principal this client is, or null for the introspector. */
  readonly principal: string | null;
  readonly secretHash: Buffer;
  readonly secret: string;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The scenario's principals and OAuth clients. */
export class Principals {
  readonly byId = new Map<string, Principal>();
  readonly bySubject = new Map<string, string>();
  private readonly clients = new Map<string, Client>();

  /** Sets up every agent and tool of `scenario`; workload tokens are signed by `workloadKey` for `aud` = `issuer`. */
  constructor(scenario: Scenario, issuer: string, workloadIssuer: string, workloadKey: SigningKey, nowS: number) {
    const encoder = new TokenEncoder();
    for (const node of scenario.nodes) {
      if (node.kind !== 'agent' && node.kind !== 'tool') continue;
      const subject = spiffeId('blastlab.serve', node.environment, node.id);
      const dpopKey = createSigningKey(`${node.id}-dpop`);
      let workloadToken: string | null = null;
      if (node.kind === 'agent' && node.identity === 'workload') {
        // B1: the workload token, bound to the agent's own key.
        const claims: TokenClaims = {
          iss: workloadIssuer,
          sub: subject,
          aud: [issuer],
          scope: '',
          iat: nowS,
          nbf: nowS,
          exp: nowS + WORKLOAD_TOKEN_TTL_S,
          jti: `wl.${node.id}`,
          cnf: { jkt: jwkThumbprint(dpopKey.publicKey) },
        };
        workloadToken = encoder.encode(workloadKey, claims);
      } else {
        this.addClient(node.id, node.id);
      }
      this.byId.set(node.id, { id: node.id, kind: node.kind, environment: node.environment, subject, dpopKey, workloadToken });
      this.bySubject.set(subject, node.id);
    }
    this.addClient(INTROSPECTOR_CLIENT, null);
  }

  private addClient(id: string, principal: string | null): void {
    const secret = randomBytes(24).toString('base64url');
    this.clients.set(id, { principal, secret, secretHash: sha256(secret) });
  }

  /** The client secret of `id` (for the loopback credentials route). */
  secretOf(id: string): string {
    return this.clients.get(id)!.secret;
  }

  /** The principal a client stands for (null for the introspector). */
  principalOf(clientId: string): string | null {
    return this.clients.get(clientId)?.principal ?? null;
  }

  /** Whether `id` is one of the scenario's tools. */
  isTool(id: string): boolean {
    return this.byId.get(id)?.kind === 'tool';
  }

  /** The authenticated client id, null when the request carries no client credentials; throws invalid_client. */
  authenticate(params: FormParams, auth: RequestAuth): string | null {
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
}
