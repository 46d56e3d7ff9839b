/**
 * Signing-key rotation by `kid` with an overlap window: new tokens use the current key; a rotated-out
 * key keeps verifying until its overlap ends, so tokens minted just before a rotation stay usable for
 * their lifetime when the overlap is at least the longest TTL.
 */
import type { KeyObject } from 'node:crypto';
import type { SigningKey } from './keys.js';

interface RingEntry {
  readonly key: SigningKey;
  /** Last instant (ms) at which the key still verifies; Infinity for the current key. */
  verifiesUntilMs: number;
}

/** The issuer's keys: one current signing key and the retiring keys still accepted. */
export class KeyRing {
  readonly overlapMs: number;
  private readonly entries = new Map<string, RingEntry>();
  private currentKey: SigningKey;

  constructor(initial: SigningKey, options: { readonly overlapMs: number }) {
    if (!(options.overlapMs >= 0)) throw new RangeError(`KeyRing: overlapMs must be ≥ 0 (got ${options.overlapMs})`);
    this.overlapMs = options.overlapMs;
    this.currentKey = initial;
    this.entries.set(initial.kid, { key: initial, verifiesUntilMs: Infinity });
  }

  /** The key new tokens are signed with. */
  get current(): SigningKey {
    return this.currentKey;
  }

  /** Makes `next` the signing key at `nowMs`; the previous key verifies until `nowMs + overlapMs`. */
  rotate(next: SigningKey, nowMs: number): void {
    if (this.entries.has(next.kid)) throw new Error(`KeyRing.rotate: kid "${next.kid}" was already used`);
    const previous = this.entries.get(this.currentKey.kid);
    if (previous !== undefined) previous.verifiesUntilMs = nowMs + this.overlapMs;
    this.entries.set(next.kid, { key: next, verifiesUntilMs: Infinity });
    this.currentKey = next;
    this.prune(nowMs);
  }

  /** The public key for `kid` if it still verifies at `nowMs`, else undefined (unknown or retired). */
  verificationKey(kid: string, nowMs: number): KeyObject | undefined {
    const entry = this.entries.get(kid);
    if (entry === undefined || nowMs > entry.verifiesUntilMs) return undefined;
    return entry.key.publicKey;
  }

  /** Kids that verify at `nowMs`, current last. */
  activeKids(nowMs: number): string[] {
    return [...this.entries.values()].filter((e) => nowMs <= e.verifiesUntilMs).map((e) => e.key.kid);
  }

  /** Forgets keys whose overlap has ended, so the ring stays bounded under periodic rotation. */
  prune(nowMs: number): void {
    for (const [kid, entry] of this.entries) if (nowMs > entry.verifiesUntilMs) this.entries.delete(kid);
  }
}
