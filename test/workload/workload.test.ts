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
  });

  it('should count rotations of standing secrets inside the horizon as issuances (not the initial one)', () => {
    const s = estate([], 30 * DAY);
    expect(costOf(s, persistent('p', { rotationMs: DAY }))).toMatchObject({ tokens_issued: 2 * 29, peak_issuance_per_s: 2 });
    expect(costOf(s, persistent('p', { rotationMs: Number.POSITIVE_INFINITY })).tokens_issued).toBe(0);
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
