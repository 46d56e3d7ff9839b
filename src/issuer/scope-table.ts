/**
 * Scopes carried by reference (docs/benchmarks.md "Token format"). A token whose inline scope and
 * audience would make it longer than MAX_TOKEN_LENGTH carries instead `scope_ref`: the id of an entry
 * of the issuer's scope table, which the verifiers of that issuer share (as they share its key ring and
 * revocation list) and resolve. The id is the SHA-256 of the entry, so one scope has one id whichever
 * token or refresh registers it, and a verifier cannot be handed a different scope under a known id.
 */
import { createHash } from 'node:crypto';

/** One scope: the space-separated `action:target` items and the audience. */
export interface ScopeEntry {
  readonly scope: string;
  readonly aud: readonly string[];
}

/** Prefix of scope ids, so a reader can tell one from a scope item. */
export const SCOPE_REF_PREFIX = 'sr1.';

/** The content-addressed table of scopes an issuer minted by reference. */
export class ScopeTable {
  private readonly entries = new Map<string, ScopeEntry>();

  /** Number of scopes held. */
  get size(): number {
    return this.entries.size;
  }

  /** Registers a scope (idempotent) and returns its id. */
  register(scope: string, aud: readonly string[]): string {
    const id = scopeRefOf(scope, aud);
    if (!this.entries.has(id)) this.entries.set(id, Object.freeze({ scope, aud: Object.freeze([...aud]) }));
    return id;
  }

  /** The scope of an id, or undefined when this table never registered it. */
  resolve(id: string): ScopeEntry | undefined {
    return this.entries.get(id);
  }
}

/** The id of a scope: `sr1.` + base64url SHA-256 of its canonical JSON. */
export function scopeRefOf(scope: string, aud: readonly string[]): string {
  return (
    SCOPE_REF_PREFIX +
    createHash('sha256')
      .update(JSON.stringify([scope, aud]))
      .digest('base64url')
  );
}
