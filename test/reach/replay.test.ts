/**
 * #10 / docs/semantics-engine.md S10: when only its hop times can change a trial (standing
 * credentials that outlive the horizon, no detection, no approval, no `runs` edge), the engine runs
 * the first trial and replays the next ones from it. Replayed trials must give exactly the metrics of
 * the engine run in full, with fixed or random hop delays, whatever the trial's hop times — those
 * that would change the order of its moments against the horizon run in full.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Distribution, Policy, Scenario } from '../../src/domain/scenario.js';
import { compile, type CompiledModel } from '../../src/model/compile.js';
import { workspaceOf } from '../../src/reach/workspace.js';
import { runTrialDetailed } from '../../src/sim/trial.js';
import { estateArb, attackArb } from '../arbitraries/scenario.js';
import {
  DAY,
  HOUR,
  agent,
  assumes,
  credential,
  drift,
  grants,
  holds,
  invokes,
  issues,
  lateral,
  massLeak,
  orphaned,
  persistent,
  replay,
  resource,
  scenario,
  tool,
  toolChain,
} from '../arbitraries/build.js';
import type { Action, ScenarioEdge } from '../../src/domain/scenario.js';
import { runs } from '../runs.js';

const TRIALS = 6;

/** Persistent policies: rotation never, past the horizon, or within it (no replay), sometimes with detection (no replay). */
const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    rotationMs: fc.constantFrom<number | null>(null, Number.POSITIVE_INFINITY, 30 * DAY, 12 * HOUR),
    scope: fc.constantFrom('all' as const, 'intent' as const),
    detect: fc.constantFrom(false, false, false, true),
  })
  .map(({ rotationMs, scope, detect }) =>
    persistent('p', {
      rotationMs,
      scope,
      detection: detect ? { probability: 0.5, delay: { kind: 'fixed', valueMs: HOUR }, atMs: Number.POSITIVE_INFINITY } : null,
    }),
  );

const hopArb: fc.Arbitrary<Distribution> = fc.oneof(
  fc.constantFrom(1, 60_000, HOUR, DAY).map((valueMs): Distribution => ({ kind: 'fixed', valueMs })),
  fc.constantFrom(1000, HOUR, DAY).map((meanMs): Distribution => ({ kind: 'exponential', meanMs })),
  fc.constantFrom(HOUR, 3 * DAY).map((medianMs): Distribution => ({ kind: 'lognormal', medianMs, sigma: 1 })),
);

/** One attack twice, with two hop delays: both replay the first one's recording (the tempo variants do). */
const caseArb: fc.Arbitrary<Scenario> = estateArb.chain((estate) =>
  fc
    .record({ attack: attackArb(estate), policy: policyArb, hopDelay: hopArb, other: hopArb, seed: fc.nat() })
    .map(({ attack, policy, hopDelay, other, seed }) =>
      scenario({
        ...estate,
        seed,
        attacks: [
          { ...attack, hopDelay },
          { ...attack, name: `${attack.name}-other`, hopDelay: other },
        ],
        policies: [policy],
        horizonMs: estate.horizonMs,
      }),
    ),
);

const ACTIONS_ARB = fc.subarray<Action>(['read', 'write', 'admin'], { minLength: 1 });

/**
 * Dense estates where every credential is standing and never rotates (so every case can replay), with
 * what the random estates rarely combine: tools, exchanges, `issues` edges (E5), live leak sources
 * (E2), and every pattern.
 */
const denseArb: fc.Arbitrary<Scenario> = fc
  .record({
    holds: fc.array(fc.tuple(fc.nat(5), fc.nat(3)), { maxLength: 6 }),
    grants: fc.array(fc.tuple(fc.nat(3), fc.nat(6), ACTIONS_ARB), { minLength: 2, maxLength: 8 }),
    invokes: fc.array(fc.nat(2), { maxLength: 2 }),
    assumes: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 2 }),
    issues: fc.array(fc.tuple(fc.nat(5), fc.nat(3)), { maxLength: 2 }),
    live: fc.boolean(),
    pattern: fc.constantFrom('lateral', 'tools', 'replay', 'mass', 'drift', 'orphaned'),
    hopDelay: hopArb,
    other: hopArb,
    maxHops: fc.constantFrom(Number.POSITIVE_INFINITY, 1, 2, 3),
    scope: fc.constantFrom('all' as const, 'intent' as const),
    seed: fc.nat(),
  })
  .map((o) => {
    const holders = ['a0', 'a1', 'a2', 't0', 'r0', 'r1'];
    const targets = ['r0', 'r1', 'r2', 'a1', 'a2', 't0', 'a0'];
    const creds = ['c0', 'c1', 'c2', 'c3'];
    const edges: ScenarioEdge[] = [holds('r0', 'c0'), holds('a0', 'c1')];
    const seen = new Set(edges.map((e) => e.key));
    const add = (e: ScenarioEdge): void => {
      if (e.from !== e.to && !seen.has(e.key)) {
        seen.add(e.key);
        edges.push(e);
      }
    };
    for (const [h, c] of o.holds) add(holds(holders[h]!, creds[c]!));
    for (const [c, x, actions] of o.grants) add(grants(creds[c]!, targets[x]!, actions));
    for (const a of o.invokes) add(invokes(['a0', 'a1', 'a2'][a]!, 't0'));
    for (const [a, b] of o.assumes) add(assumes(creds[a]!, creds[b]!));
    for (const [h, c] of o.issues) add(issues(holders[h]!, creds[c]!));
    const base = { hopDelay: o.hopDelay, maxHops: o.maxHops };
    const firstGrant = edges.find((e) => e.kind === 'grants')!;
    const attack =
      o.pattern === 'lateral'
        ? lateral('a0', HOUR, base)
        : o.pattern === 'tools'
          ? toolChain('a0', HOUR, base)
          : o.pattern === 'replay'
            ? replay('c0', 'r0', HOUR, { kind: 'exponential', meanMs: HOUR }, base)
            : o.pattern === 'mass'
              ? massLeak('r0', HOUR, { kind: 'exponential', meanMs: HOUR }, base)
              : o.pattern === 'drift'
                ? drift('a0', HOUR, [{ target: firstGrant.to, action: firstGrant.actions[0]! }], base)
                : orphaned('a0', ['c1'], HOUR, { kind: 'exponential', meanMs: HOUR }, base);
    return scenario({
      seed: o.seed,
      nodes: [
        agent('a0'),
        agent('a1'),
        agent('a2'),
        tool('t0'),
        resource('r0', o.live ? { exposure: 'live', records: 10 } : { records: 10 }),
        resource('r1', { records: 3 }),
        resource('r2', { records: 7 }),
        ...creds.map((c) => credential(c, { rotationMs: null })),
      ],
      edges,
      attacks: [attack, { ...attack, name: `${attack.name}-other`, hopDelay: o.other }],
      policies: [persistent('p', { rotationMs: null, scope: o.scope })],
      horizonMs: 3 * DAY,
    });
  });

