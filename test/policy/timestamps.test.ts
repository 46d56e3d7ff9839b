/** Real credential timestamps (docs/import.md "Timestamp rules" T1–T4): loading, phase, expiry, staleness. */
import { describe, expect, it } from 'vitest';
import type { CredentialTimes, Policy, Scenario } from '../../src/domain/scenario.js';
import { credentialModes, isStale, nextStandingVersion, standingEnd } from '../../src/policy/modes.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  fixed,
  grants,
  holds,
  persistent,
  replay,
  resource,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';
import { modelOf, runOne } from '../arbitraries/run.js';

const times = (t: Partial<CredentialTimes>): CredentialTimes => ({
  createdAtMs: null,
  lastRotatedAtMs: null,
  lastUsedAtMs: null,
  expiresAtMs: null,
  nativeTtlMs: null,
  ...t,
});

/** ci holds `key` (also echoed into `logs`); key grants db read/write; `key` leaks from logs at `leakAtMs`. */
function ci(policies: Policy[], keyTimes: Partial<CredentialTimes> | null, leakAtMs = HOUR): Scenario {
  return scenario({
    nodes: [agent('ci'), resource('logs'), credential('key'), resource('db', { records: 100 })],
    edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read', 'write'])],
    workload: [task('ci', [step('db', 'write', 'key')], { everyMs: HOUR, durationMs: 10 * MIN })],
    attacks: [replay('key', 'logs', leakAtMs, fixed(0))],
    policies,
    asOf: '2026-01-01T00:00:00Z',
    credentialTimes: keyTimes === null ? {} : { key: times(keyTimes) },
  });
}

const modesFor = (s: Scenario, policyIndex = 0): ReturnType<typeof credentialModes> =>
  credentialModes(modelOf(s), s.policies[policyIndex]!);
const keyIndex = (s: Scenario): number => modelOf(s).indexOf.get('key')!;

