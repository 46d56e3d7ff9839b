/**
 * How a cost pass replays the workload (workload/cost.ts accumulate): a task without a random draw
 * counts its first occurrence, shifted, for every other one; the rest replay a window of time at a
 * time, every task in turn. Both must give exactly what replaying every occurrence task by task gives,
 * which is what a pass with an issuance sink does (it hands each token over in schedule order). Under a
 * broker, the other tasks' occurrences are added straight to the sums (workload/direct.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile, type CompiledModel } from '../../src/model/compile.js';
import { credentialModes } from '../../src/policy/modes.js';
import { workloadCost } from '../../src/workload/cost.js';
import { occurrencesShift } from '../../src/workload/occurrence.js';
import type { Distribution } from '../../src/lib/distribution.js';
import type { Approval, Policy } from '../../src/domain/scenario.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  ephemeral,
  exponential,
  fixed,
  grants,
  holds,
  hybrid,
  lateral,
  resource,
  revokeOn,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';
import { runs } from '../runs.js';

/** A whole or (sometimes) fractional number of milliseconds in [min, max]. */
const msArb = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.integer({ min, max }).map((ms) => ms + 0.25) },
  );

const latencyArb: fc.Arbitrary<Distribution> = fc.oneof(
  { weight: 3, arbitrary: msArb(0, 2000).map(fixed) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map(exponential) },
);

const taskArb = fc.record({
  everyMs: fc.integer({ min: MIN, max: 6 * HOUR }),
  atMs: msArb(0, HOUR),
  durationMs: msArb(0, 2 * HOUR),
  timeoutMs: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), msArb(0, 3 * HOUR)),
  refreshable: fc.boolean(),
  creds: fc.subarray(['c0', 'c1', 'c2'], { minLength: 1 }),
});

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    kind: fc.constantFrom('ephemeral', 'hybrid'),
    ttlMs: msArb(MIN, 2 * HOUR),
    scope: fc.constantFrom('task' as const, 'step' as const),
    latency: latencyArb,
    availability: fc.constantFrom(1, 1, 0.8),
    triggers: fc.subarray(['completion', 'failure', 'timeout'] as const),
    approval: fc.option(msArb(0, 10 * MIN).map((ms): Approval => ({ actions: ['write'], refuse: 0, wait: fixed(ms) }))),
  })
  .map(({ kind, ttlMs, scope, latency, availability, triggers, approval }) => {
    const settings = { ttlMs, scope, revokeOn: revokeOn(...triggers), issuer: { latency, availability }, approval };
    return kind === 'hybrid'
      ? hybrid('p', {
          ...settings,
          exceptions: [{ match: { ids: ['c2'], environment: null, replans: null, maxSensitivity: null }, rotationMs: DAY }],
        })
      : ephemeral('p', settings);
  });

type TaskShape = typeof taskArb extends fc.Arbitrary<infer T> ? T : never;

/** One agent running `tasks` against a database with credentials c0–c2 (c2 stays standing under hybrid). */
function modelOf(tasks: readonly TaskShape[], policy: Policy, horizonMs: number): CompiledModel {
  return compile(
    scenario({
      nodes: [agent('a'), resource('db'), credential('c0'), credential('c1'), credential('c2')],
      edges: [
        ...['c0', 'c1', 'c2'].map((c) => holds('a', c)),
        ...['c0', 'c1', 'c2'].map((c) => grants(c, 'db', ['read', 'write'])),
      ],
      workload: tasks.map(({ creds, ...times }) =>
        task(
          'a',
          creds.map((c, i) => step('db', i % 2 === 0 ? 'write' : 'read', c)),
          times,
        ),
      ),
      attacks: [lateral('a', HOUR)],
      policies: [policy],
      horizonMs,
    }),
  );
}

