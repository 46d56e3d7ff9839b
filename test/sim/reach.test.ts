/** The reachability rules R1–R9 of src/reach/engine.ts (DESIGN §2.3), one example each. */
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
  invokes,
  lateral,
  persistent,
  replay,
  resource,
  scenario,
  step,
  task,
  tool,
  toolChain,
} from '../arbitraries/build.js';
import { runOne } from '../arbitraries/run.js';

describe('sim/reach', () => {
  describe('R1 control', () => {
    it('should use every credential the controlled node holds from the foothold time', () => {
      // Arrange
      const s = scenario({
        nodes: [
          agent('svc'),
          credential('db-key'),
          credential('bucket-key'),
          resource('db', { records: 10 }),
          resource('bucket'),
        ],
        edges: [
          holds('svc', 'db-key'),
          holds('svc', 'bucket-key'),
          grants('db-key', 'db', ['read']),
          grants('bucket-key', 'bucket', ['read']),
        ],
        attacks: [lateral('svc', 2 * HOUR)],
        policies: [persistent()],
      });
      // Act
      const m = runOne(s);
      // Assert
      expect(m.resources_reached).toBe(2);
      expect(m.credentials_harvested).toBe(2);
      expect(m.time_to_first_access_s).toBe(0);
      expect(m.max_hops).toBe(1);
    });

    it('should not reach anything through a node the entry does not control or hold credentials for', () => {
      const s = scenario({
        nodes: [agent('svc'), agent('other'), credential('db-key'), resource('db')],
        edges: [holds('other', 'db-key'), grants('db-key', 'db', ['read'])],
        attacks: [lateral('svc', 0)],
        policies: [persistent()],
      });
      const m = runOne(s);
      expect(m.resources_reached).toBe(0);
      expect(m.attack_success).toBe(0);
      expect(m.time_to_first_access_s).toBeNull();
      expect(m.exposure_window_s).toBe(0);
    });
  });

  describe('R2 grants', () => {
    const build = (actions: ('read' | 'write' | 'admin')[]) =>
      scenario({
        nodes: [agent('svc'), credential('key'), resource('db', { records: 500, sensitivity: 'regulated', weight: 10 })],
        edges: [holds('svc', 'key'), grants('key', 'db', actions)],
        attacks: [lateral('svc', 0)],
        policies: [persistent()],
      });

    it('should perform exactly the granted actions: read exposes records but is not privileged', () => {
      const m = runOne(build(['read']));
      expect(m).toMatchObject({ resources_reached: 1, blast_radius: 10, records_exposed: 500, privileged_resources: 0 });
    });

    it('should count a write-only grant as privileged without exposing records', () => {
      const m = runOne(build(['write']));
      expect(m).toMatchObject({ resources_reached: 1, blast_radius: 10, records_exposed: 0, privileged_resources: 1 });
    });

    it('should count admin as both reading records and privileged', () => {
      const m = runOne(build(['admin']));
      expect(m).toMatchObject({ resources_reached: 1, records_exposed: 500, privileged_resources: 1 });
    });
  });

  describe('R3 read or more on a holder exposes its credentials', () => {
    it('should lead from a leaked repository token to the cloud keys stored in the repository', () => {
      // Arrange: a dev's repo token leaks from a laptop; the repo holds cloud keys; the keys open a bucket.
      const s = scenario({
        nodes: [
          agent('dev'),
          resource('laptop'),
          credential('repo-token'),
          resource('repo'),
          credential('cloud-key'),
          resource('bucket', { sensitivity: 'confidential', weight: 3, records: 1000 }),
        ],
        edges: [
          holds('dev', 'repo-token'),
          holds('laptop', 'repo-token'),
          grants('repo-token', 'repo', ['read']),
          holds('repo', 'cloud-key'),
          grants('cloud-key', 'bucket', ['read', 'write']),
        ],
        attacks: [replay('repo-token', 'laptop', DAY, fixed(HOUR))],
        policies: [persistent()],
      });
      // Act
      const m = runOne(s);
      // Assert: repo at hop 1, bucket at hop 2 (one hopDelay later)
      expect(m.resources_reached).toBe(2);
      expect(m.credentials_harvested).toBe(2);
      expect(m.max_hops).toBe(2);
      expect(m.blast_radius).toBe(1 + 3);
      expect(m.records_exposed).toBe(1000);
      expect(m.privileged_resources).toBe(1);
      expect(m.time_to_first_access_s).toBe(HOUR / 1000);
    });

    it('should expose a holder through a write-only grant too', () => {
      const s = scenario({
        nodes: [agent('ci'), credential('push-key'), resource('repo'), credential('cloud-key'), resource('bucket')],
        edges: [
          holds('ci', 'push-key'),
          grants('push-key', 'repo', ['write']),
          holds('repo', 'cloud-key'),
          grants('cloud-key', 'bucket', ['read']),
        ],
        attacks: [lateral('ci', 0)],
        policies: [persistent()],
      });
      expect(runOne(s).resources_reached).toBe(2);
    });
  });

  describe('R4 admin gives control', () => {
    // The attacker steals a standing admin key over `svc`; svc's own db credential is broker-managed,
    // so once control is lost only the newest token copy (≤ ttl) is left.
    const build = (adminRotationMs: number) =>
      scenario({
        nodes: [
          resource('vault'),
          credential('admin-key', { ephemeralCapable: false, rotationMs: adminRotationMs }),
          agent('svc'),
          credential('db-key'),
          resource('db'),
        ],
        edges: [
          holds('vault', 'admin-key'),
          grants('admin-key', 'svc', ['admin']),
          holds('svc', 'db-key'),
          grants('db-key', 'db', ['read']),
        ],
        workload: [task('svc', [step('db', 'read', 'db-key')], { everyMs: HOUR, durationMs: 5 * MIN })],
        attacks: [replay('admin-key', 'vault', 0, fixed(0))],
        policies: [ephemeral('eph', { ttlMs: 15 * MIN })],
      });

    it('should give control of the administered node (its credentials act for the attacker)', () => {
      const m = runOne(build(Number.POSITIVE_INFINITY));
      expect(m.resources_reached).toBe(1);
      expect(m.max_hops).toBe(2);
      expect(m.credentials_harvested).toBe(2);
      // Never rotated: the attacker keeps control (and can mint db tokens as svc) to the horizon.
      expect(m.exposure_window_s).toBe((30 * DAY) / 1000);
    });

    it('should lose control when the credential that gave it dies', () => {
      const m = runOne(build(2 * DAY));
      expect(m.resources_reached).toBe(1);
      const exposure = m.exposure_window_s!;
      expect(exposure).toBeGreaterThanOrEqual((2 * DAY) / 1000);
      expect(exposure).toBeLessThanOrEqual((2 * DAY + 15 * MIN) / 1000);
    });
  });

  describe('R5 invoking a tool', () => {
    const build = () =>
      scenario({
        nodes: [agent('bot'), tool('crm-tool'), credential('crm-key'), resource('crm', { records: 40 })],
        edges: [invokes('bot', 'crm-tool'), holds('crm-tool', 'crm-key'), grants('crm-key', 'crm', ['read'])],
        attacks: [toolChain('bot', 0), lateral('crm-tool', 0)],
        policies: [persistent()],
      });

    it("should give the effect of the tool's credential without its material", () => {
      const m = runOne(build(), { attack: 'tool-chaining' });
      expect(m.resources_reached).toBe(1);
      expect(m.records_exposed).toBe(40);
      expect(m.credentials_harvested).toBe(0);
      // the invocation is one hop, the tool's credential use the next
      expect(m.max_hops).toBe(2);
    });

    it('should yield the material when the tool itself is controlled', () => {
      const m = runOne(build(), { attack: 'lateral-movement' });
      expect(m.resources_reached).toBe(1);
      expect(m.credentials_harvested).toBe(1);
    });
  });

  describe('R6 material', () => {
    it('should make a stolen standing copy die at the next rotation', () => {
      const build = (replayDelayMs: number) =>
        scenario({
          nodes: [agent('ci'), resource('logs'), credential('key', { rotationMs: DAY }), resource('db')],
          edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read'])],
          attacks: [replay('key', 'logs', DAY + HOUR, fixed(replayDelayMs))],
          policies: [persistent()],
        });
      expect(runOne(build(12 * HOUR)).attack_success).toBe(1); // used at 1d13h, version ends at 2d
      expect(runOne(build(23 * HOUR)).attack_success).toBe(0); // used at 2d exactly: dead
    });

    it('should give the newest token copy at a holder the attacker reads under a broker', () => {
      // Tokens are minted every hour and live 15 min: a leak 5 min after a mint, used 5 min later, works;
      // used 20 min later it does not.
      const build = (replayDelayMs: number) =>
        scenario({
          nodes: [agent('ci'), resource('logs'), credential('key'), resource('db')],
          edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read'])],
          workload: [task('ci', [step('db', 'read', 'key')], { everyMs: HOUR, durationMs: MIN })],
          attacks: [replay('key', 'logs', 5 * MIN, fixed(replayDelayMs))],
          policies: [ephemeral('eph', { ttlMs: 15 * MIN })],
        });
      expect(runOne(build(5 * MIN)).attack_success).toBe(1);
      expect(runOne(build(20 * MIN)).attack_success).toBe(0);
    });

    it('should let the controlled workload mint fresh tokens within its declared intent, forever', () => {
      const s = scenario({
        nodes: [agent('ci'), credential('key'), resource('db', { records: 7 }), resource('other')],
        edges: [holds('ci', 'key'), grants('key', 'db', ['read', 'write']), grants('key', 'other', ['read'])],
        workload: [task('ci', [step('db', 'read', 'key')], { everyMs: DAY, atMs: 0, durationMs: MIN })],
        attacks: [lateral('ci', 3 * HOUR)],
        policies: [ephemeral('eph', { ttlMs: 15 * MIN })],
      });
      const m = runOne(s);
      expect(m.resources_reached).toBe(1); // db read only; `other` and db write are outside intent
      expect(m.records_exposed).toBe(7);
      expect(m.privileged_resources).toBe(0);
      expect(m.exposure_window_s).toBe((30 * DAY - 3 * HOUR) / 1000);
    });
  });

  describe('R7 broker', () => {
    const build = (policyExtra: Parameters<typeof ephemeral>[1]) =>
      scenario({
        nodes: [agent('ci'), resource('logs'), credential('key'), resource('db', { records: 3 })],
        edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read', 'write'])],
        workload: [task('ci', [step('db', 'read', 'key')], { everyMs: HOUR, durationMs: MIN })],
        attacks: [lateral('ci', 0), replay('key', 'logs', 0, fixed(MIN))],
        policies: [persistent(), ephemeral('eph', policyExtra)],
      });

    it('should deny a controlled agent issuance outside its declared intent', () => {
      const s = build({});
      expect(runOne(s, { policy: 'persistent', attack: 'lateral-movement' }).privileged_resources).toBe(1);
      expect(runOne(s, { policy: 'eph', attack: 'lateral-movement' }).privileged_resources).toBe(0);
    });

    it('should deny a re-evaluated out-of-intent use of a role-scoped token', () => {
      const s = build({ scope: 'role', reevaluate: 'privileged' });
      const none = build({ scope: 'role', reevaluate: 'none' });
      expect(runOne(none, { policy: 'eph', attack: 'secret-replay' }).privileged_resources).toBe(1);
      expect(runOne(s, { policy: 'eph', attack: 'secret-replay' }).privileged_resources).toBe(0);
      expect(runOne(s, { policy: 'eph', attack: 'secret-replay' }).records_exposed).toBe(3);
    });

    it('should reject a workload-bound token replayed from elsewhere', () => {
      expect(runOne(build({ bindToWorkload: false }), { policy: 'eph', attack: 'secret-replay' }).attack_success).toBe(1);
      expect(runOne(build({ bindToWorkload: true }), { policy: 'eph', attack: 'secret-replay' }).attack_success).toBe(0);
    });
  });

  describe('R8 assumes', () => {
    // role-key (used by the agent for `bucket`) can be exchanged for admin-role (grants `db`).
    const build = (agentUsesAdminRole: boolean) =>
      scenario({
        nodes: [
          agent('app'),
          resource('logs'),
          credential('role-key'),
          credential('admin-role'),
          resource('bucket'),
          resource('db', { sensitivity: 'regulated', weight: 10 }),
        ],
        edges: [
          holds('app', 'role-key'),
          holds('logs', 'role-key'),
          holds('app', 'admin-role'),
          grants('role-key', 'bucket', ['read']),
          assumes('role-key', 'admin-role'),
          grants('admin-role', 'db', ['read']),
        ],
        workload: [
          task(
            'app',
            agentUsesAdminRole
              ? [step('bucket', 'read', 'role-key'), step('db', 'read', 'admin-role')]
              : [step('bucket', 'read', 'role-key')],
            {
              everyMs: HOUR,
              durationMs: 10 * MIN,
            },
          ),
        ],
        // A short hop: an exchanged token lives one ttl and is first used one hop later.
        attacks: [replay('role-key', 'logs', 2 * MIN, fixed(MIN), { hopDelay: fixed(MIN) })],
        policies: [persistent(), ephemeral('eph', { ttlMs: 15 * MIN })],
      });

    it('should chain a standing role into the assumed one', () => {
      const m = runOne(build(false), { policy: 'persistent' });
      expect(m.resources_reached).toBe(2);
      expect(m.blast_radius).toBe(11);
      expect(m.max_hops).toBe(2);
      expect(m.credentials_harvested).toBe(2);
    });

    it('should let the broker exchange a token for a role the principal declared', () => {
      const m = runOne(build(true), { policy: 'eph' });
      expect(m.resources_reached).toBe(2);
      expect(m.credentials_harvested).toBe(2);
    });

    it('should deny an exchange outside the principal’s declared intent', () => {
      const m = runOne(build(false), { policy: 'eph' });
      expect(m.resources_reached).toBe(1);
      expect(m.credentials_harvested).toBe(1);
    });
  });

  describe('R9 detection and revocation', () => {
    const build = (gcpLatencyMs: number, probability = 1) =>
      scenario({
        nodes: [
          agent('svc', { environment: 'aws' }),
          resource('logs'),
          credential('key'),
          resource('aws-db', { environment: 'aws' }),
          resource('gcp-db', { environment: 'gcp' }),
        ],
        edges: [holds('svc', 'key'), holds('logs', 'key'), grants('key', 'aws-db', ['read']), grants('key', 'gcp-db', ['read'])],
        attacks: [replay('key', 'logs', DAY, fixed(HOUR))],
        policies: [
          persistent('p', {
            detection: { probability, delay: fixed(2 * HOUR), atMs: Infinity },
            revocationLatency: { default: fixed(0), byEnvironment: { gcp: fixed(gcpLatencyMs) } },
          }),
        ],
      });

    it('should revoke a detected credential and report the containment time', () => {
      const m = runOne(build(0));
      expect(m.resources_reached).toBe(2);
      // used at 1d1h, detected 2h later → dead everywhere at 1d3h, 3h after the leak.
      expect(m.exposure_window_s).toBe((2 * HOUR) / 1000);
      expect(m.time_to_containment_s).toBe((3 * HOUR) / 1000);
    });

    it('should keep access longer in the environment that revokes slowly (multi-cloud)', () => {
      const m = runOne(build(6 * HOUR));
      expect(m.exposure_window_s).toBe((8 * HOUR) / 1000);
      expect(m.time_to_containment_s).toBe((9 * HOUR) / 1000);
    });

    it('should leave time_to_containment empty when nothing is detected', () => {
      const m = runOne(build(0, 0));
      expect(m.time_to_containment_s).toBeNull();
      expect(m.exposure_window_s).toBe((29 * DAY - HOUR) / 1000);
    });

    it('should leave time_to_containment empty when the stolen copy dies naturally before the revocation lands', () => {
      const s = scenario({
        nodes: [agent('svc'), resource('logs'), credential('key', { rotationMs: DAY }), resource('db')],
        edges: [holds('svc', 'key'), holds('logs', 'key'), grants('key', 'db', ['read'])],
        attacks: [replay('key', 'logs', 20 * HOUR, fixed(HOUR))],
        policies: [persistent('p', { detection: { probability: 1, delay: fixed(12 * HOUR), atMs: Infinity } })],
      });
      const m = runOne(s);
      expect(m.attack_success).toBe(1);
      expect(m.exposure_window_s).toBe((3 * HOUR) / 1000);
      expect(m.time_to_containment_s).toBeNull();
    });
  });
});
