/** Timing and revocation rules of issue #10 (docs/semantics-engine.md S1–S8), each pinned by an example that fails without it. */
import { describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  agent,
  assumes,
  credential,
  ephemeral,
  exponential,
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
import { runMany, runOne, traceOne } from '../arbitraries/run.js';

const useOf = (events: ReturnType<typeof traceOne>, target: string) =>
  events.find((e) => e.kind === 'use' && e.target === target);

describe('sim timing (#10)', () => {
  it("#10.1 should revoke on each target after the latency of that target's environment, whatever comes first in the file", () => {
    const build = (farFirst: boolean) => {
      const far = agent('far', { environment: 'onprem' });
      return scenario({
        nodes: [
          ...(farFirst ? [far] : []),
          agent('svc', { environment: 'aws' }),
          credential('key'),
          credential('other'),
          resource('db', { environment: 'aws' }),
          resource('db2', { environment: 'aws' }),
          ...(farFirst ? [] : [far]),
        ],
        edges: [holds('svc', 'key'), grants('key', 'db', ['read']), assumes('key', 'other'), grants('other', 'db2', ['read'])],
        attacks: [replay('key', 'svc', HOUR, fixed(0))],
        policies: [
          persistent('p', {
            detection: { probability: 1, delay: fixed(2 * HOUR), atMs: Infinity },
            revocationLatency: { default: fixed(0), byEnvironment: { onprem: fixed(10 * DAY) } },
          }),
        ],
      });
    };
    // key: used at 1h, revoked at 3h; other: obtained at 1h, used at 2h, revoked at 4h (all in aws/default, latency 0).
    for (const farFirst of [true, false]) {
      const m = runOne(build(farFirst));
      expect(m.exposure_window_s).toBe((3 * HOUR) / 1000);
      expect(m.time_to_containment_s).toBe((3 * HOUR) / 1000);
    }
  });

  it('#10.2 should keep control while any of several admin credentials stays valid', () => {
    // k1 (held by the entry) and k2 (acting through a tool two invocations away) both give admin on ops.
    // Standing k1/k2; db-key is minted per task, so only control of ops (not a read of it) yields it.
    const s = scenario({
      nodes: [
        agent('svc'),
        tool('relay'),
        tool('admin-tool'),
        agent('ops'),
        credential('k1', { ephemeralCapable: false }),
        credential('k2', { ephemeralCapable: false }),
        credential('db-key'),
        resource('db'),
      ],
      edges: [
        holds('svc', 'k1'),
        grants('k1', 'ops', ['admin']),
        invokes('svc', 'relay'),
        invokes('relay', 'admin-tool'),
        holds('admin-tool', 'k2'),
        grants('k2', 'ops', ['admin']),
        holds('ops', 'db-key'),
        grants('db-key', 'db', ['read']),
      ],
      workload: [task('ops', [step('db', 'read', 'db-key')], { everyMs: DAY, atMs: 0, durationMs: 10 * 60_000 })],
      attacks: [lateral('svc', HOUR)],
      policies: [ephemeral('p', { detection: { probability: 1, delay: fixed(5 * HOUR), atMs: Infinity } })],
    });
    const m = runOne(s);
    // k1 used at 1h (revoked at 6h); k2 at 2h (revoked at 7h); db-key held through control of ops from 2h to 7h.
    expect(m.exposure_window_s).toBe((6 * HOUR) / 1000);
    expect(m.time_to_containment_s).toBe((6 * HOUR) / 1000);
  });

  it('#10.5 should count for max_hops the fewest hops of each successful action, not redundant deeper chains', () => {
    const s = scenario({
      nodes: [agent('svc'), credential('k0'), credential('k1'), resource('share'), resource('db')],
      edges: [
        holds('svc', 'k0'),
        holds('svc', 'k1'),
        grants('k0', 'share', ['read']),
        holds('share', 'k1'),
        grants('k1', 'db', ['read']),
      ],
      attacks: [lateral('svc', HOUR)],
      policies: [persistent()],
    });
    expect(runOne(s).max_hops).toBe(1);
  });

  it('#10.6 should count access through a tool in access_window_s while exposure_window_s stays 0', () => {
    const s = scenario({
      nodes: [agent('bot'), tool('db-tool'), credential('db-password'), resource('db')],
      edges: [invokes('bot', 'db-tool'), holds('db-tool', 'db-password'), grants('db-password', 'db', ['admin'])],
      attacks: [toolChain('bot', HOUR)],
      policies: [persistent()],
    });
    const m = runOne(s);
    expect(m.exposure_window_s).toBe(0);
    expect(m.access_window_s).toBe((30 * DAY - HOUR) / 1000);
  });

  describe('#10.8 timing mutations', () => {
    const chain = (extra: Parameters<typeof lateral>[2] = {}) =>
      scenario({
        nodes: [agent('svc'), credential('k0'), credential('k1'), resource('share'), resource('db')],
        edges: [holds('svc', 'k0'), grants('k0', 'share', ['read']), holds('share', 'k1'), grants('k1', 'db', ['read'])],
        attacks: [lateral('svc', HOUR, extra)],
        policies: [persistent()],
      });

    it('should make material exposed by a read usable exactly one hopDelay later', () => {
      const events = traceOne(chain({ hopDelay: fixed(3 * HOUR) }));
      expect(useOf(events, 'share')?.t).toBe(HOUR);
      expect(useOf(events, 'db')?.t).toBe(4 * HOUR);
    });

    it('should stop at maxHops exactly', () => {
      expect(runOne(chain({ maxHops: 1 })).resources_reached).toBe(1);
      expect(runOne(chain({ maxHops: 2 })).resources_reached).toBe(2);
      expect(runOne(chain({ maxHops: 2 })).max_hops).toBe(2);
    });

    it('should not accept a credential at its expiry instant', () => {
      const build = (replayDelayMs: number) =>
        scenario({
          nodes: [agent('svc'), credential('key'), resource('db')],
          edges: [holds('svc', 'key'), grants('key', 'db', ['read'])],
          attacks: [replay('key', 'svc', HOUR, fixed(replayDelayMs))],
          policies: [persistent('p', { rotationMs: DAY })],
        });
      expect(runOne(build(DAY - HOUR)).resources_reached).toBe(0);
      expect(runOne(build(DAY - HOUR - 1)).resources_reached).toBe(1);
    });

    it('should not let a replayed workload-bound token be exchanged through assumes', () => {
      const build = (bindToWorkload: boolean) =>
        scenario({
          nodes: [agent('app'), resource('log'), credential('t1'), credential('t2'), resource('db'), resource('api')],
          edges: [
            holds('app', 't1'),
            holds('log', 't1'),
            grants('t1', 'api', ['read']),
            assumes('t1', 't2'),
            holds('app', 't2'),
            grants('t2', 'db', ['read']),
          ],
          workload: [
            task('app', [step('api', 'read', 't1'), step('db', 'read', 't2')], { everyMs: HOUR, durationMs: 50 * 60_000 }),
          ],
          attacks: [replay('t1', 'log', 10 * HOUR + 60_000, fixed(0), { hopDelay: fixed(60_000) })],
          policies: [ephemeral('e', { bindToWorkload, ttlMs: HOUR })],
        });
      expect(runOne(build(false)).resources_reached).toBe(2);
      expect(runOne(build(true)).resources_reached).toBe(0);
    });

    it('should keep the earliest detection of a credential, not the latest', () => {
      const s = scenario({
        nodes: [agent('svc'), credential('key'), ...Array.from({ length: 4 }, (_, i) => resource(`db${i}`))],
        edges: [holds('svc', 'key'), ...Array.from({ length: 4 }, (_, i) => grants('key', `db${i}`, ['read']))],
        attacks: [replay('key', 'svc', HOUR, fixed(0))],
        policies: [persistent('p', { detection: { probability: 1, delay: exponential(DAY), atMs: Infinity } })],
      });
      const trials = runMany(s, 12);
      trials.forEach((m, trial) => {
        const detections = traceOne(s, { trial })
          .filter((e) => e.kind === 'detect')
          .map((e) => e.t);
        expect(detections.length).toBeGreaterThan(0);
        // The attack starts at 1h: containment is the earliest detection.
        expect(m.time_to_containment_s).toBe((Math.min(...detections) - HOUR) / 1000);
      });
    });
  });
});
