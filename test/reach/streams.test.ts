/**
 * docs/semantics-engine.md S9 and R6: token copies that keep landing where the attacker looks. The
 * engine with its shortcuts must give the reference engine's metrics (the quiet-stream sweep counts a
 * copy only when the reference would read it), and which copy is "the newest" must not depend on the
 * order of the workload when several are minted at the same instant.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/model/compile.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { runTrialDetailed } from '../../src/sim/trial.js';
import type { Scenario } from '../../src/domain/scenario.js';
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
  massLeak,
  replay,
  resource,
  revokeOn,
  runs as runsEdge,
  scenario,
  step,
  task,
  tool,
  invokes,
} from '../arbitraries/build.js';

/** Metrics of trial `trial` of the only policy and attack, with the engine's shortcuts and without them. */
function bothEngines(s: Scenario, trial = 0): { fast: Record<string, unknown>; reference: Record<string, unknown> } {
  const model = compile(s);
  return {
    fast: runTrialDetailed(model, 0, 0, trial, { riskOnly: true }).metrics,
    reference: runTrialDetailed(model, 0, 0, trial, { riskOnly: true, reference: true }).metrics,
  };
}

describe('token copy streams (S9)', () => {
  it('should not count the copies that land while a hop is awaited: the hop reads only the newest', () => {
    // The attacker holds r3, where a0's bound tokens land every 30 minutes (a quiet stream). At 23h a
    // first copy of c1 lands: something new, so the attacker waits an hour for its next hop, past the
    // horizon; the c0 copies minted at 23:10 and 23:40 are never read.
    const s = scenario({
      horizonMs: DAY,
      nodes: [agent('a0'), resource('r1'), resource('r3'), credential('c0'), credential('c1')],
      edges: [
        holds('a0', 'c0'),
        holds('a0', 'c1'),
        holds('r3', 'c0'),
        holds('r3', 'c1'),
        grants('c0', 'r1', ['read']),
        grants('c1', 'r1', ['read']),
      ],
      workload: [
        task('a0', [step('r1', 'read', 'c0')], { everyMs: 30 * MIN, atMs: 10 * MIN, durationMs: MIN }),
        task('a0', [step('r1', 'read', 'c1')], { everyMs: Number.POSITIVE_INFINITY, atMs: 23 * HOUR, durationMs: MIN }),
      ],
      attacks: [lateral('r3', 0, { hopDelay: fixed(HOUR) })],
      policies: [ephemeral('svid', { ttlMs: 5 * MIN, bindToWorkload: true })],
    });
    const { fast, reference } = bothEngines(s);
    expect(fast).toEqual(reference);
  });

  it('should give the reference engine the same metrics on shipped trials where the shortcuts once differed', () => {
    // Found by comparing every shipped cell with the reference engine: a copy landing during a wait for
    // a hop (dropbox), a copy of a credential revoked everywhere read at a wake-up the reference never
    // takes (dropbox, tempo variants), and tokens minted at the same instant (multi-agent-handoff).
    const cases: readonly [string, string, string, number][] = [
      ['scenarios/breaches/dropbox-sign-2024.yaml', 'spire-x509-1h', 'config-tool-compromise', 2],
      ['scenarios/breaches/dropbox-sign-2024.yaml', 'spire-x509-1h', 'config-tool-compromise-hard', 4],
      ['scenarios/breaches/dropbox-sign-2024.yaml', 'spire-x509-1h', 'config-tool-compromise-hard', 11],
      ['scenarios/breaches/dropbox-sign-2024.yaml', 'broker-15m', 'config-tool-compromise-hard', 6],
      ['scenarios/agents/multi-agent-handoff.yaml', 'broker-15m', 'injected-web-page', 10],
    ];
    for (const [file, policy, attack, trial] of cases) {
      const model = compile(loadScenarioFile(file));
      const p = model.scenario.policies.findIndex((x) => x.name === policy);
      const a = model.scenario.attacks.findIndex((x) => x.name === attack);
      const fast = runTrialDetailed(model, p, a, trial, { riskOnly: true }).metrics;
      const reference = runTrialDetailed(model, p, a, trial, { riskOnly: true, reference: true }).metrics;
      expect({ file, policy, attack, trial, ...fast }).toEqual({ file, policy, attack, trial, ...reference });
    }
  });

  it('should take no event for copies landing at a holder that none of its readers can read any more', () => {
    // The attacker controls x, whose standing key k reads h, where a0's tokens land every 30 minutes
    // for a week (c0 grants nothing, so no attempt with a copy is ever detected). The read with k is
    // detected two hours in: k is revoked on h from then on, and the 330-odd copies that land there
    // afterwards show the attacker nothing (S9 idle holders). The reference engine wakes for each.
    const s = scenario({
      horizonMs: 7 * DAY,
      nodes: [
        agent('a0'),
        agent('x'),
        resource('h'),
        resource('r1'),
        credential('c0'),
        credential('k', { ephemeralCapable: false }),
      ],
      edges: [holds('a0', 'c0'), holds('h', 'c0'), holds('x', 'k'), grants('k', 'h', ['read'])],
      workload: [task('a0', [step('r1', 'read', 'c0')], { everyMs: 30 * MIN, atMs: 10 * MIN, durationMs: MIN })],
      attacks: [lateral('x', 0, { hopDelay: fixed(MIN) })],
      policies: [ephemeral('e', { detection: { probability: 1, delay: fixed(2 * HOUR), atMs: Number.POSITIVE_INFINITY } })],
    });
    const model = compile(s);
    const fast = runTrialDetailed(model, 0, 0, 0, { riskOnly: true });
    const reference = runTrialDetailed(model, 0, 0, 0, { riskOnly: true, reference: true });
    expect(fast.metrics).toEqual(reference.metrics);
    expect(fast.metrics.credentials_harvested).toBe(2);
    expect(reference.events).toBeGreaterThan(300);
    expect(fast.events).toBeLessThan(20);
  });

  it('should take no event for bound copies at a live leak source, and count each one it would read', () => {
    // Resident malware on h yields a0's newest token whenever the attacker looks (E2); the tokens are
    // bound to a0 and minted every 30 minutes for a week, so every copy is denied. After the first
    // attempts, the copies change nothing but the exposure window: the reference wakes for each one,
    // the engine adds their spans at the end. Copies of 20 minutes leave gaps, so every span counts.
    const s = scenario({
      horizonMs: 7 * DAY,
      nodes: [agent('a0'), resource('h', { exposure: 'live' }), resource('r1'), credential('c0')],
      edges: [holds('a0', 'c0'), holds('h', 'c0'), grants('c0', 'r1', ['read'])],
      workload: [task('a0', [step('r1', 'read', 'c0')], { everyMs: 30 * MIN, atMs: 10 * MIN, durationMs: MIN })],
      attacks: [replay('c0', 'h', HOUR, fixed(0), { hopDelay: fixed(MIN) })],
      policies: [ephemeral('e', { ttlMs: 20 * MIN, bindToWorkload: true })],
    });
    const model = compile(s);
    const fast = runTrialDetailed(model, 0, 0, 0, { riskOnly: true });
    const reference = runTrialDetailed(model, 0, 0, 0, { riskOnly: true, reference: true });
    expect(fast.metrics).toEqual(reference.metrics);
    expect(fast.metrics.resources_reached).toBe(0);
    // About 330 copies of (nearly) 20 minutes each.
    expect(fast.metrics.exposure_window_s).toBeGreaterThan(320 * 19 * 60);
    expect(reference.events).toBeGreaterThan(300);
    expect(fast.events).toBeLessThan(20);
  });

  it('should give the reference metrics for the copies another agent mints through a controlled tool', () => {
    // y reads db through tool tl every hour with role-scoped 5-minute tokens; the attacker controls tl
    // (which can mint as itself) from 1:30. Under privileged re-evaluation a write with y's copy is
    // allowed when y's declared intent has writes (its own key's task) and tl's does not: those copies
    // are new and must be read as they land. Without the writes they could add nothing to what tl
    // mints itself, but they are kept (another requester), and each takes a hop: the engine must
    // read them as the reference does (docs/benchmarks.md: skipping them is not exact).
    const estate = (yWrites: boolean): Scenario =>
      scenario({
        horizonMs: 3 * DAY,
        nodes: [
          agent('y'),
          tool('tl'),
          resource('db', { records: 10 }),
          credential('token'),
          credential('k2', { ephemeralCapable: false }),
        ],
        edges: [
          holds('y', 'token'),
          invokes('y', 'tl'),
          holds('tl', 'token'),
          grants('token', 'db', ['read', 'write']),
          ...(yWrites ? [holds('y', 'k2'), grants('k2', 'db', ['write'])] : []),
        ],
        workload: [
          task('y', [step('db', 'read', 'token', 'tl')], { everyMs: HOUR, atMs: 0, durationMs: MIN }),
          ...(yWrites ? [task('y', [step('db', 'write', 'k2')], { everyMs: 6 * HOUR, atMs: 0, durationMs: MIN })] : []),
        ],
        attacks: [lateral('tl', HOUR + 30 * MIN, { hopDelay: fixed(MIN) })],
        policies: [ephemeral('p', { ttlMs: 5 * MIN, scope: 'role', reevaluate: 'privileged', bindToWorkload: true })],
      });
    for (const yWrites of [true, false]) {
      const { fast, reference } = bothEngines(estate(yWrites));
      expect(fast).toEqual(reference);
      expect(fast.privileged_resources).toBe(yWrites ? 1 : 0);
    }
  });

  /**
   * svc's unbound 15-minute database tokens land at env every 15 minutes, and env runs svc (E1: control
   * of svc from its next task, for good). The standing key sa gives the attacker env: read and write
   * from a leak (`replay`), or admin from a controlled x (`lateral`). Acting as svc the attacker mints
   * such tokens itself (R6), yet the copies at env are kept (another control, or none) and must be read
   * as the reference does.
   */
  const serviceEstate = (access: 'replay' | 'lateral'): Scenario =>
    scenario({
      horizonMs: 7 * DAY,
      nodes: [
        agent('x'),
        agent('svc'),
        resource('host'),
        resource('env'),
        resource('db', { records: 10 }),
        credential('dbc'),
        credential('sa', { ephemeralCapable: false }),
      ],
      edges: [
        holds('svc', 'dbc'),
        holds('env', 'dbc'),
        access === 'replay' ? holds('host', 'sa') : holds('x', 'sa'),
        access === 'replay' ? grants('sa', 'env', ['read', 'write']) : grants('sa', 'env', ['admin']),
        grants('dbc', 'db', ['read']),
        runsEdge('env', 'svc'),
      ],
      workload: [task('svc', [step('db', 'read', 'dbc')], { everyMs: 15 * MIN, atMs: 0, durationMs: MIN })],
      attacks: [
        access === 'replay'
          ? replay('sa', 'host', HOUR, fixed(0), { hopDelay: fixed(MIN) })
          : lateral('x', HOUR + 7 * MIN, { hopDelay: fixed(MIN) }),
      ],
      policies: [ephemeral('e', { ttlMs: 15 * MIN, bindToWorkload: false })],
    });

  it('should give the reference metrics for unbound copies at a read holder that a held mint capability covers', () => {
    const { fast, reference } = bothEngines(serviceEstate('replay'));
    expect(fast).toEqual(reference);
    expect(fast.resources_reached).toBe(2);
  });

  it('should give the reference metrics for copies at a controlled node that a capability held elsewhere covers', () => {
    const { fast, reference } = bothEngines(serviceEstate('lateral'));
    expect(fast).toEqual(reference);
    expect(fast.resources_reached).toBe(2);
  });

  it('should read copies at a controlled node at fewer hops than a capability held elsewhere', () => {
    // The attacker controls repo from 1:00 (no hop); a key there writes repo, which pipe runs: control of
    // pipe, and its capability for sk, from pipe's first task at 5:00, one hop in. pipe's tokens land at
    // repo 20 minutes into each task: read as repo, they reach the bucket in one hop, which the
    // capability cannot.
    const s = scenario({
      horizonMs: 2 * DAY,
      nodes: [
        agent('pipe'),
        resource('repo'),
        resource('bucket', { records: 10 }),
        credential('sk'),
        credential('gt', { ephemeralCapable: false }),
      ],
      edges: [
        holds('pipe', 'sk'),
        holds('repo', 'sk'),
        holds('repo', 'gt'),
        grants('gt', 'repo', ['write']),
        grants('sk', 'bucket', ['read']),
        runsEdge('repo', 'pipe'),
      ],
      workload: [task('pipe', [step('bucket', 'read', 'sk')], { everyMs: 15 * MIN, atMs: 5 * HOUR, durationMs: MIN })],
      attacks: [lateral('repo', HOUR, { hopDelay: fixed(MIN) })],
      policies: [
        ephemeral('e', { ttlMs: 15 * MIN, bindToWorkload: false, issuer: { latency: fixed(20 * MIN), availability: 1 } }),
      ],
    });
    const { fast, reference } = bothEngines(s);
    expect(fast).toEqual(reference);
    expect(fast.max_hops).toBe(1);
  });

  it('should take no event for copies a mint capability covers while its control surely lasts, and keep the one that outlives it', () => {
    // y's 90-minute role-scoped tokens land at tool tl every hour. The attacker controls x from 1h; x's
    // standing key gives admin on tl (control, and a capability to mint as tl) and reads tl. Nothing
    // re-checks the principal, so a copy read at tl, as tl or as nobody, adds nothing while tl's control
    // lasts (S9 covers): no hop, and no wake-up either. Every first use is detected with certainty
    // two days later: the key's at 1h (control of tl ends at 49h), the token's at 1:01 (revoked at
    // 49:01). The copy minted at 48h, which would live to 49:30, outlives the control: it is new, the
    // last one read, and its span, cut at 49:01, ends the exposure window and contains the trial.
    const s = scenario({
      horizonMs: 3 * DAY,
      nodes: [
        agent('x'),
        agent('y'),
        tool('tl'),
        resource('db', { records: 10 }),
        credential('token'),
        credential('key', { ephemeralCapable: false }),
      ],
      edges: [
        holds('x', 'key'),
        grants('key', 'tl', ['admin']),
        holds('y', 'token'),
        holds('tl', 'token'),
        invokes('y', 'tl'),
        grants('token', 'db', ['read']),
      ],
      workload: [task('y', [step('db', 'read', 'token', 'tl')], { everyMs: HOUR, atMs: 0, durationMs: MIN })],
      attacks: [lateral('x', HOUR, { hopDelay: fixed(MIN) })],
      policies: [
        ephemeral('p', {
          ttlMs: 90 * MIN,
          scope: 'role',
          detection: { probability: 1, delay: fixed(2 * DAY), atMs: Number.POSITIVE_INFINITY },
        }),
      ],
    });
    const model = compile(s);
    const fast = runTrialDetailed(model, 0, 0, 0, { riskOnly: true });
    const reference = runTrialDetailed(model, 0, 0, 0, { riskOnly: true, reference: true });
    expect(fast.metrics).toEqual(reference.metrics);
    expect(fast.metrics.resources_reached).toBe(1);
    // From the foothold at 1h to 49:01, one minute past the capability's end with the control.
    expect(fast.metrics.exposure_window_s).toBe(48 * 3600 + 60);
    expect(fast.metrics.time_to_containment_s).toBe(48 * 3600 + 60);
    expect(reference.events).toBeGreaterThan(45);
    expect(fast.events).toBeLessThan(12);
  });

  it('should not count the copies a live source yields while a hop is awaited: the hop reads the newest', () => {
    // As above, but h also yields a1's unbound 5-minute tokens (a1 runs on a shared secret, so its
    // tokens cannot be bound), minted every 2 hours: each is something new, and the attacker waits an
    // hour for its next hop while bound copies keep landing. Those copies are not read as they land.
    const s = scenario({
      horizonMs: 2 * DAY,
      nodes: [
        agent('a0'),
        agent('a1', { identity: 'shared-secret' }),
        resource('h', { exposure: 'live' }),
        resource('r1'),
        credential('c0'),
        credential('c1'),
      ],
      edges: [
        holds('a0', 'c0'),
        holds('a1', 'c1'),
        holds('h', 'c0'),
        holds('h', 'c1'),
        grants('c0', 'r1', ['read']),
        grants('c1', 'r1', ['read']),
      ],
      workload: [
        task('a0', [step('r1', 'read', 'c0')], { everyMs: 30 * MIN, atMs: 10 * MIN, durationMs: MIN }),
        task('a1', [step('r1', 'read', 'c1')], { everyMs: 2 * HOUR, atMs: 0, durationMs: MIN }),
      ],
      attacks: [massLeak('h', HOUR, fixed(0), { hopDelay: fixed(HOUR) })],
      policies: [ephemeral('e', { ttlMs: 20 * MIN, bindToWorkload: true })],
    });
    const model = compile(s);
    const fast = runTrialDetailed(model, 0, 0, 0, { riskOnly: true });
    const reference = runTrialDetailed(model, 0, 0, 0, { riskOnly: true, reference: true });
    expect(fast.metrics).toEqual(reference.metrics);
    expect(fast.metrics.resources_reached).toBe(1);
    expect(fast.events).toBeLessThan(reference.events);
  });
});

