/**
 * Pins two verifier rules that the rest of the suite would let slip: `nbf` (a token is not valid
 * before it, beyond the allowed skew) and whole-item scope matching (`read:db` never covers
 * `read:db2`, nor the other way round).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScopePair } from '../../src/issuer/claims.js';
import { scopeCovers, scopeItem } from '../../src/issuer/claims.js';
import { TokenEncoder } from '../../src/issuer/encode.js';
import { ACTIONS } from '../../src/domain/scenario.js';
import { ISSUER, SKEW_MS, T0_MS, makeIssuer, seededKey } from './fixture.js';
import { runs } from '../runs.js';

const pair = { target: 'queue', action: 'read' } as const;

/** A token signed by the fixture issuer's key whose `nbf` is `nbfOffsetS` seconds from now. */
function tokenWithNbf(nbfOffsetS: number): string {
  const nowS = Math.floor(T0_MS / 1000);
  const claims = {
    iss: ISSUER,
    sub: 'spiffe://estate.test/aws/a1',
    aud: ['queue'],
    scope: 'read:queue',
    iat: nowS,
    nbf: nowS + nbfOffsetS,
    exp: nowS + nbfOffsetS + 3600,
    jti: 'test.nbf',
  };
  return new TokenEncoder().encode(seededKey('k0', 1), claims);
}

describe('issuer verify: nbf', () => {
  it('should reject a token used before its nbf, beyond the skew', () => {
    const fx = makeIssuer();
    expect(fx.issuer.verifier.verify(tokenWithNbf(SKEW_MS / 1000 + 60), pair)).toMatchObject({
      ok: false,
      failure: 'not-yet-valid',
    });
  });

  it('should accept exactly when now + skew reaches nbf', () => {
    const fx = makeIssuer();
    fc.assert(
      fc.property(fc.integer({ min: -600, max: 600 }), (offsetS) => {
        const nbfMs = (Math.floor(T0_MS / 1000) + offsetS) * 1000;
        const result = fx.issuer.verifier.verify(tokenWithNbf(offsetS), pair);
        if (T0_MS + SKEW_MS < nbfMs) expect(result).toMatchObject({ ok: false, failure: 'not-yet-valid' });
        else expect(result.ok).toBe(true);
      }),
      runs(200),
    );
  });
});

// Ids from a tiny alphabet with `:` and `.`, so one id is often a prefix, suffix or infix of another.
const idArb = fc.stringMatching(/^[ab][ab:.]{0,3}$/);
const pairArb = fc.record({ target: idArb, action: fc.constantFrom(...ACTIONS) });

describe('issuer verify: whole-item scope matching', () => {
  it('should not let a token for read:db2 authorize read:db, nor read:db authorize read:db2', () => {
    const fx = makeIssuer();
    // Both targets are in aud, so only the scope check stands between the request and an allow.
    const a = fx.issuer.mint({
      subject: 's',
      pairs: [
        { target: 'db2', action: 'read' },
        { target: 'db', action: 'write' },
      ],
      ttlMs: 60_000,
    });
    expect(a.claims.scope).toBe('read:db2 write:db');
    expect(fx.issuer.verifier.verify(a.token, { target: 'db', action: 'read' })).toMatchObject({ ok: false, failure: 'scope' });
    const b = fx.issuer.mint({
      subject: 's',
      pairs: [
        { target: 'db', action: 'read' },
        { target: 'db2', action: 'write' },
      ],
      ttlMs: 60_000,
    });
    expect(fx.issuer.verifier.verify(b.token, { target: 'db2', action: 'read' })).toMatchObject({ ok: false, failure: 'scope' });
    const c = fx.issuer.mint({
      subject: 's',
      pairs: [
        { target: 'xdb', action: 'read' },
        { target: 'db', action: 'write' },
      ],
      ttlMs: 60_000,
    });
    expect(fx.issuer.verifier.verify(c.token, { target: 'db', action: 'read' })).toMatchObject({ ok: false, failure: 'scope' });
  });

  it('should cover exactly the items of the scope string', () => {
    fc.assert(
      fc.property(fc.array(pairArb, { minLength: 1, maxLength: 6 }), pairArb, (pairs: ScopePair[], asked: ScopePair) => {
        const scope = [...new Set(pairs.map((p) => scopeItem(p.action, p.target)))].join(' ');
        const expected = pairs.some((p) => p.target === asked.target && p.action === asked.action);
        expect(scopeCovers(scope, asked.action, asked.target)).toBe(expected);
      }),
      runs(1000),
    );
  });

  it('should verify a minted token for exactly its pairs', () => {
    const fx = makeIssuer();
    fc.assert(
      fc.property(fc.array(pairArb, { minLength: 1, maxLength: 6 }), pairArb, (pairs: ScopePair[], asked: ScopePair) => {
        const { token } = fx.issuer.mint({ subject: 's', pairs, ttlMs: 60_000 });
        const result = fx.issuer.verifier.verify(token, asked);
        if (pairs.some((p) => p.target === asked.target && p.action === asked.action)) expect(result.ok).toBe(true);
        else if (pairs.some((p) => p.target === asked.target)) expect(result).toMatchObject({ ok: false, failure: 'scope' });
        else expect(result).toMatchObject({ ok: false, failure: 'audience' });
      }),
      runs(300),
    );
  });
});
