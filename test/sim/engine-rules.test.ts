/** The rules of SPEC §1 "What short-lived access does not stop" (docs/semantics-engine.md E1–E7), one behaviour each. */
import { describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  assumes,
  credential,
  ephemeral,
  fixed,
  grants,
  holds,
  issues,
  lateral,
  massLeak,
  persistent,
  replay,
  resource,
  runs,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';
import { modelOf, runOne, traceOne } from '../arbitraries/run.js';
import { runTrialDetailed } from '../../src/sim/trial.js';

describe('engine rules E1–E7', () => {
  describe('E1 runs edges', () => {
    // A developer's token writes the repository the CI job checks out; the job holds the cloud key.
    const build = (withRuns: boolean) =>
      scenario({
        nodes: [
          agent('dev'),
          agent('ci'),
          resource('repo'),
          resource('cloud', { sensitivity: 'regulated', weight: 10 }),
          credential('repo-token'),
          credential('cloud-role'),
        ],
        edges: [
          holds('dev', 'repo-token'),
          grants('repo-token', 'repo', ['read', 'write']),
          holds('ci', 'cloud-role'),
          grants('cloud-role', 'cloud', ['read']),
          ...(withRuns ? [runs('repo', 'ci')] : []),
        ],
        workload: [
          task('ci', [step('cloud', 'read', 'cloud-role')], { everyMs: DAY, atMs: 10 * HOUR, durationMs: 10 * MIN }),
          task('dev', [step('repo', 'write', 'repo-token')], { everyMs: DAY, atMs: 0, durationMs: 10 * MIN }),
        ],
        attacks: [lateral('dev', HOUR)],
        policies: [persistent(), ephemeral('ephemeral', { ttlMs: 5 * MIN, bindToWorkload: true, reevaluate: 'every-step' })],
      });

    it('should give control of the workload at its next task start, under every policy', () => {
      for (const policy of ['persistent', 'ephemeral']) {
        const m = runOne(build(true), { policy });
        expect(m.resources_reached).toBe(2);
        const cloudUse = traceOne(build(true), { policy }).find((e) => e.kind === 'use' && e.target === 'cloud');
        // The write happens at 1h; the CI job next starts at 10h: it acts as the job from then.
        expect(cloudUse?.t).toBe(10 * HOUR);
      }
    });

    it('should reach nothing past the repository without the runs edge', () => {
      expect(runOne(build(false)).resources_reached).toBe(1);
    });
  });

  describe('E2 live leak sources', () => {
    const build = (exposure: 'live' | 'snapshot') =>
      scenario({
        nodes: [agent('laptop', { exposure }), credential('token'), resource('db')],
        edges: [holds('laptop', 'token'), grants('token', 'db', ['read'])],
        workload: [task('laptop', [step('db', 'read', 'token')], { everyMs: HOUR, durationMs: 10 * MIN })],
        attacks: [replay('token', 'laptop', DAY, fixed(3 * DAY)), massLeak('laptop', DAY, fixed(3 * DAY))],
        policies: [ephemeral('ephemeral', { ttlMs: 15 * MIN }), persistent('rotated', { rotationMs: DAY })],
      });

    it('should give the newest material whenever the attacker looks, so a short lifetime does not stop a resident implant', () => {
      for (const attack of ['secret-replay', 'mass-leak']) {
        for (const policy of ['ephemeral', 'rotated']) {
          expect(runOne(build('live'), { policy, attack }).resources_reached).toBe(1);
          // A one-time copy taken at 1d is dead when replayed at 4d.
          expect(runOne(build('snapshot'), { policy, attack }).resources_reached).toBe(0);
        }
      }
    });

    it('should wait for the next live copy when none is valid at replay time', () => {
      // Replayed at 4d + 30m: the token of the 4d task (ttl 15m) is dead; the next one is minted at 4d + 1h.
      const s = scenario({
        ...build('live'),
        attacks: [replay('token', 'laptop', DAY, fixed(3 * DAY + 30 * MIN))],
        policies: [ephemeral('ephemeral', { ttlMs: 15 * MIN })],
      });
      const m = runOne(s);
      expect(m.resources_reached).toBe(1);
      expect(m.time_to_first_access_s).toBe((3 * DAY + HOUR) / 1000);
    });
  });

  describe('E3 minting credentials and binding', () => {
    // A standing client secret (a legacy system: not ephemeral-capable) mints the workload's access tokens.
    const build = (bindToWorkload: boolean) =>
      scenario({
        nodes: [
          agent('app'),
          resource('laptop'),
          credential('client-secret', { ephemeralCapable: false }),
          credential('access'),
          resource('db'),
        ],
        edges: [
          holds('app', 'client-secret'),
          holds('laptop', 'client-secret'),
          assumes('client-secret', 'access'),
          grants('access', 'db', ['read']),
          holds('app', 'access'),
        ],
        workload: [task('app', [step('db', 'read', 'access')])],
        // Minted tokens are used one hop later: minutes, within their 15m lifetime.
        attacks: [replay('client-secret', 'laptop', HOUR, fixed(0), { hopDelay: fixed(MIN) })],
        policies: [ephemeral('ephemeral', { bindToWorkload })],
        horizonMs: 4 * HOUR,
      });

    it('should let a stolen client secret mint as its workload within its intent', () => {
      expect(runOne(build(false)).resources_reached).toBe(1);
    });

    it('should mint whenever the attacker acts: a hop slower than the TTL still uses the minting secret', () => {
      // 15m tokens, 2h hops: a token minted once per hop would be dead at the next; a mint capability is not.
      const slow = {
        ...build(false),
        attacks: [replay('client-secret', 'laptop', HOUR, fixed(0), { hopDelay: fixed(2 * HOUR) })],
      };
      const m = runOne(slow);
      expect(m.resources_reached).toBe(1);
      // The capability lasts as long as the standing secret (to the horizon): access from the first use on.
      expect(m.access_window_s).toBe((4 * HOUR - HOUR - 2 * HOUR) / 1000);
    });

    it('should end the mint capability one TTL after the minting secret is revoked', () => {
      const base = build(false);
      const detected = {
        ...base,
        // The database sits in a slow environment: revoking the minted token there takes 30 days.
        nodes: base.nodes.map((n) => (n.id === 'db' ? { ...n, environment: 'slow' } : n)),
        horizonMs: 40 * DAY,
        // Every attempt is noticed at once; the secret's revocation takes effect one day after the exchange at 1h.
        policies: [
          ephemeral('ephemeral', {
            ttlMs: 15 * MIN,
            detection: { probability: 1, delay: fixed(0), atMs: Number.POSITIVE_INFINITY },
            revocationLatency: { default: fixed(DAY), byEnvironment: { slow: fixed(30 * DAY) } },
          }),
        ],
      };
      const m = runOne(detected);
      // The last token minted before the secret's revocation (1h + 1d) lives 15m more; the replay started at 1h.
      expect(m.time_to_containment_s).toBe((DAY + 15 * MIN) / 1000);
    });

    it('should take a bounded number of engine events with millisecond hops and a mint capability over weeks', () => {
      const fast = {
        ...build(false),
        horizonMs: 30 * DAY,
        attacks: [replay('client-secret', 'laptop', HOUR, fixed(0), { hopDelay: fixed(1) })],
      };
      const model = modelOf(fast);
      const { metrics, events } = runTrialDetailed(model, 0, 0, 0);
      expect(metrics.resources_reached).toBe(1);
      // One exchange, one capability: hops stop when nothing new is gained (a token per hop would be ~2.6e9 hops).
      expect(events).toBeLessThan(50);
    });

    it('should make minted tokens honour bindToWorkload: a thief without the workload cannot use them', () => {
      const m = runOne(build(true));
      expect(m.resources_reached).toBe(0);
      expect(traceOne(build(true)).some((e) => e.kind === 'deny' && e.target === 'db' && e.reason.includes('bound'))).toBe(true);
    });
  });

  describe('E4 declared exchanges', () => {
    // refresh → session → prod-token: the workload's steps use only prod-token; session is an intermediate.
    const build = (declare: boolean) =>
      scenario({
        nodes: [
          agent('eng'),
          resource('laptop'),
          credential('refresh', { ephemeralCapable: false }),
          credential('session'),
          credential('prod-token'),
          resource('prod'),
        ],
        edges: [
          holds('eng', 'refresh'),
          holds('laptop', 'refresh'),
          assumes('refresh', 'session'),
          assumes('session', 'prod-token'),
          grants('prod-token', 'prod', ['read']),
          holds('eng', 'prod-token'),
        ],
        workload: [
          task('eng', [step('prod', 'read', 'prod-token')], {
            exchanges: declare
              ? [
                  { from: 'refresh', to: 'session' },
                  { from: 'session', to: 'prod-token' },
                ]
              : [],
          }),
        ],
        attacks: [replay('refresh', 'laptop', HOUR, fixed(0), { hopDelay: fixed(MIN) })],
        policies: [ephemeral('ephemeral', { scope: 'task' })],
        horizonMs: 4 * HOUR,
      });

    it('should allow an exchange the workload declares, for whoever holds its minting credential', () => {
      expect(runOne(build(true)).resources_reached).toBe(1);
    });

    it('should deny the same exchange when the workload does not declare it', () => {
      expect(runOne(build(false)).resources_reached).toBe(0);
    });
  });

  describe('E5 persistence', () => {
    // Admin on an app registration that issues its client secret; the secret reads the mailbox.
    const build = (forbidCreation: boolean) =>
      scenario({
        nodes: [
          agent('legacy-app'),
          resource('app-reg'),
          credential('admin-token'),
          credential('app-secret'),
          resource('mailbox', { records: 100 }),
        ],
        edges: [
          holds('legacy-app', 'admin-token'),
          grants('admin-token', 'app-reg', ['admin']),
          issues('app-reg', 'app-secret'),
          grants('app-secret', 'mailbox', ['read']),
        ],
        workload: [task('legacy-app', [step('app-reg', 'admin', 'admin-token')])],
        attacks: [lateral('legacy-app', HOUR)],
        policies: [
          persistent('persistent', { forbidCreation, detection: { probability: 0, delay: fixed(0), atMs: 2 * DAY } }),
          ephemeral('ephemeral', { forbidCreation }),
        ],
      });

    it('should let admin on an issuer create standing material under every policy', () => {
      for (const policy of ['persistent', 'ephemeral']) {
        const m = runOne(build(false), { policy });
        expect(m.resources_reached).toBe(2);
        expect(m.records_exposed).toBe(100);
        expect(traceOne(build(false), { policy }).some((e) => e.kind === 'create' && e.cred === 'app-secret')).toBe(true);
      }
    });

    it('should create nothing when the policy forbids creation', () => {
      expect(runOne(build(true)).resources_reached).toBe(1);
    });

    it('should keep created material after what gave access is revoked, until detection revokes it too', () => {
      // The recorded detection at 2d revokes every credential the attacker used, the created secret included.
      const m = runOne(build(false));
      expect(m.exposure_window_s).toBe((2 * DAY - HOUR) / 1000);
      expect(m.time_to_containment_s).toBe((2 * DAY - HOUR) / 1000);
    });
  });

  describe('E7 recorded detection', () => {
    const build = (atMs: number) =>
      scenario({
        nodes: [agent('svc'), credential('key'), resource('db')],
        edges: [holds('svc', 'key'), grants('key', 'db', ['read'])],
        attacks: [replay('key', 'svc', HOUR, fixed(HOUR))],
        policies: [
          persistent('p', {
            detection: { probability: 0, delay: fixed(0), atMs },
            revocationLatency: { default: fixed(30 * MIN), byEnvironment: {} },
          }),
        ],
      });

    it('should revoke what the attacker used at the recorded time (plus the revocation latency) and report containment', () => {
      const m = runOne(build(5 * HOUR));
      expect(m.time_to_containment_s).toBe((4 * HOUR + 30 * MIN) / 1000);
      expect(m.exposure_window_s).toBe((3 * HOUR + 30 * MIN) / 1000);
    });

    it('should notice an attempt after the recorded time at once', () => {
      // First use at 2h, detection recorded at 1h30: revoked at 2h + 30m latency.
      const m = runOne(build(90 * MIN));
      expect(m.time_to_containment_s).toBe((HOUR + 30 * MIN) / 1000);
    });
  });
});
