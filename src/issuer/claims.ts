/**
 * The token's claims and the small helpers that build them: SPIFFE-style subjects and the
 * space-separated `action:target` scope string (RFC 8693 §4.2 style), the form verifiers check.
 */
import type { Action } from '../domain/scenario.js';

/**
 * The longest compact token accepted, on both sides: the verifier refuses longer tokens unread. An
 * issuer with a scope table carries a scope that would make a token longer by reference instead
 * (issuer/scope-table.ts); `--real-tokens` refuses before running a scenario whose token would still be
 * longer (workload/real-tokens.ts `oversizedRoleScopes`).
 */
export const MAX_TOKEN_LENGTH = 16_384;

/** One (target, action) pair a token may be used for. */
export interface ScopePair {
  readonly target: string;
  readonly action: Action;
}

/** The claims of a minted token (times in seconds since the epoch of the injected clock). */
export interface TokenClaims {
  readonly iss: string;
  /** The workload identity: `spiffe://<trust-domain>/<environment>/<agent>`. */
  readonly sub: string;
  /** Target ids the token may be presented to (distinct, in request order). */
  readonly aud: readonly string[];
  /** Space-separated `action:target` items. */
  readonly scope: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  /** Present when the token is bound to a workload key: RFC 7638 thumbprint of that key. */
  readonly cnf?: { readonly jkt: string };
  /**
   * A scope carried by reference (issuer/scope-table.ts): the id of the issuer's scope-table entry that
   * holds `scope` and `aud`, which are then empty in the token. Verifiers return the claims resolved.
   */
  readonly scope_ref?: string;
}

// SPIFFE path segments allow letters, digits, '.', '-', '_' (SPIFFE-ID §2.2); anything else is %-encoded.
function spiffeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The SPIFFE-style workload identity of an agent. */
export function spiffeId(trustDomain: string, environment: string, agent: string): string {
  return `spiffe://${trustDomain}/${spiffeSegment(environment)}/${spiffeSegment(agent)}`;
}

/** One scope item: `write:prod-db`. Ids never contain spaces, so items split on ' ' unambiguously. */
export function scopeItem(action: Action, target: string): string {
  return `${action}:${target}`;
}

/** The scope string and audience of a list of pairs (duplicates dropped, order kept). */
export function scopeOf(pairs: readonly ScopePair[]): { scope: string; aud: string[] } {
  const items: string[] = [];
  const aud: string[] = [];
  for (const { target, action } of pairs) {
    const item = scopeItem(action, target);
    if (!items.includes(item)) items.push(item);
    if (!aud.includes(target)) aud.push(target);
  }
  return { scope: items.join(' '), aud };
}

/** Whether a scope string lists `action:target` exactly. */
export function scopeCovers(scope: string, action: Action, target: string): boolean {
  const item = scopeItem(action, target);
  let from = 0;
  for (;;) {
    const at = scope.indexOf(item, from);
    if (at < 0) return false;
    const end = at + item.length;
    if ((at === 0 || scope.charCodeAt(at - 1) === 32) && (end === scope.length || scope.charCodeAt(end) === 32)) return true;
    from = at + 1;
  }
}