/** Whether a trial of the model's first policy was replayed from a recording (its cache holds one). */
function replays(model: CompiledModel): boolean {
  const cache = workspaceOf(model).replays.get(model.scenario.policies[0]!);
  return cache != null && [...cache.values()].some((e) => typeof e === 'object');
}

/**
 * Every trial of both attacks gives the full engine's metrics (and, under a policy that replays, its
 * events), on the model and then on a variant of it over the same graph with its attacks in the other
 * order (as the tempo variants are: the same policies, other attacks), which replays the model's
 * recordings; returns whether any replayed.
 */
function matchesFullEngine(s: Scenario): boolean {
  const model = compile(s);
  const variant: CompiledModel = { ...model, scenario: { ...model.scenario, attacks: [...model.scenario.attacks].reverse() } };
  expect(workspaceOf(variant)).toBe(workspaceOf(model));
  for (const m of [model, variant]) {
    for (const attack of [0, 1]) {
      for (let trial = 0; trial < TRIALS; trial++) {
        const fast = runTrialDetailed(m, 0, attack, trial, { riskOnly: true });
        const full = runTrialDetailed(m, 0, attack, trial, { riskOnly: true, reference: true });
        expect(fast.metrics).toEqual(full.metrics);
        // A replay counts the events of its recording; where no trial replays, S9 inert hops take fewer.
        if (workspaceOf(m).replays.get(m.scenario.policies[0]!) !== null) expect(fast.events).toBe(full.events);
      }
    }
  }
  return replays(model);
}

describe('static replay (S10)', () => {
  it('should give every trial exactly the metrics of the engine run in full', () => {
    let replayed = 0;
    fc.assert(
      fc.property(caseArb, (s) => {
        if (matchesFullEngine(s)) replayed++;
      }),
      runs(200),
    );
    // Not vacuous: a good share of the cases replayed.
    expect(replayed).toBeGreaterThanOrEqual(10);
  });

  it('should give every trial of every pattern the metrics of the full engine on dense estates with tools, exchanges, issuers and live sources', () => {
    let replayed = 0;
    fc.assert(
      fc.property(denseArb, (s) => {
        if (matchesFullEngine(s)) replayed++;
      }),
      runs(200),
    );
    expect(replayed).toBeGreaterThanOrEqual(100);
  });

  it('should replay a persistent lateral movement with random hops, and run in full a trial cut by the horizon', () => {
    const build = (hopMeanMs: number): Scenario =>
      scenario({
        nodes: [agent('a'), agent('b'), credential('k1'), credential('k2'), resource('db', { records: 5 })],
        edges: [holds('a', 'k1'), grants('k1', 'b', ['admin']), holds('b', 'k2'), grants('k2', 'db', ['read'])],
        attacks: [lateral('a', HOUR, { hopDelay: { kind: 'exponential', meanMs: hopMeanMs } })],
        policies: [persistent('p')],
        horizonMs: 2 * DAY,
      });
    // Hops of a few minutes: every trial replays and matches the full run.
    const quick = compile(build(10 * 60_000));
    for (let trial = 0; trial < 20; trial++) {
      expect(runTrialDetailed(quick, 0, 0, trial).metrics).toEqual(
        runTrialDetailed(quick, 0, 0, trial, { reference: true }).metrics,
      );
    }
    expect(replays(quick)).toBe(true);
    // Hops of a day on a two-day horizon: some trials reach db, some do not; each as in full.
    const slow = compile(build(DAY));
    const reached = new Set<number | null>();
    for (let trial = 0; trial < 40; trial++) {
      const fast = runTrialDetailed(slow, 0, 0, trial).metrics;
      expect(fast).toEqual(runTrialDetailed(slow, 0, 0, trial, { reference: true }).metrics);
      reached.add(fast.resources_reached);
    }
    expect(reached).toEqual(new Set([0, 1]));
  });
});
