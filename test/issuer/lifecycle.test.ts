import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MintedToken } from '../../src/issuer/issuer.js';
import type { ScopePair } from '../../src/issuer/claims.js';
import type { VerifyFailure } from '../../src/issuer/verify.js';
import { OVERLAP_MS, SKEW_MS, T0_MS, UNIVERSE, WORKLOAD_JKT, makeIssuer, seededKey } from './fixture.js';
import { runs } from '../runs.js';

/** The model: what each token is, and the rules of SPEC/DESIGN for when it verifies. */
interface ModelToken {
  readonly pairs: readonly ScopePair[];
  readonly iatS: number;
  readonly expS: number;
  readonly kid: string;
  readonly bound: boolean;
  revoked: boolean;
}
interface Model {
  nowMs: number;
  tokens: ModelToken[];
  currentKid: string;
  /** kid → last ms at which it verifies. */
  keyUntilMs: Map<string, number>;
  nextKey: number;
}
type Real = ReturnType<typeof makeIssuer> & { minted: MintedToken[] };

function liveFailure(m: Model, t: ModelToken): VerifyFailure | null {
  if (m.nowMs > (m.keyUntilMs.get(t.kid) ?? -Infinity)) return 'unknown-kid';
  if (m.nowMs >= t.expS * 1000 + SKEW_MS) return 'expired';
  if (t.revoked) return 'revoked';
  return null;
}

function expectedVerify(m: Model, t: ModelToken, pair: ScopePair, present: boolean): VerifyFailure | null {
  const live = liveFailure(m, t);
  if (live !== null) return live;
  if (!t.pairs.some((p) => p.target === pair.target)) return 'audience';
  if (!t.pairs.some((p) => p.target === pair.target && p.action === pair.action)) return 'scope';
  if (t.bound && !present) return 'binding';
  return null;
}

function deniedCount(m: Model): number {
  return m.tokens.filter((t) => t.revoked && m.nowMs < t.expS * 1000 + SKEW_MS).length;
}

function addToken(m: Model, pairs: readonly ScopePair[], ttlS: number, bound: boolean): void {
  const iatS = Math.floor(m.nowMs / 1000);
  m.tokens.push({ pairs, iatS, expS: iatS + ttlS, kid: m.currentKid, bound, revoked: false });
}

class IssueCommand implements fc.Command<Model, Real> {
  constructor(
    readonly pairs: readonly ScopePair[],
    readonly ttlS: number,
    readonly bound: boolean,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const minted = r.issuer.mint({
      subject: 'spiffe://estate.test/aws/a1',
      pairs: this.pairs,
      ttlMs: this.ttlS * 1000,
      bindTo: this.bound ? WORKLOAD_JKT : undefined,
    });
    r.minted.push(minted);
    addToken(m, this.pairs, this.ttlS, this.bound);
    expect(minted.claims.exp).toBe(m.tokens.at(-1)!.expS);
  }
  toString = (): string =>
    `issue(${this.pairs.map((p) => `${p.action}:${p.target}`).join(' ')}, ${this.ttlS}s${this.bound ? ', bound' : ''})`;
}

class RefreshCommand implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly present: boolean,
  ) {}
  check = (m: Readonly<Model>): boolean => m.tokens.length > 0;
  run(m: Model, r: Real): void {
    const i = this.pick % m.tokens.length;
    const old = m.tokens[i]!;
    const expected = liveFailure(m, old) ?? (old.bound && !this.present ? 'binding' : null);
    const result = r.issuer.refresh(r.minted[i]!.token, this.present ? WORKLOAD_JKT : undefined);
    if (expected === null) {
      expect(result.ok).toBe(true);
      if (result.ok) r.minted.push(result.minted);
      addToken(m, old.pairs, old.expS - old.iatS, old.bound);
      old.revoked = true;
    } else {
      expect(result).toMatchObject({ ok: false, failure: expected });
    }
  }
  toString = (): string => `refresh(#${this.pick}${this.present ? ', with key' : ''})`;
}

class RevokeCommand implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.tokens.length > 0;
  run(m: Model, r: Real): void {
    const i = this.pick % m.tokens.length;
    r.issuer.revokeClaims(r.minted[i]!.claims);
    m.tokens[i]!.revoked = true;
  }
  toString = (): string => `revoke(#${this.pick})`;
}

class AdvanceCommand implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    m.nowMs += this.ms;
    r.clock.nowMs += this.ms;
  }
  toString = (): string => `advance(${this.ms}ms)`;
}

class RotateCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const kid = `k${m.nextKey}`;
    r.keys.rotate(seededKey(kid, m.nextKey + 1), r.clock.nowMs);
    m.keyUntilMs.set(m.currentKid, m.nowMs + OVERLAP_MS);
    m.keyUntilMs.set(kid, Infinity);
    m.currentKid = kid;
    m.nextKey++;
  }
  toString = (): string => 'rotate-key';
}

class VerifyCommand implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly pair: ScopePair,
    readonly present: boolean,
  ) {}
  check = (m: Readonly<Model>): boolean => m.tokens.length > 0;
  run(m: Model, r: Real): void {
    const i = this.pick % m.tokens.length;
    const expected = expectedVerify(m, m.tokens[i]!, this.pair, this.present);
    const result = r.issuer.verifier.verify(r.minted[i]!.token, {
      ...this.pair,
      presentedJkt: this.present ? WORKLOAD_JKT : undefined,
    });
    if (expected === null) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, failure: expected });
    // The denylist holds exactly the revoked tokens that could still pass the expiry check.
    expect(r.revocations.size).toBe(deniedCount(m));
  }
  toString = (): string => `verify(#${this.pick}, ${this.pair.action}:${this.pair.target}${this.present ? ', with key' : ''})`;
}

const pairArb = fc.constantFrom(...UNIVERSE);
const commands = [
  fc
    .tuple(
      fc.uniqueArray(pairArb, { minLength: 1, maxLength: 4, selector: (p) => `${p.action}:${p.target}` }),
      fc.integer({ min: 1, max: 3600 }),
      fc.boolean(),
    )
    .map(([pairs, ttlS, bound]) => new IssueCommand(pairs, ttlS, bound)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, present]) => new RefreshCommand(pick, present)),
  fc.nat().map((pick) => new RevokeCommand(pick)),
  fc.integer({ min: 0, max: 7_200_000 }).map((ms) => new AdvanceCommand(ms)),
  fc.constant(new RotateCommand()),
  fc.tuple(fc.nat(), pairArb, fc.boolean()).map(([pick, pair, present]) => new VerifyCommand(pick, pair, present)),
];

describe('issuer token lifecycle', () => {
  it('should match the model through issue, refresh, revoke, expire, rotate-key and verify', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
        const real: Real = { ...makeIssuer(), minted: [] };
        const model: Model = { nowMs: T0_MS, tokens: [], currentKid: 'k0', keyUntilMs: new Map([['k0', Infinity]]), nextKey: 1 };
        fc.modelRun(() => ({ model, real }), cmds);
      }),
      runs(150),
    );
  });
});
