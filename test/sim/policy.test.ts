/** Every policy parameter of SPEC §2 changes what a trial measures: one example each. */
import { describe, expect, it } from 'vitest';
import type { Policy, Scenario } from '../../src/domain/scenario.js';
import { simulateOccurrence } from '../../src/workload/occurrence.js';
import { modesOf, costSeedOf } from '../../src/sim/trial.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  ephemeral,
  fixed,
  grants,
  holds,
  hybrid,
  lateral,
  persistent,
  replay,
  resource,
  revokeOn,
  scenario,
  step,
  task,
  withStrayBroker,
} from '../arbitraries/build.js';
import { meanOf, modelOf, runMany, runOne } from '../arbitraries/run.js';

/** ci holds `key` (also echoed into `logs`); key grants db read/write; ci writes db every hour for 10 min. */
function ciScenario(
  policies: Policy[],
  opts: { leakAtMs?: number; replayDelayMs?: number; taskExtra?: Parameters<typeof task>[2] } = {},
): Scenario {
  return scenario({
    nodes: [
      agent('ci'),
      resource('logs'),
      credential('key'),
      resource('db', { records: 100, sensitivity: 'confidential', weight: 3 }),
    ],
    edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read', 'write'])],
    workload: [task('ci', [step('db', 'write', 'key')], { everyMs: HOUR, durationMs: 10 * MIN, ...opts.taskExtra })],
    attacks: [replay('key', 'logs', opts.leakAtMs ?? 2 * MIN, fixed(opts.replayDelayMs ?? 0))],
    policies,
  });
}

