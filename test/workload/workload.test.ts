/** Benign workload under a policy (SPEC §3, DESIGN §2.2): occurrences, issuance, failures, cost metrics. */
import { describe, expect, it } from 'vitest';
import type { Policy, Scenario, Task } from '../../src/domain/scenario.js';
import { lastOccurrenceAt, occurrenceCount, occurrenceStart, simulateOccurrence } from '../../src/workload/occurrence.js';
import { workloadCost } from '../../src/workload/cost.js';
import { credentialModes } from '../../src/policy/modes.js';
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
  lateral,
  persistent,
  resource,
  revokeOn,
  scenario,
  step,
  task,
  uniform,
} from '../arbitraries/build.js';
import { modelOf } from '../arbitraries/run.js';

function estate(workload: Task[], horizonMs = DAY): Scenario {
  return scenario({
    horizonMs,
    nodes: [agent('job'), credential('key'), credential('key2'), resource('db'), resource('bucket')],
    edges: [
      holds('job', 'key'),
      holds('job', 'key2'),
      grants('key', 'db', ['read', 'write']),
      grants('key2', 'bucket', ['read']),
    ],
    workload,
    attacks: [lateral('job', 0)],
    policies: [persistent()],
  });
}

const costOf = (s: Scenario, policy: Policy, seed = 1) => {
  const model = modelOf(s);
  return workloadCost(model, policy, credentialModes(model, policy), seed);
};
const occurrenceOf = (s: Scenario, policy: Policy, k = 0, taskIndex = 0) => {
  const model = modelOf(s);
  return simulateOccurrence(model, policy, credentialModes(model, policy), 1, taskIndex, k);
};