describe('credential timestamps', () => {
  describe('loading', () => {
    const yaml = (extra: string, asOf = 'asOf: 2026-01-01T00:00:00Z'): string => `name: t
${asOf}
nodes:
  - { id: a, kind: agent }
  - { id: r, kind: resource }
  - { id: k, kind: credential, ${extra} }
edges:
  - { from: a, to: k, kind: holds }
  - { from: k, to: r, kind: grants, actions: [read] }
attacks: [{ pattern: lateral-movement, entry: a, at: 1h }]
policies: { p: { kind: persistent } }
`;
    it('should resolve timestamps to milliseconds from asOf and nativeTtl to milliseconds', () => {
      const result = parseScenarioText(
        yaml(
          'createdAt: 2025-12-01T00:00:00Z, lastUsedAt: 2025-12-31T00:00:00+00:00, nativeTtl: 1h, provenance: { source: aws-iam, id: "arn:aws:iam::1:user/k" }',
        ),
        't.yaml',
      );
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.scenario.asOf).toBe('2026-01-01T00:00:00Z');
      expect(result.scenario.staleAfterMs).toBe(90 * DAY);
      expect(result.scenario.credentialTimes['k']).toEqual(
        times({ createdAtMs: -31 * DAY, lastUsedAtMs: -DAY, nativeTtlMs: HOUR }),
      );
      expect(result.scenario.provenance['k']).toEqual({ source: 'aws-iam', id: 'arn:aws:iam::1:user/k' });
    });

    it('should refuse a timestamp without asOf, naming the path and line', () => {
      const result = parseScenarioText(yaml('createdAt: 2025-12-01T00:00:00Z', ''), 't.yaml');
      if (result.ok) throw new Error('expected issues');
      expect(result.issues).toEqual([
        expect.objectContaining({
          code: 'needs-as-of',
          path: 'nodes[2].createdAt',
          line: 6,
          message: expect.stringContaining("needs the scenario's asOf"),
        }),
      ]);
    });

    it('should refuse createdAt, lastRotatedAt or lastUsedAt after asOf, but accept a future expiresAt', () => {
      for (const key of ['createdAt', 'lastRotatedAt', 'lastUsedAt']) {
        const result = parseScenarioText(yaml(`${key}: 2026-02-01T00:00:00Z`), 't.yaml');
        if (result.ok) throw new Error(`expected issues for ${key}`);
        expect(result.issues.map((i) => [i.code, i.path])).toEqual([['after-as-of', `nodes[2].${key}`]]);
      }
      expect(parseScenarioText(yaml('expiresAt: 2026-02-01T00:00:00Z'), 't.yaml').ok).toBe(true);
    });

    it('should refuse a date that is not ISO 8601 and a lastRotatedAt before createdAt', () => {
      const bad = parseScenarioText(yaml('createdAt: "last tuesday"'), 't.yaml');
      expect(!bad.ok && [bad.issues[0]!.code, bad.issues[0]!.path]).toEqual(['bad-format', 'nodes[2].createdAt']);
      const order = parseScenarioText(yaml('createdAt: 2025-12-01T00:00:00Z, lastRotatedAt: 2025-11-01T00:00:00Z'), 't.yaml');
      expect(!order.ok && order.issues[0]!.code).toBe('before-created');
    });
  });

  describe('T1 rotation phase', () => {
    it('should continue rotations from lastRotatedAt, else createdAt, else time 0', () => {
      const policy = persistent('p', { rotationMs: 90 * DAY });
      const rotated = ci([policy], { createdAtMs: -500 * DAY, lastRotatedAtMs: -400 * DAY });
      expect(standingEnd(modesFor(rotated), keyIndex(rotated), 0)).toBe(50 * DAY); // −400d + 5 × 90d
      const created = ci([policy], { createdAtMs: -100 * DAY });
      expect(standingEnd(modesFor(created), keyIndex(created), 0)).toBe(80 * DAY);
      const none = ci([policy], null);
      expect(standingEnd(modesFor(none), keyIndex(none), 0)).toBe(90 * DAY);
      expect(standingEnd(modesFor(rotated), keyIndex(rotated), 50 * DAY)).toBe(140 * DAY);
    });

    it('should end a stolen copy at the phase-shifted rotation, not a full period after time 0', () => {
      // Rotated 89.5 days before asOf with a 90-day period: the version in force dies at 12 h.
      const s = ci([persistent('p', { rotationMs: 90 * DAY })], { lastRotatedAtMs: -(89 * DAY + 12 * HOUR) });
      expect(runOne(s).exposure_window_s).toBe((11 * HOUR) / 1000);
      const fresh = ci([persistent('p', { rotationMs: 90 * DAY })], null);
      expect(runOne(fresh).exposure_window_s).toBe((30 * DAY - HOUR) / 1000);
    });
  });

  describe('T2 expiry', () => {
    it('should end every standing version at expiresAt and bring no new version after it', () => {
      const s = ci([persistent('p', { rotationMs: DAY })], { expiresAtMs: 2 * DAY + HOUR });
      const modes = modesFor(s);
      expect(standingEnd(modes, keyIndex(s), 0)).toBe(DAY);
      expect(standingEnd(modes, keyIndex(s), 2 * DAY)).toBe(2 * DAY + HOUR);
      expect(standingEnd(modes, keyIndex(s), 3 * DAY)).toBeLessThanOrEqual(3 * DAY);
      expect(nextStandingVersion(modes, keyIndex(s), DAY + 1)).toBe(2 * DAY);
      expect(nextStandingVersion(modes, keyIndex(s), 2 * DAY)).toBe(Number.POSITIVE_INFINITY);
    });

    it('should make a key that expired before the leak worthless to the attacker', () => {
      const never = persistent('p', { rotationMs: Number.POSITIVE_INFINITY });
      expect(runOne(ci([never], { expiresAtMs: 30 * MIN })).attack_success).toBe(0);
      const live = runOne(ci([never], { expiresAtMs: 5 * HOUR }));
      expect(live.attack_success).toBe(1);
      expect(live.exposure_window_s).toBe((4 * HOUR) / 1000);
    });
  });

  describe('T3 staleness and T4 hygiene', () => {
    it('should call a credential stale only when its last use is known and older than staleAfter', () => {
      expect(isStale(times({ lastUsedAtMs: -91 * DAY }), 90 * DAY)).toBe(true);
      expect(isStale(times({ lastUsedAtMs: -90 * DAY }), 90 * DAY)).toBe(false);
      expect(isStale(times({ createdAtMs: -900 * DAY }), 90 * DAY)).toBe(false);
    });

    it('should disable stale standing credentials only under a policy that sets its own staleAfter', () => {
      const keyTimes = { lastUsedAtMs: -100 * DAY };
      const plain = ci([persistent('p')], keyTimes);
      expect(runOne(plain).attack_success).toBe(1);
      const hygiene = ci([persistent('p', { staleAfterMs: 45 * DAY })], keyTimes);
      expect(runOne(hygiene).attack_success).toBe(0);
      const recent = ci([persistent('p', { staleAfterMs: 45 * DAY })], { lastUsedAtMs: -DAY });
      expect(runOne(recent).attack_success).toBe(1);
    });
  });
});
