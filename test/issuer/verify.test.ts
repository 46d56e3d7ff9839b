import { calculateJwkThumbprint, exportJWK, jwtVerify } from 'jose';
import { sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScopePair } from '../../src/issuer/claims.js';
import { TokenEncoder, decodeClaimsUnverified, encodeHeader } from '../../src/issuer/encode.js';
import { jwkThumbprint } from '../../src/issuer/keys.js';
import { ISSUER, SKEW_MS, UNIVERSE, WORKLOAD_JKT, makeIssuer, seededKey } from './fixture.js';
import { runs } from '../runs.js';

const pairsArb = fc.uniqueArray(fc.constantFrom(...UNIVERSE), {
  minLength: 1,
  maxLength: 5,
  selector: (p) => `${p.action}:${p.target}`,
});

function mintFor(pairs: readonly ScopePair[], bound = false) {
  const fx = makeIssuer();
  const minted = fx.issuer.mint({
    subject: 'spiffe://estate.test/aws/a1',
    pairs,
    ttlMs: 900_000,
    bindTo: bound ? WORKLOAD_JKT : undefined,
  });
  return { ...fx, ...minted };
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('issuer verify', () => {
  it('should accept a fresh token for every pair in its scope', () => {
    fc.assert(
      fc.property(pairsArb, (pairs) => {
        const { issuer, token } = mintFor(pairs);
        for (const pair of pairs) expect(issuer.verifier.verify(token, pair)).toMatchObject({ ok: true });
      }),
      runs(50),
    );
  });

  it('should never verify a token with any byte changed', () => {
    const { issuer, token, claims } = mintFor([{ target: 'prod-db', action: 'write' }]);
    const pair = { target: 'prod-db', action: 'write' } as const;
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.integer({ min: 0, max: 0xffff }), (at, code) => {
        fc.pre(code !== token.charCodeAt(at));
        const tampered = token.slice(0, at) + String.fromCharCode(code) + token.slice(at + 1);
        expect(issuer.verifier.verify(tampered, pair).ok).toBe(false);
      }),
      runs(2000),
    );
    // The signature's last character carries 4 unused bits: its aliases must not verify either.
    const last = token.at(-1)!;
    for (const alias of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (alias === last) continue;
      expect(issuer.verifier.verify(token.slice(0, -1) + alias, pair).ok).toBe(false);
    }
    expect(claims.jti).toBe('test.1');
  });

  it('should never verify a token with any claim changed', () => {
    const { issuer, token, claims } = mintFor([{ target: 'prod-db', action: 'read' }], true);
    const keys = Object.keys(claims) as (keyof typeof claims)[];
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()), fc.constant({ jkt: 'x' })),
        (key, value) => {
          fc.pre(JSON.stringify(claims[key]) !== JSON.stringify(value));
          const [header, , signature] = token.split('.');
          const forged = `${header}.${b64({ ...claims, [key]: value })}.${signature}`;
          expect(issuer.verifier.verify(forged, { target: 'prod-db', action: 'read', presentedJkt: WORKLOAD_JKT })).toMatchObject(
            { ok: false, failure: 'signature' },
          );
        },
      ),
      runs(300),
    );
  });

  it('should never verify a token re-signed with another key under the same kid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 255 }), pairsArb, (n, pairs) => {
        const { issuer, claims } = mintFor(pairs);
        const forged = new TokenEncoder().encode(seededKey('k0', n), claims);
        expect(issuer.verifier.verify(forged, pairs[0]!)).toMatchObject({ ok: false, failure: 'signature' });
      }),
      runs(50),
    );
  });

  it('should reject alg none, other algorithms and unknown kids', () => {
    const { issuer, token, claims } = mintFor([{ target: 'repo', action: 'read' }]);
    const pair = { target: 'repo', action: 'read' } as const;
    const [, payload, signature] = token.split('.');
    const none = `${b64({ alg: 'none', typ: 'JWT', kid: 'k0' })}.${payload}.`;
    expect(issuer.verifier.verify(none, pair)).toMatchObject({ ok: false, failure: 'malformed' });
    const hs = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k0' })}.${payload}.${signature}`;
    expect(issuer.verifier.verify(hs, pair)).toMatchObject({ ok: false, failure: 'alg' });
    const noneSigned = `${b64({ alg: 'none', kid: 'k0' })}.${payload}.${signature}`;
    expect(issuer.verifier.verify(noneSigned, pair)).toMatchObject({ ok: false, failure: 'alg' });
    const stranger = new TokenEncoder().encode(seededKey('k-unknown', 1), claims);
    expect(issuer.verifier.verify(stranger, pair)).toMatchObject({ ok: false, failure: 'unknown-kid' });
    expect(encodeHeader('k0')).toBe(token.split('.')[0]);
  });

  it('should never verify an expired token, within the skew and not beyond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 10_000_000 }), (ttlS, extraMs) => {
        const fx = makeIssuer();
        const { token, claims } = fx.issuer.mint({
          subject: 's',
          pairs: [{ target: 'queue', action: 'write' }],
          ttlMs: ttlS * 1000,
        });
        fx.clock.nowMs = claims.exp * 1000 + SKEW_MS + extraMs;
        expect(fx.issuer.verifier.verify(token, { target: 'queue', action: 'write' })).toMatchObject({
          ok: false,
          failure: 'expired',
        });
        fx.clock.nowMs = claims.exp * 1000 + SKEW_MS - 1;
        expect(fx.issuer.verifier.verify(token, { target: 'queue', action: 'write' }).ok).toBe(true);
      }),
      runs(50),
    );
  });

  it('should never verify a revoked token, and forget it once it has expired', () => {
    const fx = makeIssuer();
    const { token, claims } = fx.issuer.mint({ subject: 's', pairs: [{ target: 'queue', action: 'read' }], ttlMs: 60_000 });
    fx.issuer.revokeClaims(claims);
    expect(fx.issuer.verifier.verify(token, { target: 'queue', action: 'read' })).toMatchObject({
      ok: false,
      failure: 'revoked',
    });
    expect(fx.revocations.size).toBe(1);
    fx.clock.nowMs = claims.exp * 1000 + SKEW_MS;
    expect(fx.issuer.verifier.verify(token, { target: 'queue', action: 'read' })).toMatchObject({
      ok: false,
      failure: 'expired',
    });
    expect(fx.revocations.size).toBe(0);
  });

  it('should never let a token scoped to A authorize B', () => {
    fc.assert(
      fc.property(pairsArb, fc.constantFrom(...UNIVERSE), (pairs, other) => {
        fc.pre(!pairs.some((p) => p.target === other.target && p.action === other.action));
        const { issuer, token } = mintFor(pairs);
        const result = issuer.verifier.verify(token, other);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['audience', 'scope']).toContain(result.failure);
      }),
      runs(200),
    );
  });

  it('should never verify a bound token without its binding', () => {
    fc.assert(
      fc.property(pairsArb, fc.option(fc.integer({ min: 100, max: 255 }), { nil: undefined }), (pairs, other) => {
        const { issuer, token } = mintFor(pairs, true);
        const presentedJkt = other === undefined ? undefined : jwkThumbprint(seededKey('x', other).publicKey);
        expect(issuer.verifier.verify(token, { ...pairs[0]!, presentedJkt })).toMatchObject({ ok: false, failure: 'binding' });
        expect(issuer.verifier.verify(token, { ...pairs[0]!, presentedJkt: WORKLOAD_JKT }).ok).toBe(true);
      }),
      runs(30),
    );
  });

  it('should keep verifying a rotated-out key until the overlap ends', () => {
    const fx = makeIssuer();
    const pair = { target: 'repo', action: 'write' } as const;
    const before = fx.issuer.mint({ subject: 's', pairs: [pair], ttlMs: 86_400_000 });
    fx.keys.rotate(seededKey('k1', 2), fx.clock.nowMs);
    const after = fx.issuer.mint({ subject: 's', pairs: [pair], ttlMs: 86_400_000 });
    expect(after.token.split('.')[0]).toBe(encodeHeader('k1'));
    fx.clock.nowMs += fx.keys.overlapMs;
    expect(fx.issuer.verifier.verify(before.token, pair).ok).toBe(true);
    fx.clock.nowMs += 1;
    expect(fx.issuer.verifier.verify(before.token, pair)).toMatchObject({ ok: false, failure: 'unknown-kid' });
    expect(fx.issuer.verifier.verify(after.token, pair).ok).toBe(true);
  });

  it('should mint tokens that jose (an independent JOSE implementation) accepts', async () => {
    const key = seededKey('k0', 1);
    await fc.assert(
      fc.asyncProperty(pairsArb, fc.boolean(), async (pairs, bound) => {
        const { token, claims, clock } = mintFor(pairs, bound);
        const { payload, protectedHeader } = await jwtVerify(token, key.publicKey, {
          algorithms: ['EdDSA'],
          issuer: ISSUER,
          audience: pairs[0]!.target,
          currentDate: new Date(clock.nowMs),
          clockTolerance: SKEW_MS / 1000,
        });
        expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'k0' });
        expect(payload).toEqual(claims);
        expect(decodeClaimsUnverified(token)).toEqual(claims);
      }),
      runs(30),
    );
  });

  it('should compute the same RFC 7638 thumbprint as jose', async () => {
    const key = seededKey('w', 42);
    expect(jwkThumbprint(key.publicKey)).toBe(await calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256'));
  });

  it('should sign exactly what a raw Ed25519 signature over the signing input gives', () => {
    const { token } = mintFor([{ target: 'repo', action: 'read' }]);
    const cut = token.lastIndexOf('.');
    const raw = sign(null, Buffer.from(token.slice(0, cut)), seededKey('k0', 1).privateKey).toString('base64url');
    expect(token.slice(cut + 1)).toBe(raw);
  });
});