describe('workload/occurrence', () => {
  it('should schedule periodic occurrences from `at` every `every` before the horizon', () => {
    const t = task('job', [], { atMs: 30 * MIN, everyMs: HOUR });
    expect(occurrenceStart(t, 3)).toBe(3 * HOUR + 30 * MIN);
    expect(occurrenceCount(t, DAY)).toBe(24);
    expect(lastOccurrenceAt(t, 10 * MIN)).toBe(-1);
    expect(lastOccurrenceAt(t, 90 * MIN)).toBe(1);
  });

  it('should schedule a one-off task once, and not at all past the horizon', () => {
    const once = task('job', [], { atMs: 3 * HOUR, everyMs: Number.POSITIVE_INFINITY });
    expect(occurrenceCount(once, DAY)).toBe(1);
    expect(occurrenceCount(task('job', [], { atMs: DAY, everyMs: Number.POSITIVE_INFINITY }), DAY)).toBe(0);
    expect(lastOccurrenceAt(once, 5 * DAY)).toBe(0);
  });

  it('should fail a non-refreshable 3 h task at its 15 min token expiry', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: 3 * HOUR, refreshable: false, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { ttlMs: 15 * MIN }));
    expect(occ.status).toBe('failed');
    expect(occ.end).toBe(15 * MIN);
    expect(occ.issuances).toHaveLength(1);
  });

  it('should re-authorize a refreshable 3 h task at each expiry', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: 3 * HOUR, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { ttlMs: 15 * MIN }));
    expect(occ.status).toBe('completed');
    expect(occ.end).toBe(3 * HOUR);
    expect(occ.reauthorizations).toBe(11);
    expect(occ.issuances.map((i) => i.mintAt)).toEqual(Array.from({ length: 12 }, (_, i) => i * 15 * MIN));
    expect(occ.issuances.map((i) => i.reauth)).toEqual(Array.from({ length: 12 }, (_, i) => i > 0));
    expect(occ.issuances.map((i) => i.expiresAt)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 15 * MIN));
  });

  it('should abort a task that runs past its timeout', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: HOUR, timeoutMs: 20 * MIN, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { ttlMs: 2 * HOUR }));
    expect(occ.status).toBe('timeout');
    expect(occ.end).toBe(20 * MIN);
    // The timeout applies under standing access too: it is the task's own limit.
    expect(occurrenceOf(s, persistent()).status).toBe('timeout');
  });

  it('should mint one token per distinct credential per task with scope task, one per step with scope step', () => {
    const steps = [step('db', 'read', 'key'), step('db', 'write', 'key'), step('bucket', 'read', 'key2')];
    const s = estate([task('job', steps, { durationMs: 9 * MIN, everyMs: DAY })]);
    expect(occurrenceOf(s, ephemeral('t', { scope: 'task' })).issuances).toHaveLength(2);
    const byStep = occurrenceOf(s, ephemeral('s', { scope: 'step' })).issuances;
    expect(byStep.map((i) => [i.step, i.mintAt])).toEqual([
      [0, 0],
      [1, 3 * MIN],
      [2, 6 * MIN],
    ]);
  });

  it('should end a step token with its step when revoking on completion', () => {
    const s = estate([
      task('job', [step('db', 'read', 'key'), step('db', 'write', 'key')], { durationMs: 10 * MIN, everyMs: DAY }),
    ]);
    const tokens = occurrenceOf(s, ephemeral('s', { scope: 'step', revokeOn: revokeOn('completion') })).issuances;
    expect(tokens.map((i) => i.deadAt)).toEqual([5 * MIN, 10 * MIN]);
    // Without revocation on completion, each lives to its expiry.
    const kept = occurrenceOf(s, ephemeral('k', { scope: 'step', revokeOn: revokeOn('failure', 'timeout') })).issuances;
    expect(kept.map((i) => i.deadAt)).toEqual([15 * MIN, 20 * MIN]);
  });

  it('should end each of many step tokens with its own step', () => {
    const steps = Array.from({ length: 12 }, (_, i) => step('db', i % 2 === 0 ? 'read' : 'write', 'key'));
    const s = estate([task('job', steps, { durationMs: 12 * MIN, everyMs: DAY })]);
    const tokens = occurrenceOf(s, ephemeral('s', { scope: 'step', revokeOn: revokeOn('completion') })).issuances;
    expect(tokens.map((i) => [i.step, i.mintAt, i.deadAt])).toEqual(steps.map((_, i) => [i, i * MIN, (i + 1) * MIN]));
  });

  it('should let the token of a step that never completes live to its expiry when revoking on completion only', () => {
    const policy = ephemeral('s', { scope: 'step', ttlMs: HOUR, revokeOn: revokeOn('completion') });
    // A legacy task's first 2 h step fails at its token's expiry, one hour in.
    const legacy = estate([
      task('job', [step('db', 'read', 'key'), step('db', 'write', 'key')], { durationMs: 20 * MIN, everyMs: DAY }),
      task('job', [step('db', 'read', 'key'), step('db', 'write', 'key')], {
        durationMs: 4 * HOUR,
        refreshable: false,
        everyMs: DAY,
      }),
    ]);
    // The first task leaves its step ends in the engine's scratch; the second must not inherit them.
    expect(occurrenceOf(legacy, policy, 0, 0).issuances.map((i) => i.deadAt)).toEqual([10 * MIN, 20 * MIN]);
    const failed = occurrenceOf(legacy, policy, 0, 1);
    expect(failed).toMatchObject({ status: 'failed', end: HOUR });
    expect(failed.issuances.map((i) => [i.mintAt, i.deadAt])).toEqual([[0, HOUR]]);
    // A step cut short by the timeout never completes either: its token is not revoked at the moment
    // the step would have ended (revokeOn has no `timeout` here).
    const aborted = occurrenceOf(
      estate([
        task('job', [step('db', 'read', 'key'), step('db', 'write', 'key')], {
          durationMs: 20 * MIN,
          timeoutMs: 15 * MIN,
          everyMs: DAY,
        }),
      ]),
      policy,
    );
    expect(aborted).toMatchObject({ status: 'timeout', end: 15 * MIN });
    expect(aborted.issuances.map((i) => [i.mintAt, i.deadAt])).toEqual([
      [0, 10 * MIN],
      [10 * MIN, 10 * MIN + HOUR],
    ]);
  });

  it('should start the task after the slowest issuer response', () => {
    const s = estate([
      task('job', [step('db', 'write', 'key'), step('bucket', 'read', 'key2')], { durationMs: 10 * MIN, everyMs: DAY }),
    ]);
    const occ = occurrenceOf(s, ephemeral('e', { issuer: { latency: uniform(0, 10_000), availability: 1 } }));
    const slowest = Math.max(...occ.waits);
    expect(occ.waits).toHaveLength(2);
    expect(occ.end).toBe(10 * MIN + slowest);
    expect(occ.issuances.every((i) => i.mintAt === slowest)).toBe(true);
    for (let k = 1; k < 12; k++) {
      const later = occurrenceOf(s, ephemeral('e', { issuer: { latency: uniform(0, 10_000), availability: 1 } }), k);
      expect(later.end - later.start).toBe(10 * MIN + Math.max(...later.waits));
    }
  });

  it('should cancel a token whose issuance outlasts the timeout', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: 10 * MIN, timeoutMs: MIN, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { issuer: { latency: fixed(2 * MIN), availability: 1 } }));
    expect(occ).toMatchObject({ status: 'timeout', end: MIN, waits: [2 * MIN], issuances: [] });
  });

  it('should take the approval wait at the start, before any token is requested', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: 10 * MIN, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { approval: { actions: ['write'], refuse: 0, wait: fixed(5 * MIN) } }));
    expect(occ).toMatchObject({ status: 'completed', end: 15 * MIN, waits: [5 * MIN, 0] });
    expect(occ.issuances.map((i) => i.mintAt)).toEqual([5 * MIN]);
  });

  it('should count an occurrence starting exactly at `at` as the one running then', () => {
    const t = task('job', [], { atMs: 30 * MIN, everyMs: HOUR });
    expect(lastOccurrenceAt(t, 30 * MIN)).toBe(0);
    expect(lastOccurrenceAt(t, 30 * MIN - 1)).toBe(-1);
  });

  it('should complete a non-refreshable task that runs exactly as long as its token lives', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: 15 * MIN, refreshable: false, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { ttlMs: 15 * MIN }));
    expect(occ).toMatchObject({ status: 'completed', end: 15 * MIN, reauthorizations: 0 });
    expect(occ.issuances).toHaveLength(1);
  });

  it('should complete a task that ends exactly at its timeout, and revoke on completion then', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: 20 * MIN, timeoutMs: 20 * MIN, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { ttlMs: HOUR, revokeOn: revokeOn('completion') }));
    expect(occ).toMatchObject({ status: 'completed', end: 20 * MIN });
    expect(occ.issuances.map((i) => i.deadAt)).toEqual([20 * MIN]);
  });

  it('should time out, not re-authorize, when a token expires exactly at the timeout', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: HOUR, timeoutMs: 30 * MIN, everyMs: DAY })]);
    const occ = occurrenceOf(s, ephemeral('e', { ttlMs: 30 * MIN }));
    expect(occ).toMatchObject({ status: 'timeout', end: 30 * MIN, reauthorizations: 0 });
    expect(occ.issuances.map((i) => i.mintAt)).toEqual([0]);
  });

  it('should time out a task whose timeout falls exactly between two of its steps', () => {
    const s = estate([
      task('job', [step('db', 'read', 'key'), step('db', 'write', 'key')], {
        durationMs: 20 * MIN,
        timeoutMs: 10 * MIN,
        everyMs: DAY,
      }),
    ]);
    // The first step completes at the timeout, the second has all its work left then.
    const stepScoped = occurrenceOf(s, ephemeral('s', { scope: 'step' }));
    expect(stepScoped).toMatchObject({ status: 'timeout', end: 10 * MIN });
    // The aborted task asks for nothing at the abort moment: the second step's token is never requested.
    expect(stepScoped.issuances.map((i) => i.step)).toEqual([0]);
    expect(stepScoped.waits).toHaveLength(1);
    expect(occurrenceOf(s, persistent())).toMatchObject({ status: 'timeout', end: 10 * MIN });
  });

  it('should revoke the tokens of a failed occurrence at the failure only when revoking on failure', () => {
    // Two credentials, each request served with probability ½: some occurrences get one token and fail.
    const s = estate([
      task('job', [step('db', 'write', 'key'), step('bucket', 'read', 'key2')], { durationMs: 10 * MIN, everyMs: HOUR }),
    ]);
    const issuer = { latency: fixed(1000), availability: 0.5 };
    const revoking = ephemeral('r', { ttlMs: HOUR, revokeOn: revokeOn('failure'), issuer });
    const keeping = ephemeral('k', { ttlMs: HOUR, revokeOn: revokeOn('completion', 'timeout'), issuer });
    let failedWithToken = 0;
    for (let k = 0; k < 24; k++) {
      const occ = occurrenceOf(s, revoking, k);
      const kept = occurrenceOf(s, keeping, k);
      expect(kept.status).toBe(occ.status);
      if (occ.status !== 'failed') continue;
      expect(occ.end).toBe(occ.start + 1000);
      expect(occ.issuances.map((i) => i.deadAt)).toEqual(occ.issuances.map(() => occ.end));
      expect(kept.issuances.map((i) => i.deadAt)).toEqual(kept.issuances.map((i) => i.mintAt + HOUR));
      // An unserved request mints nothing: a failed occurrence holds fewer tokens than credentials.
      expect(occ.issuances.length).toBeLessThan(2);
      if (occ.issuances.length > 0) failedWithToken++;
    }
    expect(failedWithToken).toBeGreaterThan(0);
  });

  it('should revoke the tokens of a timed-out occurrence at the abort only when revoking on timeout', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: HOUR, timeoutMs: 20 * MIN, everyMs: DAY })]);
    const revoked = occurrenceOf(s, ephemeral('r', { ttlMs: 2 * HOUR, revokeOn: revokeOn('timeout') }));
    expect(revoked.issuances.map((i) => i.deadAt)).toEqual([20 * MIN]);
    const kept = occurrenceOf(s, ephemeral('k', { ttlMs: 2 * HOUR, revokeOn: revokeOn('completion', 'failure') }));
    expect(kept.issuances.map((i) => i.deadAt)).toEqual([2 * HOUR]);
  });
});