describe('the newest token copy (R6)', () => {
  it('should not depend on the order of tasks that mint at the same instant', () => {
    // Two workloads mint c0 at the top of every hour; a0's copy dies when its 2-minute task completes,
    // a1's lives 10 minutes. Copies of both land at x, which the attacker controls.
    const tasks = [
      task('a0', [step('db', 'read', 'c0')], { everyMs: HOUR, atMs: 0, durationMs: 2 * MIN }),
      task('a1', [step('db', 'read', 'c0')], { everyMs: HOUR, atMs: 0, durationMs: 10 * MIN }),
    ];
    const build = (workload: typeof tasks): Scenario =>
      scenario({
        horizonMs: DAY,
        nodes: [agent('a0'), agent('a1'), agent('x'), resource('db'), credential('c0')],
        edges: [holds('a0', 'c0'), holds('a1', 'c0'), holds('x', 'c0'), grants('c0', 'db', ['read'])],
        workload,
        attacks: [lateral('x', 30 * MIN, { hopDelay: fixed(HOUR) })],
        policies: [ephemeral('broker', { ttlMs: 15 * MIN, revokeOn: revokeOn('completion') })],
      });
    const listed = bothEngines(build(tasks));
    const reversed = bothEngines(build([...tasks].reverse()));
    expect(reversed.fast).toEqual(listed.fast);
    expect(reversed.reference).toEqual(listed.reference);
    expect(listed.fast).toEqual(listed.reference);
    // The longer-lived copy is the one read: 10 minutes of every hour after the first, not 2.
    expect(listed.reference['exposure_window_s']).toBeGreaterThan(23 * 10 * 60 - 1);
  });
});
