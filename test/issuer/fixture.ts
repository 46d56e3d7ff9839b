/** A seeded issuer with a hand-driven clock, shared by the issuer tests. */
import type { ScopePair } from '../../src/issuer/claims.js';
import { TokenIssuer } from '../../src/issuer/issuer.js';
import type { SigningKey } from '../../src/issuer/keys.js';
import { createSigningKey, jwkThumbprint } from '../../src/issuer/keys.js';
import { KeyRing } from '../../src/issuer/keyring.js';
import { RevocationList } from '../../src/issuer/revocation.js';

export const ISSUER = 'https://issuer.blastlab.test';
export const SKEW_MS = 30_000;
export const OVERLAP_MS = 3_600_000;
/** A start time that is not on a second boundary, so second rounding is exercised. */
export const T0_MS = 1_700_000_000_123;

/** A deterministic key from a small integer. */
export function seededKey(kid: string, n: number): SigningKey {
  return createSigningKey(kid, new Uint8Array(32).fill(n & 0xff));
}

/** An issuer, its key ring, denylist and a settable clock. */
export function makeIssuer(): {
  issuer: TokenIssuer;
  keys: KeyRing;
  revocations: RevocationList;
  clock: { nowMs: number };
} {
  const clock = { nowMs: T0_MS };
  const keys = new KeyRing(seededKey('k0', 1), { overlapMs: OVERLAP_MS });
  const revocations = new RevocationList();
  const issuer = new TokenIssuer({
    issuer: ISSUER,
    trustDomain: 'estate.test',
    keys,
    revocations,
    now: () => clock.nowMs,
    skewMs: SKEW_MS,
    jtiPrefix: 'test',
  });
  return { issuer, keys, revocations, clock };
}

/** The workload key a bound token is tied to, and its thumbprint. */
export const WORKLOAD_KEY = seededKey('workload', 99);
export const WORKLOAD_JKT = jwkThumbprint(WORKLOAD_KEY.publicKey);

/** The (target, action) universe the tests draw scopes from. */
export const TARGETS = ['prod-db', 'build-logs', 'repo', 'queue'] as const;
export const UNIVERSE: readonly ScopePair[] = TARGETS.flatMap((target) =>
  (['read', 'write', 'admin'] as const).map((action) => ({ target, action })),
);
