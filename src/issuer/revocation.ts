/**
 * The `jti` denylist. An entry is only needed while its token could still pass the expiry check, so
 * entries are dropped once `exp + skew` has passed: the list holds at most the tokens revoked within
 * one TTL (plus skew), however long the issuer runs.
 */

/** Revoked token ids, pruned by expiry. */
export class RevocationList {
  private readonly entries = new Map<string, number>();
  /** Earliest `deadMs` among the entries: nothing to prune before it. */
  private nextPruneMs = Infinity;

  /**
   * Denies `jti` until `deadMs`, the first instant at which the verifier rejects the token as expired
   * anyway (`exp` in ms plus the allowed skew).
   */
  revoke(jti: string, deadMs: number, nowMs: number): void {
    this.prune(nowMs);
    if (deadMs <= nowMs) return;
    this.entries.set(jti, deadMs);
    if (deadMs < this.nextPruneMs) this.nextPruneMs = deadMs;
  }

  /** Whether `jti` is revoked (call `prune` first, or rely on the expiry check for dead entries). */
  has(jti: string): boolean {
    return this.entries.has(jti);
  }

  /** Drops entries whose tokens can no longer verify; O(1) when nothing is due. */
  prune(nowMs: number): void {
    if (nowMs < this.nextPruneMs) return;
    let next = Infinity;
    for (const [jti, deadMs] of this.entries) {
      if (deadMs <= nowMs) this.entries.delete(jti);
      else if (deadMs < next) next = deadMs;
    }
    this.nextPruneMs = next;
  }

  /** Entries currently held. */
  get size(): number {
    return this.entries.size;
  }
}