describe('workload/cost', () => {
  it('should count every periodic and one-off occurrence in tasks_total', () => {
    const s = estate([
      task('job', [step('db', 'read', 'key')], { everyMs: HOUR }),
      task('job', [step('db', 'read', 'key')], { atMs: 5 * HOUR, everyMs: Number.POSITIVE_INFINITY }),
    ]);
    expect(costOf(s, ephemeral()).tasks_total).toBe(25);
    expect(costOf(s, persistent()).tasks_total).toBe(25);
  });

  it('should count failures and re-authorizations of long tasks under a short ttl', () => {
    const legacy = estate([
      task('job', [step('db', 'write', 'key')], { durationMs: 3 * HOUR, refreshable: false, everyMs: 6 * HOUR }),
    ]);
    const modern = estate([
      task('job', [step('db', 'write', 'key')], { durationMs: 3 * HOUR, refreshable: true, everyMs: 6 * HOUR }),
    ]);
    const policy = ephemeral('e', { ttlMs: 15 * MIN });
    expect(costOf(legacy, policy)).toMatchObject({ tasks_total: 4, tasks_failed: 4, reauthorizations: 0, tokens_issued: 4 });
    expect(costOf(modern, policy)).toMatchObject({ tasks_total: 4, tasks_failed: 0, reauthorizations: 44, tokens_issued: 48 });
    expect(costOf(legacy, ephemeral('e4h', { ttlMs: 4 * HOUR })).tasks_failed).toBe(0);
  });

  it('should count a timeout as a failed task', () => {
    const s = estate([task('job', [step('db', 'write', 'key')], { durationMs: HOUR, timeoutMs: 20 * MIN, everyMs: 2 * HOUR })]);
    expect(costOf(s, ephemeral('e', { ttlMs: 2 * HOUR }))).toMatchObject({ tasks_total: 12, tasks_failed: 12 });
    // Under standing access no occurrence draws anything: one run stands for all twelve.
    expect(costOf(s, persistent())).toMatchObject({ tasks_total: 12, tasks_failed: 12, tokens_issued: 0 });
  });

  it('should count rotations of standing secrets inside the horizon as issuances (not the initial one)', () => {
    const s = estate([], 30 * DAY);
    expect(costOf(s, persistent('p', { rotationMs: DAY }))).toMatchObject({ tokens_issued: 2 * 29, peak_issuance_per_s: 2 });
    expect(costOf(s, persistent('p', { rotationMs: Number.POSITIVE_INFINITY })).tokens_issued).toBe(0);
  });

  it('should rotate a standing secret from its last rotation (T1) and stop at its expiry (T2)', () => {
    const times = { createdAtMs: null, lastUsedAtMs: null, nativeTtlMs: null };
    const s = {
      ...estate([], 30 * DAY),
      credentialTimes: { key: { ...times, lastRotatedAtMs: -6 * HOUR, expiresAtMs: 10 * DAY } },
    };
    // key: at 18 h, 42 h, … while before 10 days (10 rotations); key2: every day from day 1 (29).
    expect(costOf(s, persistent('p', { rotationMs: DAY }))).toMatchObject({ tokens_issued: 10 + 29, peak_issuance_per_s: 1 });
  });

  it('should report the peak issuance per second when tasks start together', () => {
    const steps = [step('db', 'read', 'key')];
    const s = estate([
      task('job', steps, { everyMs: HOUR }),
      task('job', steps, { everyMs: HOUR }),
      task('job', steps, { everyMs: 2 * HOUR }),
    ]);
    expect(costOf(s, ephemeral())).toMatchObject({ peak_issuance_per_s: 3, tokens_issued: 24 + 24 + 12 });
  });

  it('should report the nearest-rank p95 of issuer waits', () => {
    const s = estate([task('job', [step('db', 'read', 'key')], { everyMs: HOUR })]);
    const m = costOf(s, ephemeral('e', { issuer: { latency: fixed(250), availability: 1 } }));
    expect(m.issuance_wait_p95_ms).toBe(250);
    const spread = costOf(s, ephemeral('u', { issuer: { latency: uniform(0, 1000), availability: 1 } }));
    expect(spread.issuance_wait_p95_ms).toBeGreaterThan(700);
    expect(spread.issuance_wait_p95_ms).toBeLessThanOrEqual(1000);
  });
});
