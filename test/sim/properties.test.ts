/** Invariants of one trial over small random scenarios (fast-check). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Policy, Scenario } from '../../src/domain/scenario.js';
import { compile } from '../../src/model/compile.js';
import { runTrial } from '../../src/sim/trial.js';
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
  replay,
  resource,
  step,
  task,
} from '../arbitraries/build.js';
import {
  CYCLE_HOP_MS,
  attackArb,
  attackStartMs,
  estateArb,
  hasExchangeCycle,
  policyArb,
  scenarioArb,
} from '../arbitraries/scenario.js';
import { runOne } from '../arbitraries/run.js';
import { brokered, scenario } from '../arbitraries/build.js';
import { runs } from '../runs.js';

const RUNS = runs(150);

describe('sim/trial properties', () => {
  it('should give deep-equal metrics for the same seed (fresh compile each time)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat({ max: 50 }), (s, trial) => {
        expect(runTrial(compile(s), 0, 0, trial)).toEqual(runTrial(compile(s), 0, 0, trial));
      }),
      RUNS,
    );
  });

  it('should keep every risk metric within the bounds of the scenario', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat({ max: 50 }), (s, trial) => {
        const m = runOne(s, { trial });
        const resources = s.nodes.filter((n) => n.kind === 'resource');
        const start = attackStartMs(s.attacks[0]!);
        const span = (s.horizonMs - start) / 1000;
        expect(m.resources_reached).toBeLessThanOrEqual(resources.length);
        expect([0, 1]).toContain(m.attack_success);
        expect(m.attack_success).toBe(m.resources_reached! > 0 ? 1 : 0);
        expect(m.blast_radius).toBeLessThanOrEqual(resources.reduce((sum, r) => sum + (r.kind === 'resource' ? r.weight : 0), 0));
        expect(m.records_exposed).toBeLessThanOrEqual(
          resources.reduce((sum, r) => sum + (r.kind === 'resource' ? r.records : 0), 0),
        );
        expect(m.privileged_resources).toBeLessThanOrEqual(m.resources_reached!);
        expect(m.credentials_harvested).toBeLessThanOrEqual(s.nodes.filter((n) => n.kind === 'credential').length);
        expect(m.exposure_window_s).toBeGreaterThanOrEqual(0);
        expect(m.exposure_window_s).toBeLessThanOrEqual(span);
        if (m.time_to_first_access_s !== null) {
          expect(m.attack_success).toBe(1);
          expect(m.time_to_first_access_s).toBeGreaterThanOrEqual(0);
          expect(m.time_to_first_access_s).toBeLessThan(span);
        } else {
          expect(m.attack_success).toBe(0);
        }
        if (m.time_to_containment_s !== null) {
          expect(s.policies[0]!.detection).not.toBeNull();
          expect(m.time_to_containment_s).toBeGreaterThanOrEqual(0);
          expect(m.time_to_containment_s).toBeLessThan(span);
        }
        // A reached resource needs at least one hop (a credential use or an invocation).
        if (m.attack_success === 1) expect(m.max_hops).toBeGreaterThanOrEqual(1);
        else expect(m.resources_reached).toBe(0);
      }),
      RUNS,
    );
  });

  it('should keep cost metrics consistent with the schedule', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const m = runOne(s);
        expect(m.tasks_failed).toBeLessThanOrEqual(m.tasks_total!);
        expect(m.reauthorizations).toBeLessThanOrEqual(m.tokens_issued!);
        expect(m.peak_issuance_per_s).toBeLessThanOrEqual(m.tokens_issued!);
        if (s.policies[0]!.kind === 'persistent') {
          expect(m.reauthorizations).toBe(0);
          expect(m.issuance_wait_p95_ms).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('should never raise secret-replay success with a shorter ttl (same policy name, same draws)', () => {
    // Holds when the ttl changes nothing but token lifetimes: no issuer latency or outage, no revokeOn,
    // no detection, fixed hop delays, tasks that do not re-authorize mid-run (a refreshable task
    // re-authorizing under a short ttl mints newer tokens than under a long one), and no live leak
    // source (E2: it shows the newest copy whenever the attacker looks, and a longer ttl can change
    // when it looks; see the test below).
    const arb = estateArb
      .filter((e) => e.edges.some((x) => x.kind === 'holds'))
      .map((e) => ({ ...e, nodes: e.nodes.map((n) => (n.kind === 'credential' ? n : { ...n, exposure: 'snapshot' as const })) }))
      .chain((estate) =>
        fc
          .record({
            attack: attackArb(estate).filter((a) => a.pattern === 'secret-replay'),
            policy: policyArb(estate).filter((p) => p.kind !== 'persistent'),
            ttls: fc.tuple(fc.integer({ min: 1, max: 6 * HOUR }), fc.integer({ min: 1, max: 6 * HOUR })),
            hopMs: fc.integer({ min: 0, max: 2 * HOUR }),
          })
          // An exchange cycle costs the square of the hops (arbitraries/scenario.ts slowEnough): such
          // estates keep hops of CYCLE_HOP_MS or more, as every random attack does.
          .map(({ attack, policy, ttls, hopMs }) => ({
            estate,
            attack: { ...attack, hopDelay: fixed(hasExchangeCycle(estate.edges) ? Math.max(hopMs, CYCLE_HOP_MS) : hopMs) },
            policy,
            ttls,
          })),
      );
    fc.assert(
      fc.property(arb, fc.nat({ max: 20 }), ({ estate, attack, policy, ttls }, trial) => {
        const [short, long] = ttls[0] <= ttls[1] ? ttls : [ttls[1], ttls[0]];
        const build = (ttlMs: number): Scenario => {
          const minting = brokered(policy);
          const p: Policy = {
            ...minting,
            detection: null,
            broker: {
              ...minting.broker,
              ttlMs,
              revokeOn: { completion: false, failure: false, timeout: false },
              issuer: { latency: fixed(0), availability: 1 },
            },
          };
          return scenario({
            ...estate,
            workload: estate.workload.map((t) => ({ ...t, refreshable: false })),
            attacks: [attack],
            policies: [p],
          });
        };
        const a = runOne(build(short), { trial }).attack_success!;
        const b = runOne(build(long), { trial }).attack_success!;
        expect(a).toBeLessThanOrEqual(b);
      }),
      runs(300),
    );
  });

  it('should let a shorter ttl catch a live source’s newest copy that a longer one keeps the attacker from looking at (why monotonicity needs no live source)', () => {
    // Two hourly tasks mint c0 3 ms apart: the first for admin on r1, the second for admin on a1. The
    // attacker replays c0 from r0, a live source (E2), which shows the newest copy whenever it looks.
    // Under a 45-minute ttl each hop finds a live copy there that it does not hold yet, a gain, so the
    // attacker takes the next hop 105 minutes later and never looks in the 3 ms when r1's copy is the
    // newest; under a 1 ms ttl the copy there is dead at every hop, so it waits for the next mint and
    // looks at each one, r1's included.
    const build = (ttlMs: number): Scenario =>
      scenario({
        nodes: [
          agent('a0', { identity: 'shared-secret' }),
          agent('a1', { identity: 'shared-secret' }),
          resource('r0', { exposure: 'live' }),
          resource('r1'),
          credential('c0'),
        ],
        edges: [holds('a0', 'c0'), holds('r0', 'c0'), grants('c0', 'r1', ['admin']), grants('c0', 'a1', ['admin'])],
        workload: [
          task('a0', [step('r1', 'admin', 'c0')], { atMs: 22, durationMs: 0, timeoutMs: 30 * MIN, refreshable: false }),
          task('a0', [step('a1', 'admin', 'c0')], { atMs: 25, durationMs: 0, timeoutMs: 30 * MIN, refreshable: false }),
        ],
        attacks: [replay('c0', 'r0', 0, fixed(25), { hopDelay: fixed(105 * MIN) })],
        policies: [ephemeral('p', { ttlMs, issuer: { latency: fixed(0), availability: 1 } })],
        horizonMs: 3 * DAY,
      });
    expect(runOne(build(1)).attack_success).toBe(1);
    expect(runOne(build(45 * MIN + 1)).attack_success).toBe(0);
  });

  it('should let a refreshable task’s re-authorized token outlive a longer single token (why monotonicity needs non-refreshable tasks)', () => {
    // A 60 min task: ttl 45 min re-authorizes at 45 min (token valid to 90 min); ttl 60 min mints once (valid to 60 min).
    const build = (ttlMs: number): Scenario =>
      scenario({
        nodes: [agent('ci'), credential('key'), resource('db')],
        edges: [holds('ci', 'key'), grants('key', 'db', ['read'])],
        workload: [task('ci', [step('db', 'read', 'key')], { everyMs: DAY, durationMs: HOUR })],
        attacks: [replay('key', 'ci', 50 * MIN, fixed(20 * MIN))],
        policies: [ephemeral('p', { ttlMs })],
      });
    expect(runOne(build(45 * MIN)).attack_success).toBe(1);
    expect(runOne(build(HOUR)).attack_success).toBe(0);
  });
});