describe('sim/trial under each policy parameter', () => {
  describe('rotation', () => {
    it('should kill a stolen standing copy at the next rotation, and never when rotation is never', () => {
      const s = ciScenario(
        [persistent('daily', { rotationMs: DAY }), persistent('never', { rotationMs: Number.POSITIVE_INFINITY })],
        {
          leakAtMs: 12 * HOUR,
          replayDelayMs: 13 * HOUR,
        },
      );
      expect(runOne(s, { policy: 'daily' }).attack_success).toBe(0);
      const never = runOne(s, { policy: 'never' });
      expect(never.attack_success).toBe(1);
      expect(never.exposure_window_s).toBe((30 * DAY - 25 * HOUR) / 1000);
    });

    it('should cap the exposure window at the rotation boundary', () => {
      const s = ciScenario([persistent('daily', { rotationMs: DAY })], { leakAtMs: 12 * HOUR, replayDelayMs: HOUR });
      expect(runOne(s).exposure_window_s).toBe((11 * HOUR) / 1000);
    });
  });

  describe('ttl', () => {
    it('should let a replayed token work only while its ttl lasts', () => {
      // Minted at 0, leaked at 2 min, replayed 10 min later (12 min after mint).
      const s = ciScenario([ephemeral('5m', { ttlMs: 5 * MIN }), ephemeral('30m', { ttlMs: 30 * MIN })], {
        replayDelayMs: 10 * MIN,
      });
      expect(runOne(s, { policy: '5m' }).attack_success).toBe(0);
      const long = runOne(s, { policy: '30m' });
      expect(long.attack_success).toBe(1);
      expect(long.exposure_window_s).toBe((18 * MIN) / 1000);
    });
  });

  describe('scope', () => {
    // A task writes db then reads bucket with the same key (which grants read+write on both).
    const s = scenario({
      nodes: [
        agent('ci'),
        resource('logs'),
        credential('key'),
        resource('db', { records: 100 }),
        resource('bucket', { records: 5 }),
      ],
      edges: [
        holds('ci', 'key'),
        holds('logs', 'key'),
        grants('key', 'db', ['read', 'write']),
        grants('key', 'bucket', ['read', 'write']),
      ],
      workload: [
        task('ci', [step('db', 'write', 'key'), step('bucket', 'read', 'key')], { everyMs: HOUR, durationMs: 10 * MIN }),
      ],
      attacks: [replay('key', 'logs', 2 * MIN, fixed(MIN))], // leaked during step 1 (db write)
      policies: [
        ephemeral('task', { scope: 'task' }),
        ephemeral('step', { scope: 'step' }),
        ephemeral('role', { scope: 'role' }),
      ],
    });

    it('should limit a task-scoped token to the declared pairs: a write token cannot read db', () => {
      const m = runOne(s, { policy: 'task' });
      expect(m.resources_reached).toBe(2);
      expect(m.privileged_resources).toBe(1);
      expect(m.records_exposed).toBe(5); // bucket read was declared; db read was not
    });

    it('should limit a step-scoped token to its one step', () => {
      const m = runOne(s, { policy: 'step' });
      expect(m.resources_reached).toBe(1);
      expect(m.records_exposed).toBe(0);
      expect(m.privileged_resources).toBe(1);
    });

    it('should let a role-scoped token do everything its credential grants', () => {
      const m = runOne(s, { policy: 'role' });
      expect(m.resources_reached).toBe(2);
      expect(m.records_exposed).toBe(105);
      expect(m.privileged_resources).toBe(2);
    });
  });

  describe('revokeOn', () => {
    it('should revoke on completion: a copy leaked after the task is dead', () => {
      // 10-min task, 1 h ttl; leaked at 12 min, used at 13 min.
      const s = ciScenario(
        [ephemeral('keep', { ttlMs: HOUR }), ephemeral('revoke', { ttlMs: HOUR, revokeOn: revokeOn('completion') })],
        {
          leakAtMs: 12 * MIN,
          replayDelayMs: MIN,
        },
      );
      expect(runOne(s, { policy: 'keep' }).attack_success).toBe(1);
      expect(runOne(s, { policy: 'revoke' }).attack_success).toBe(0);
      // Revoking on failure or timeout does not touch a completed task's tokens.
      const other = ciScenario([ephemeral('ft', { ttlMs: HOUR, revokeOn: revokeOn('failure', 'timeout') })], {
        leakAtMs: 12 * MIN,
        replayDelayMs: MIN,
      });
      expect(runOne(other).attack_success).toBe(1);
    });

    it('should revoke on timeout: an aborted task’s copy is dead after the abort', () => {
      // 2 h task aborted at 30 min, 1 h ttl; leaked at 40 min.
      const taskExtra = { durationMs: 2 * HOUR, timeoutMs: 30 * MIN, everyMs: DAY };
      const s = ciScenario(
        [
          ephemeral('keep', { ttlMs: HOUR }),
          ephemeral('revoke', { ttlMs: HOUR, revokeOn: revokeOn('timeout') }),
          ephemeral('completion', { ttlMs: HOUR, revokeOn: revokeOn('completion') }),
        ],
        { leakAtMs: 40 * MIN, replayDelayMs: MIN, taskExtra },
      );
      expect(runOne(s, { policy: 'keep' }).attack_success).toBe(1);
      expect(runOne(s, { policy: 'revoke' }).attack_success).toBe(0);
      expect(runOne(s, { policy: 'completion' }).attack_success).toBe(1);
      expect(runOne(s, { policy: 'keep' }).tasks_failed).toBe(30);
    });

    it('should revoke on failure: a failed task’s served token is dead after the failure', () => {
      // Two credentials per task, availability 0.5: find an occurrence where one request was served and the task failed.
      const build = (policies: Policy[], leakAtMs: number): Scenario =>
        scenario({
          horizonMs: 2 * DAY,
          nodes: [agent('ci'), resource('logs'), credential('a'), credential('b'), resource('db'), resource('bucket')],
          edges: [
            holds('ci', 'a'),
            holds('ci', 'b'),
            holds('logs', 'a'),
            holds('logs', 'b'),
            grants('a', 'db', ['write']),
            grants('b', 'bucket', ['write']),
          ],
          workload: [
            task('ci', [step('db', 'write', 'a'), step('bucket', 'write', 'b')], { everyMs: HOUR, durationMs: 10 * MIN }),
          ],
          attacks: [replay('a', 'logs', leakAtMs, fixed(MIN)), replay('b', 'logs', leakAtMs, fixed(MIN))],
          policies,
        });
      const issuer = { latency: fixed(0), availability: 0.5 };
      // Both runs below name their policy `p`, so they share the workload draws probed here.
      const revoke = ephemeral('p', { ttlMs: HOUR, issuer, revokeOn: revokeOn('failure') });
      const model = modelOf(build([revoke], 0));
      let found: { k: number; cred: string } | null = null;
      for (let k = 0; k < 48 && found === null; k++) {
        const occ = simulateOccurrence(model, revoke, modesOf(model, 0), costSeedOf(model, 0, 0), 0, k);
        if (occ.status === 'failed' && occ.issuances.length === 1) found = { k, cred: model.ids[occ.issuances[0]!.cred]! };
      }
      expect(found).not.toBeNull();
      const { k, cred } = found!;
      const leakAtMs = k * HOUR + 5 * MIN;
      const withKeep = build([ephemeral('p', { ttlMs: HOUR, issuer })], leakAtMs);
      const withRevoke = build([ephemeral('p', { ttlMs: HOUR, issuer, revokeOn: revokeOn('failure') })], leakAtMs);
      expect(runOne(withKeep, { attack: cred === 'a' ? 0 : 1 }).attack_success).toBe(1);
      expect(runOne(withRevoke, { attack: cred === 'a' ? 0 : 1 }).attack_success).toBe(0);
    });
  });

  describe('reevaluate', () => {
    // A role-scoped token of an agent that declared only db read; key also grants db write and wiki read.
    const s = scenario({
      nodes: [agent('ci'), resource('logs'), credential('key'), resource('db'), resource('wiki')],
      edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read', 'write']), grants('key', 'wiki', ['read'])],
      workload: [task('ci', [step('db', 'read', 'key')], { everyMs: HOUR, durationMs: 10 * MIN })],
      attacks: [replay('key', 'logs', 2 * MIN, fixed(MIN))],
      policies: [
        ephemeral('none', { scope: 'role', reevaluate: 'none' }),
        ephemeral('privileged', { scope: 'role', reevaluate: 'privileged' }),
        ephemeral('every-step', { scope: 'role', reevaluate: 'every-step' }),
      ],
    });

    it('should allow everything the role grants without re-evaluation', () => {
      expect(runOne(s, { policy: 'none' })).toMatchObject({ resources_reached: 2, privileged_resources: 1 });
    });

    it('should deny out-of-intent writes but not reads with privileged re-evaluation', () => {
      expect(runOne(s, { policy: 'privileged' })).toMatchObject({ resources_reached: 2, privileged_resources: 0 });
    });

    it('should deny every out-of-intent action with every-step re-evaluation', () => {
      expect(runOne(s, { policy: 'every-step' })).toMatchObject({ resources_reached: 1, privileged_resources: 0 });
    });
  });

  describe('bindToWorkload', () => {
    const build = (identity: 'workload' | 'shared-secret') =>
      scenario({
        nodes: [agent('ci', { identity }), resource('logs'), credential('key'), resource('db')],
        edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['write'])],
        workload: [task('ci', [step('db', 'write', 'key')], { everyMs: HOUR, durationMs: 10 * MIN })],
        attacks: [replay('key', 'logs', 2 * MIN, fixed(MIN)), lateral('ci', 2 * MIN)],
        policies: [ephemeral('free', { bindToWorkload: false }), ephemeral('bound', { bindToWorkload: true })],
      });

    it('should make a replayed sender-constrained token useless', () => {
      expect(runOne(build('workload'), { policy: 'free' }).attack_success).toBe(1);
      expect(runOne(build('workload'), { policy: 'bound' }).attack_success).toBe(0);
    });

    it('should not bind tokens of an agent whose identity is a shared secret', () => {
      expect(runOne(build('shared-secret'), { policy: 'bound' }).attack_success).toBe(1);
    });

    it('should not stop the attacker who controls the workload itself', () => {
      expect(runOne(build('workload'), { policy: 'bound', attack: 'lateral-movement' }).attack_success).toBe(1);
    });
  });

  describe('detection', () => {
    const build = (probability: number, delayMs: number) =>
      ciScenario([persistent('p', { detection: { probability, delay: fixed(delayMs), atMs: Infinity } })], {
        leakAtMs: HOUR,
        replayDelayMs: HOUR,
      });

    it('should never contain when probability is 0, always when it is 1', () => {
      expect(runOne(build(0, HOUR)).time_to_containment_s).toBeNull();
      expect(runOne(build(1, HOUR)).time_to_containment_s).toBe((2 * HOUR) / 1000);
    });

    it('should contain later with a longer delay', () => {
      expect(runOne(build(1, 5 * HOUR)).time_to_containment_s).toBe((6 * HOUR) / 1000);
      expect(runOne(build(1, 5 * HOUR)).exposure_window_s).toBe((5 * HOUR) / 1000);
    });

    it('should contain about as often as the probability says', () => {
      // Two attempts (db read and write), each noticed with p = 0.3 → contained with 1 − 0.7².
      const rows = runMany(build(0.3, HOUR), 400);
      const rate = rows.filter((r) => r.time_to_containment_s !== null).length / rows.length;
      const p = 1 - 0.7 * 0.7;
      expect(Math.abs(rate - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / rows.length));
    });
  });

  describe('revocationLatency', () => {
    it('should use the environment’s latency, else the default', () => {
      const s = scenario({
        nodes: [resource('logs'), credential('key'), resource('db', { environment: 'azure' })],
        edges: [holds('logs', 'key'), grants('key', 'db', ['read'])],
        attacks: [replay('key', 'logs', 0, fixed(0))],
        policies: [
          persistent('default', {
            detection: { probability: 1, delay: fixed(0), atMs: Infinity },
            revocationLatency: { default: fixed(3 * HOUR), byEnvironment: {} },
          }),
          persistent('azure', {
            detection: { probability: 1, delay: fixed(0), atMs: Infinity },
            revocationLatency: { default: fixed(3 * HOUR), byEnvironment: { azure: fixed(HOUR) } },
          }),
        ],
      });
      expect(runOne(s, { policy: 'default' }).time_to_containment_s).toBe((3 * HOUR) / 1000);
      expect(runOne(s, { policy: 'azure' }).time_to_containment_s).toBe(HOUR / 1000);
    });
  });

  describe('issuer', () => {
    it('should report the issuer latency as the wait p95 and delay the task (a timeout)', () => {
      const s = ciScenario([ephemeral('fast'), ephemeral('slow', { issuer: { latency: fixed(2 * MIN), availability: 1 } })], {
        taskExtra: { timeoutMs: 11 * MIN },
      });
      const fast = runOne(s, { policy: 'fast' });
      const slow = runOne(s, { policy: 'slow' });
      expect(fast).toMatchObject({ issuance_wait_p95_ms: 0, tasks_failed: 0, tasks_total: 720 });
      expect(slow).toMatchObject({ issuance_wait_p95_ms: 2 * MIN, tasks_failed: 720 });
    });

    it('should fail the tasks whose request the issuer does not serve', () => {
      const s = ciScenario([
        ephemeral('down', { issuer: { latency: fixed(0), availability: 0 } }),
        ephemeral('flaky', { issuer: { latency: fixed(0), availability: 0.9 } }),
      ]);
      const down = runOne(s, { policy: 'down' });
      expect(down).toMatchObject({ tasks_total: 720, tasks_failed: 720, tokens_issued: 0 });
      const flaky = runMany(s, 20, { policy: 'flaky' });
      const failedRate = meanOf(flaky, 'tasks_failed') / 720;
      expect(failedRate).toBeGreaterThan(0.08);
      expect(failedRate).toBeLessThan(0.12);
    });

    it('should not make persistent policies wait for the issuer', () => {
      // A persistent policy has no issuer; one smuggled in with a broker is not waited for either.
      const issuer = { latency: fixed(2 * MIN), availability: 0 };
      const s = ciScenario([withStrayBroker(persistent('p'), ephemeral('b', { issuer }).broker)]);
      expect(runOne(s)).toMatchObject({ tasks_failed: 0, issuance_wait_p95_ms: 0, tokens_issued: 0 });
    });
  });

  describe('exceptions (hybrid)', () => {
    it('should keep a matched credential persistent (replayable long after the leak) and mint the rest', () => {
      const s = ciScenario(
        [
          hybrid('kept', {
            exceptions: [
              { match: { replans: null, maxSensitivity: null, environment: null, ids: ['key'] }, rotationMs: 90 * DAY },
            ],
          }),
          hybrid('minted'),
        ],
        { replayDelayMs: DAY },
      );
      expect(runOne(s, { policy: 'kept' })).toMatchObject({ attack_success: 1, tokens_issued: 0 });
      expect(runOne(s, { policy: 'minted' })).toMatchObject({ attack_success: 0, tokens_issued: 720 });
    });
  });

  describe('ephemeralCapable: false', () => {
    it('should stay a replayable standing secret under an ephemeral policy', () => {
      const s = scenario({
        nodes: [agent('batch'), resource('logs'), credential('legacy', { ephemeralCapable: false }), resource('mainframe')],
        edges: [holds('batch', 'legacy'), holds('logs', 'legacy'), grants('legacy', 'mainframe', ['read'])],
        workload: [task('batch', [step('mainframe', 'read', 'legacy')], { everyMs: DAY, durationMs: HOUR })],
        attacks: [replay('legacy', 'logs', DAY, fixed(3 * DAY))],
        policies: [ephemeral('eph', { ttlMs: 5 * MIN })],
      });
      expect(runOne(s)).toMatchObject({ attack_success: 1, tokens_issued: 0, tasks_failed: 0 });
    });
  });

  it('should share credential modes between policies, and variants, that set them alike, and only those', () => {
    const standing = { match: { ids: ['key'], environment: null, replans: null, maxSensitivity: null }, rotationMs: DAY };
    const model = modelOf(
      ciScenario([
        hybrid('h', { exceptions: [standing] }),
        hybrid('h-bound', { exceptions: [standing], bindToWorkload: true, reevaluate: 'every-step' }),
        hybrid('h-none', { exceptions: [] }),
        hybrid('h-rotated', { exceptions: [{ ...standing, rotationMs: HOUR }] }),
      ]),
    );
    // Binding and re-evaluation leave the modes alone: one object.
    expect(modesOf(model, 1)).toBe(modesOf(model, 0));
    // A variant's model (the base's graph, other policies) finds them too.
    const variant = { ...model, scenario: { ...model.scenario, policies: [model.scenario.policies[1]!] } };
    expect(modesOf(variant, 0)).toBe(modesOf(model, 0));
    // Other exceptions: other modes, and they differ.
    const key = model.ids.indexOf('key');
    expect(modesOf(model, 0).ephemeral[key]).toBe(0);
    expect(modesOf(model, 2).ephemeral[key]).toBe(1);
    expect(modesOf(model, 3).rotationMs[key]).toBe(HOUR);
    expect(modesOf(model, 0).rotationMs[key]).toBe(DAY);
  });
});