describe('workload/cost replay', () => {
  it('should give the cost of replaying every occurrence task by task, shifted or windowed', () => {
    fc.assert(
      fc.property(
        fc.array(taskArb, { minLength: 1, maxLength: 3 }),
        policyArb,
        fc.constantFrom(2 * DAY, 30 * DAY),
        fc.nat(),
        (tasks, policy, horizonMs, seed) => {
          const model = modelOf(tasks, policy, horizonMs);
          const modes = credentialModes(model, policy);
          const bySink = workloadCost(model, policy, modes, seed, () => {});
          expect(workloadCost(model, policy, modes, seed)).toEqual(bySink);
        },
      ),
      runs(150),
    );
  });

  it('should give the task-by-task cost of yearly tasks over an 80-year horizon (mostly empty windows)', () => {
    const yearly = {
      everyMs: 365 * DAY,
      atMs: 3 * DAY,
      durationMs: HOUR,
      timeoutMs: Number.POSITIVE_INFINITY,
      refreshable: true,
    };
    const tasks: TaskShape[] = [
      { ...yearly, creds: ['c0'] },
      { ...yearly, atMs: 200 * DAY, creds: ['c1'] },
    ];
    for (const latency of [fixed(40), exponential(40)]) {
      const policy = ephemeral('p', { issuer: { latency, availability: 0.9 } });
      const model = modelOf(tasks, policy, 80 * 365 * DAY);
      const modes = credentialModes(model, policy);
      const cost = workloadCost(model, policy, modes, 3);
      expect(cost.tasks_total).toBe(160);
      expect(cost).toEqual(workloadCost(model, policy, modes, 3, () => {}));
    }
  });

  it('should time out, added straight, an occurrence whose step ends at its timeout with a step left', () => {
    // Step scope, two 10-minute steps, a 10-minute timeout: the first step ends exactly at the timeout,
    // so the second never starts (its work is due then). The first step's token is kept (minted at the start).
    const policy = ephemeral('p', { scope: 'step', ttlMs: HOUR, issuer: { latency: fixed(0), availability: 0.999999 } });
    const model = modelOf(
      [{ everyMs: HOUR, atMs: 0, durationMs: 20 * MIN, timeoutMs: 10 * MIN, refreshable: true, creds: ['c0', 'c1'] }],
      policy,
      DAY,
    );
    const modes = credentialModes(model, policy);
    const cost = workloadCost(model, policy, modes, 5);
    expect(cost).toEqual(workloadCost(model, policy, modes, 5, () => {}));
    expect(cost).toMatchObject({ tasks_total: 24, tasks_failed: 24, tokens_issued: 24 });
  });

  it('should add straight, as the pass through every occurrence does, tasks that re-authorize, time out or wait for approval', () => {
    const approval: Approval = { actions: ['write'], refuse: 0, wait: exponential(5 * MIN) };
    const shape: TaskShape = {
      everyMs: HOUR,
      atMs: 0,
      durationMs: 40 * MIN,
      timeoutMs: Number.POSITIVE_INFINITY,
      refreshable: true,
      creds: ['c0', 'c1'],
    };
    const cases: [TaskShape, Policy][] = [
      // Two re-authorizations per occurrence (40 minutes under 15-minute tokens), each batch drawn.
      [shape, ephemeral('p', { ttlMs: 15 * MIN, issuer: { latency: exponential(40), availability: 0.99 } })],
      // A legacy job cannot re-authenticate: every occurrence fails at its first expiry.
      [
        { ...shape, refreshable: false },
        ephemeral('p', { ttlMs: 15 * MIN, issuer: { latency: exponential(40), availability: 1 } }),
      ],
      // Approval waits before the first batch, and a timeout in the middle of a re-authorization.
      [
        { ...shape, timeoutMs: 35 * MIN },
        ephemeral('p', { ttlMs: 15 * MIN, approval, issuer: { latency: fixed(40), availability: 0.9 } }),
      ],
      // The tokens expire exactly at the timeout: the task times out there and asks for no more.
      [
        { ...shape, timeoutMs: 15 * MIN },
        ephemeral('p', { ttlMs: 15 * MIN, issuer: { latency: fixed(0), availability: 0.999999 } }),
      ],
      // Step scope: one token per step, each re-authorized in its own segment.
      [
        { ...shape, durationMs: 70 * MIN },
        ephemeral('p', { scope: 'step', ttlMs: 20 * MIN, issuer: { latency: exponential(2000), availability: 0.95 } }),
      ],
    ];
    for (const [task, policy] of cases) {
      const model = modelOf([task], policy, 3 * DAY);
      const modes = credentialModes(model, policy);
      const cost = workloadCost(model, policy, modes, 11);
      expect(cost).toEqual(workloadCost(model, policy, modes, 11, () => {}));
      expect(cost.tasks_total).toBe(72);
    }
    const reauthorizing = modelOf([shape], cases[0]![1], 3 * DAY);
    const cost = workloadCost(reauthorizing, cases[0]![1], credentialModes(reauthorizing, cases[0]![1]), 11);
    expect(cost.reauthorizations).toBeGreaterThan(2 * 72 * 2 * 0.9);
    const legacy = modelOf([cases[1]![0]], cases[1]![1], 3 * DAY);
    expect(workloadCost(legacy, cases[1]![1], credentialModes(legacy, cases[1]![1]), 11).tasks_failed).toBe(72);
  });

  it('should shift only tasks without a random draw whose times are whole milliseconds', () => {
    const times: TaskShape = {
      everyMs: HOUR,
      atMs: 0,
      durationMs: 10 * MIN,
      timeoutMs: Number.POSITIVE_INFINITY,
      refreshable: true,
      creds: ['c0'],
    };
    const shifts = (policy: Policy, extra: Partial<TaskShape> = {}): boolean => {
      const model = modelOf([{ ...times, ...extra }], policy, DAY);
      return occurrencesShift(model, policy, credentialModes(model, policy), 0);
    };
    expect(shifts(ephemeral('p', { issuer: { latency: fixed(40), availability: 1 } }))).toBe(true);
    expect(shifts(ephemeral('p', { issuer: { latency: exponential(40), availability: 1 } }))).toBe(false);
    expect(shifts(ephemeral('p', { issuer: { latency: fixed(40), availability: 0.99 } }))).toBe(false);
    expect(shifts(ephemeral('p', { issuer: { latency: fixed(0.1), availability: 1 } }))).toBe(false);
    expect(shifts(ephemeral('p'), { atMs: 0.5 })).toBe(false);
    expect(shifts(ephemeral('p'), { everyMs: Number.POSITIVE_INFINITY })).toBe(false);
  });
});
