/**
 * Issuance cases: `mint token` beside `raw ed25519 sign` over a signing input of the same size,
 * `verify token` (signature, expiry, scope, revocation, binding) beside `raw ed25519 verify`, and
 * `policy decision` beside the same raw signature (the decision should cost ≤ 2% of it).
 */
import { sign, verify } from 'node:crypto';
import type { ScopePair } from '../../issuer/claims.js';
import type { AccessRequest, DecisionPolicy, IntentIndex } from '../../issuer/decision.js';
import { decide } from '../../issuer/decision.js';
import type { MintRequest } from '../../issuer/issuer.js';
import { TokenIssuer } from '../../issuer/issuer.js';
import { createSigningKey, jwkThumbprint } from '../../issuer/keys.js';
import { KeyRing } from '../../issuer/keyring.js';
import { RevocationList } from '../../issuer/revocation.js';
import type { BenchGroup } from '../types.js';

/** Fixed bench clock (ms): the benchmark measures cost, not time. */
export const BENCH_NOW_MS = 1_700_000_000_000;
/** Deterministic key material for benchmarks (seed bytes, not a secret). */
export const BENCH_KEY_SEED = new Uint8Array(32).fill(42);
const WORKLOAD_SEED = new Uint8Array(32).fill(7);
const DECISIONS_PER_CALL = 256;

/** A typical task-scoped request: three steps on two targets, bound to the workload key. */
export function benchMintRequest(issuer: TokenIssuer, jkt: string): MintRequest {
  const pairs: ScopePair[] = [
    { target: 'res-000123', action: 'read' },
    { target: 'res-000123', action: 'write' },
    { target: 'res-004567', action: 'read' },
  ];
  return { subject: issuer.subjectOf('agent-000042', 'aws'), pairs, ttlMs: 900_000, bindTo: jkt };
}

/** A ready issuer on the fixed clock. */
export function benchIssuer(): { issuer: TokenIssuer; jkt: string; revocations: RevocationList } {
  const keys = new KeyRing(createSigningKey('bench-1', BENCH_KEY_SEED), { overlapMs: 3_600_000 });
  const revocations = new RevocationList();
  const issuer = new TokenIssuer({
    issuer: 'https://issuer.blastlab.bench',
    trustDomain: 'estate.example',
    keys,
    revocations,
    now: () => BENCH_NOW_MS,
    jtiPrefix: 'bench',
  });
  return { issuer, jkt: jwkThumbprint(createSigningKey('workload', WORKLOAD_SEED).publicKey), revocations };
}

/** The issuer group: raw sign, mint, raw verify, verify, policy decision. */
export function issuerGroup(): BenchGroup {
  const { issuer, jkt, revocations } = benchIssuer();
  const request = benchMintRequest(issuer, jkt);
  const sample = issuer.mint(request);
  // The raw baselines sign and verify a signing input of exactly the token's size.
  const cut = sample.token.lastIndexOf('.');
  const signingInput = Buffer.from(sample.token.slice(0, cut), 'latin1');
  const key = createSigningKey('raw', BENCH_KEY_SEED);
  const signature = sign(null, signingInput, key.privateKey);
  // A realistic denylist: a few hundred revoked, still-live tokens.
  for (let i = 0; i < 300; i++) revocations.revoke(`revoked-${i}`, BENCH_NOW_MS + 600_000, BENCH_NOW_MS);
  const verifyRequest = { target: 'res-004567', action: 'read', presentedJkt: jkt } as const;
  if (!issuer.verifier.verify(sample.token, verifyRequest).ok) throw new Error('bench: the sample token does not verify');

  const intents: IntentIndex = {
    intents: new Map([
      [
        'agent-000042',
        new Map([
          ['res-000123', 3],
          ['res-004567', 1],
          ['res-000999', 2],
        ]),
      ],
    ]),
    sensitivityRank: new Map([
      ['res-000123', 3],
      ['res-004567', 1],
      ['res-000999', 2],
    ]),
  };
  const policy: DecisionPolicy = { maxSensitivity: 'regulated', window: { fromMs: 0, toMs: 86_400_000 }, requireReason: true };
  const access: AccessRequest = {
    agent: 'agent-000042',
    pairs: request.pairs,
    reason: 'task agent-000042#0',
    atMs: BENCH_NOW_MS,
  };
  if (!decide(access, intents, policy).allow) throw new Error('bench: the sample request is denied');

  return {
    cases: [
      { id: 'raw ed25519 sign', name: 'raw ed25519 sign', opsPerCall: 1, fn: () => sign(null, signingInput, key.privateKey) },
      { id: 'mint token', name: 'mint token', opsPerCall: 1, fn: () => issuer.mint(request) },
      {
        id: 'raw ed25519 verify',
        name: 'raw ed25519 verify',
        opsPerCall: 1,
        fn: () => verify(null, signingInput, key.publicKey, signature),
      },
      { id: 'verify token', name: 'verify token', opsPerCall: 1, fn: () => issuer.verifier.verify(sample.token, verifyRequest) },
      {
        id: 'policy decision',
        name: 'policy decision',

        opsPerCall: DECISIONS_PER_CALL,
        // Batched: one decision is far below the timer's resolution.
        fn: () => {
          let allowed = 0;
          for (let i = 0; i < DECISIONS_PER_CALL; i++) if (decide(access, intents, policy).allow) allowed++;
          return allowed;
        },
      },
    ],
  };
}
