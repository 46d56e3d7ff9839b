/** Credential ages (docs/import.md): counts for scenarios.csv and the report's oldest / stale lists. */
import { describe, expect, it } from 'vitest';
import type { CredentialTimes } from '../../src/domain/scenario.js';
import { credentialAges } from '../../src/metrics/credential-ages.js';
import { scenarioRow } from '../../src/metrics/scenario-row.js';
import { credentialAgeLists } from '../../src/report/credential-ages.js';
import { DAY, HOUR, agent, credential, lateral, persistent, scenario } from '../arbitraries/build.js';

const times = (t: Partial<CredentialTimes>): CredentialTimes => ({
  createdAtMs: null,
  lastRotatedAtMs: null,
  lastUsedAtMs: null,
  expiresAtMs: null,
  nativeTtlMs: null,
  ...t,
});

// 12 access keys aged 1…12 × 100 days, the odd ones unused for 200 days; one STS session (not standing).
const keys = Array.from({ length: 12 }, (_, i) => `key-${String(i + 1).padStart(2, '0')}`);
const estate = scenario({
  nodes: [
    agent('a'),
    ...keys.map((id) => credential(id, { type: 'aws-access-key' })),
    credential('role', { type: 'aws-sts-session' }),
  ],
  attacks: [lateral('a', 0)],
  policies: [persistent()],
  asOf: '2026-12-01T00:00:00Z',
  credentialTimes: {
    ...Object.fromEntries(
      keys.map((id, i) => [id, times({ createdAtMs: -(i + 1) * 100 * DAY, lastUsedAtMs: i % 2 === 0 ? -200 * DAY : -DAY })]),
    ),
    role: times({ createdAtMs: -5000 * DAY, lastUsedAtMs: -300 * DAY, nativeTtlMs: HOUR }),
  },
});

describe('metrics/credential-ages', () => {
  it('should count credentials, standing secrets (no nativeTtl) and stale ones (unused > staleAfter)', () => {
    const ages = credentialAges(estate);
    expect(ages.credentials).toBe(13);
    expect(ages.standing).toBe(12);
    expect(ages.stale.map((c) => c.id)).toEqual(['role', ...keys.filter((_, i) => i % 2 === 0)]);
  });

  it('should list the ten oldest standing secrets, oldest first, leaving out sessions', () => {
    const oldest = credentialAges(estate).oldest;
    expect(oldest.map((c) => c.id)).toEqual([...keys].reverse().slice(0, 10));
    expect(oldest[0]!.ageMs).toBe(1200 * DAY);
  });

  it('should age a secret from its last rotation when known', () => {
    const rotated = { ...estate, credentialTimes: { 'key-12': times({ createdAtMs: -1200 * DAY, lastRotatedAtMs: -DAY }) } };
    expect(credentialAges(rotated).oldest.map((c) => [c.id, c.ageMs])).toEqual([['key-12', DAY]]);
  });

  it('should append the counts and the oldest age in seconds to scenarios.csv', () => {
    expect(scenarioRow(estate)).toMatchObject({
      credentials: 13,
      standing_credentials: 12,
      stale_credentials: 7,
      oldest_standing_secret_age_s: 1200 * 86_400,
    });
  });

  it('should give the report both lists only when the scenario has asOf', () => {
    const lists = credentialAgeLists(estate);
    expect(lists.map((l) => [l.id, l.items.length])).toEqual([
      ['oldest-secrets', 10],
      ['stale-credentials', 7],
    ]);
    expect(lists[0]!.items[0]).toContain('key-12 (aws-access-key)');
    expect(credentialAgeLists({ ...estate, asOf: null })).toEqual([]);
  });
});
