/**
 * Credential ages from real timestamps (docs/import.md "Timestamp rules"): how many credentials a
 * scenario has, which are standing secrets (no `nativeTtl`: nothing but rotation ends them), which are
 * stale (T3: last use older than the scenario's `staleAfter`), and the oldest standing secrets (age of
 * the version in force at time 0: since `lastRotatedAt`, else `createdAt`). Feeds scenarios.csv and
 * the report's lists.
 */
import { isStale } from '../policy/modes.js';
import type { Scenario } from '../domain/scenario.js';

/** One credential's ages at time 0 (the scenario's `asOf`). */
export interface CredentialAge {
  readonly id: string;
  readonly type: string;
  /** Standing secret: no issuer lifetime (`nativeTtl`) ends it. */
  readonly standing: boolean;
  /** Age of the version in force at time 0, or null when neither lastRotatedAt nor createdAt is known. */
  readonly ageMs: number | null;
  /** Time since the last use, or null when unknown. */
  readonly unusedMs: number | null;
  readonly stale: boolean;
}

/** A scenario's credential ages: counts and the lists the report shows. */
export interface CredentialAges {
  readonly credentials: number;
  readonly standing: number;
  /** Stale credentials, longest unused first (ties by id). */
  readonly stale: readonly CredentialAge[];
  /** The ten oldest standing secrets with a known age, oldest first (ties by id). */
  readonly oldest: readonly CredentialAge[];
}

/** How many of the oldest standing secrets the report lists. */
export const OLDEST_LISTED = 10;

const byDesc =
  (key: 'ageMs' | 'unusedMs') =>
  (a: CredentialAge, b: CredentialAge): number =>
    (b[key] ?? 0) - (a[key] ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Every credential's ages, in node order. */
export function credentialAgeList(scenario: Scenario): CredentialAge[] {
  const out: CredentialAge[] = [];
  for (const node of scenario.nodes) {
    if (node.kind !== 'credential') continue;
    const times = Object.hasOwn(scenario.credentialTimes, node.id) ? scenario.credentialTimes[node.id] : undefined;
    const issued = times === undefined ? null : (times.lastRotatedAtMs ?? times.createdAtMs);
    out.push({
      id: node.id,
      type: node.type,
      standing: times?.nativeTtlMs == null,
      ageMs: issued === null ? null : -issued,
      unusedMs: times?.lastUsedAtMs == null ? null : -times.lastUsedAtMs,
      stale: times !== undefined && isStale(times, scenario.staleAfterMs),
    });
  }
  return out;
}

/** Counts and lists of a scenario's credential ages. */
export function credentialAges(scenario: Scenario): CredentialAges {
  const all = credentialAgeList(scenario);
  return {
    credentials: all.length,
    standing: all.filter((c) => c.standing).length,
    stale: all.filter((c) => c.stale).sort(byDesc('unusedMs')),
    oldest: all
      .filter((c) => c.standing && c.ageMs !== null)
      .sort(byDesc('ageMs'))
      .slice(0, OLDEST_LISTED),
  };
}
