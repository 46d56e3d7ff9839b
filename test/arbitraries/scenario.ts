/**
 * fast-check arbitraries for small resolved scenarios: a handful of agents, tools, resources and
 * credentials with random edges, a workload whose steps are valid (the actor holds a credential that
 * grants the action), one attack of any pattern with valid parameters, and one random policy.
 */
import fc from 'fast-check';
import type {
  Action,
  Attack,
  BrokerSettings,
  Distribution,
  HybridException,
  Policy,
  Scenario,
  ScenarioEdge,
  ScenarioNode,
  Task,
} from '../../src/domain/scenario.js';
import { ACTIONS, PATTERN_IDS, SENSITIVITIES } from '../../src/domain/scenario.js';
import { DAY, HOUR, MIN, agent, attackDefaults, credential, resource, scenario, tool } from './build.js';

const ENVIRONMENTS = ['default', 'aws', 'gcp'] as const;

/** A duration distribution with small values (hop delays, replay delays, latencies). */
export const distributionArb = (maxMs: number): fc.Arbitrary<Distribution> =>
  fc.oneof(
    fc.integer({ min: 0, max: maxMs }).map((valueMs): Distribution => ({ kind: 'fixed', valueMs })),
    fc.integer({ min: 1, max: maxMs }).map((meanMs): Distribution => ({ kind: 'exponential', meanMs })),
    fc
      .tuple(fc.integer({ min: 0, max: maxMs }), fc.integer({ min: 0, max: maxMs }))
      .map(([a, b]): Distribution => ({ kind: 'uniform', minMs: Math.min(a, b), maxMs: Math.max(a, b) })),
  );

const actionsArb = fc.subarray([...ACTIONS], { minLength: 1 });

/** The graph and workload part of a scenario, before an attack and a policy are chosen. */
export interface Estate {
  readonly nodes: readonly ScenarioNode[];
  readonly edges: readonly ScenarioEdge[];
  readonly workload: readonly Task[];
  readonly horizonMs: number;
}

const rawEstateArb = fc.record({
  agents: fc.array(fc.record({ replans: fc.boolean(), env: fc.constantFrom(...ENVIRONMENTS), shared: fc.boolean() }), {
    minLength: 1,
    maxLength: 3,
  }),
  tools: fc.array(fc.constantFrom(...ENVIRONMENTS), { maxLength: 2 }),
  resources: fc.array(
    fc.record({
      sensitivity: fc.constantFrom(...SENSITIVITIES),
      records: fc.integer({ min: 0, max: 1000 }),
      env: fc.constantFrom(...ENVIRONMENTS),
      // A live leak source (E2): a replay from it reads the newest material whenever the attacker looks.
      live: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  credentials: fc.array(fc.record({ rotation: fc.constantFrom<number | null>(null, null, 6 * HOUR, DAY) }), {
    minLength: 1,
    maxLength: 4,
  }),
  holds: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }),
  grants: fc.array(fc.tuple(fc.nat(), fc.nat(), actionsArb), { minLength: 1, maxLength: 8 }),
  invokes: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
  assumes: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }),
  tasks: fc.array(
    fc.record({
      agent: fc.nat(),
      every: fc.constantFrom(30 * MIN, HOUR, 6 * HOUR, Number.POSITIVE_INFINITY),
      at: fc.integer({ min: 0, max: 2 * DAY }),
      duration: fc.constantFrom(0, MIN, 10 * MIN, HOUR, 3 * HOUR),
      timeout: fc.constantFrom(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 30 * MIN),
      refreshable: fc.boolean(),
      steps: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      // Declared exchanges (E4) from what the agent holds along every `assumes` edge.
      exchanges: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
  horizonDays: fc.integer({ min: 1, max: 3 }),
});

/** A random estate (nodes, edges, valid workload). Ids: a0…, t0…, r0…, c0…. */
export const estateArb: fc.Arbitrary<Estate> = rawEstateArb.map((raw) => {
  const agents = raw.agents.map((a, i) =>
    agent(`a${i}`, { replans: a.replans, environment: a.env, identity: a.shared ? 'shared-secret' : 'workload' }),
  );
  const tools = raw.tools.map((env, i) => tool(`t${i}`, { environment: env }));
  const resources = raw.resources.map((r, i) =>
    resource(`r${i}`, {
      sensitivity: r.sensitivity,
      weight: { public: 0, internal: 1, confidential: 3, regulated: 10 }[r.sensitivity],
      records: r.records,
      environment: r.env,
      exposure: r.live ? 'live' : 'snapshot',
    }),
  );
  // Every third credential (by position) is a legacy static key; the rest are ephemeral-capable.
  const credentials = raw.credentials.map((c, i) =>
    credential(`c${i}`, { ephemeralCapable: i % 3 !== 2, rotationMs: c.rotation }),
  );
  const holders = [...agents, ...tools, ...resources];
  const targets = [...resources, ...tools, ...agents];
  const edges: ScenarioEdge[] = [];
  const seen = new Set<string>();
  const add = (kind: ScenarioEdge['kind'], from: string, to: string, actions: readonly Action[] = []): void => {
    const key = `${kind}:${from}->${to}`;
    if (from === to || seen.has(key)) return;
    seen.add(key);
    edges.push({ key: `${key}#0`, kind, from, to, actions });
  };
  for (const [h, c] of raw.holds) add('holds', holders[h % holders.length]!.id, credentials[c % credentials.length]!.id);
  for (const [c, x, actions] of raw.grants) {
    const sorted = ACTIONS.filter((a) => actions.includes(a));
    add('grants', credentials[c % credentials.length]!.id, targets[x % targets.length]!.id, sorted);
  }
  const invokers = [...agents, ...tools];
  if (tools.length > 0)
    for (const [a, t] of raw.invokes) add('invokes', invokers[a % invokers.length]!.id, tools[t % tools.length]!.id);
  for (const [a, b] of raw.assumes)
    add('assumes', credentials[a % credentials.length]!.id, credentials[b % credentials.length]!.id);

  // Valid steps per agent: (via, credential, target, action) with the actor holding a credential that grants it.
  const heldBy = (id: string): string[] => edges.filter((e) => e.kind === 'holds' && e.from === id).map((e) => e.to);
  const grantsOf = (cred: string) => edges.filter((e) => e.kind === 'grants' && e.from === cred);
  const workload: Task[] = [];
  for (const t of raw.tasks) {
    const a = agents[t.agent % agents.length]!;
    const vias = [null, ...edges.filter((e) => e.kind === 'invokes' && e.from === a.id).map((e) => e.to)];
    const options: Task['steps'][number][] = [];
    for (const via of vias) {
      for (const cred of heldBy(via ?? a.id)) {
        for (const g of grantsOf(cred))
          for (const action of g.actions) options.push({ target: g.to, action, via, credential: cred });
      }
    }
    if (options.length === 0) continue;
    const index = workload.length;
    workload.push({
      id: `${a.id}#${index}`,
      index,
      agent: a.id,
      everyMs: t.every,
      atMs: t.at,
      durationMs: t.duration,
      timeoutMs: t.timeout,
      refreshable: t.refreshable,
      steps: t.steps.map((s) => options[s % options.length]!),
      exchanges: t.exchanges
        ? edges.filter((e) => e.kind === 'assumes' && heldBy(a.id).includes(e.from)).map((e) => ({ from: e.from, to: e.to }))
        : [],
    });
  }
  return { nodes: [...agents, ...tools, ...resources, ...credentials], edges, workload, horizonMs: raw.horizonDays * DAY };
});

/** A valid attack of any pattern on an estate. */
export function attackArb(estate: Estate): fc.Arbitrary<Attack> {
  const ids = (kind: ScenarioNode['kind']) => estate.nodes.filter((n) => n.kind === kind).map((n) => n.id);
  const holdEdges = estate.edges.filter((e) => e.kind === 'holds');
  const time = fc.integer({ min: 0, max: estate.horizonMs - 1 });
  const base = fc.record({
    hopDelay: distributionArb(2 * HOUR),
    maxHops: fc.constantFrom(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1, 2),
  });
  const agents = ids('agent');
  const resources = ids('resource');
  const patterns = PATTERN_IDS.filter((p) => (p === 'secret-replay' || p === 'mass-leak' ? holdEdges.length > 0 : true));
  return fc.constantFrom(...patterns).chain((pattern): fc.Arbitrary<Attack> => {
    switch (pattern) {
      case 'secret-replay':
        return fc
          .record({ base, edge: fc.constantFrom(...holdEdges), at: time, delay: distributionArb(DAY) })
          .map(({ base: b, edge, at, delay }) => ({
            pattern,
            name: pattern,
            ...b,
            credential: edge.to,
            from: edge.from,
            leakAtMs: at,
            replayDelay: delay,
          }));
      case 'mass-leak':
        return fc
          .record({ base, edge: fc.constantFrom(...holdEdges), at: time, delay: distributionArb(DAY) })
          .map(({ base: b, edge, at, delay }) => ({
            pattern,
            name: pattern,
            ...b,
            holder: edge.from,
            leakAtMs: at,
            replayDelay: delay,
          }));
      case 'lateral-movement':
        return fc
          .record({ base, entry: fc.constantFrom(...estate.nodes.map((n) => n.id)), at: time })
          .map(({ base: b, entry, at }) => ({
            pattern,
            name: pattern,
            ...b,
            entry,
            atMs: at,
          }));
      case 'tool-chaining':
        return fc.record({ base, agent: fc.constantFrom(...agents), at: time }).map(({ base: b, agent: a, at }) => ({
          pattern,
          name: pattern,
          ...b,
          agent: a,
          atMs: at,
        }));
      case 'intent-drift':
        return fc
          .record({
            base,
            agent: fc.constantFrom(...agents),
            at: time,
            targets: fc.array(fc.record({ target: fc.constantFrom(...resources), action: fc.constantFrom(...ACTIONS) }), {
              minLength: 1,
              maxLength: 3,
            }),
          })
          .map(({ base: b, agent: a, at, targets }) => ({ pattern, name: pattern, ...b, agent: a, atMs: at, targets }));
      case 'orphaned-credential':
        return fc
          .record({ base, agent: fc.constantFrom(...agents), at: time, delay: distributionArb(DAY) })
          .map(({ base: b, agent: a, at, delay }) => ({
            pattern,
            name: pattern,
            ...b,
            agent: a,
            credentials: estate.edges.filter((e) => e.kind === 'holds' && e.from === a).map((e) => e.to),
            retiredAtMs: at,
            foundDelay: delay,
          }));
      default:
        return fc.constant({
          pattern: 'lateral-movement',
          name: 'lateral-movement',
          ...attackDefaults,
          entry: agents[0]!,
          atMs: 0,
        });
    }
  });
}

/** A random policy of any kind (named `p`, so two policies built from it share workload draws). */
export function policyArb(estate: Estate): fc.Arbitrary<Policy> {
  const credIds = estate.nodes.filter((n) => n.kind === 'credential').map((n) => n.id);
  const exceptionArb: fc.Arbitrary<HybridException> = fc.record({
    match: fc.record({
      replans: fc.constantFrom<boolean | null>(null, false, true),
      maxSensitivity: fc.constantFrom(null, ...SENSITIVITIES),
      environment: fc.constantFrom<string | null>(null, ...ENVIRONMENTS),
      ids: fc.option(fc.subarray(credIds, { minLength: 1 }), { nil: null }),
    }),
    rotationMs: fc.constantFrom(HOUR, DAY, Number.POSITIVE_INFINITY),
  });
  return fc
    .record({
      kind: fc.constantFrom('persistent' as const, 'ephemeral' as const, 'hybrid' as const),
      rotationMs: fc.constantFrom<number | null>(null, 12 * HOUR, Number.POSITIVE_INFINITY),
      ttlMs: fc.constantFrom(5 * MIN, 15 * MIN, HOUR, 4 * HOUR),
      scope: fc.constantFrom('task' as const, 'step' as const, 'role' as const),
      revokeOn: fc.record({ completion: fc.boolean(), failure: fc.boolean(), timeout: fc.boolean() }),
      reevaluate: fc.constantFrom('none' as const, 'privileged' as const, 'every-step' as const),
      bindToWorkload: fc.boolean(),
      detection: fc.option(fc.record({ probability: fc.constantFrom(0, 0.3, 1), delay: distributionArb(6 * HOUR) }), {
        nil: null,
      }),
      latency: distributionArb(2 * HOUR),
      awsLatency: fc.option(distributionArb(6 * HOUR), { nil: undefined }),
      issuer: fc.record({ latency: distributionArb(2000), availability: fc.constantFrom(1, 1, 0.9) }),
      exceptions: fc.array(exceptionArb, { maxLength: 2 }),
    })
    .map((p): Policy => {
      const common = {
        name: 'p',
        rotationMs: p.rotationMs,
        approval: null,
        forbidCreation: false,
        detection: p.detection === null ? null : { ...p.detection, atMs: Infinity },
        revocationLatency: { default: p.latency, byEnvironment: p.awsLatency === undefined ? {} : { aws: p.awsLatency } },
        staleAfterMs: null,
      };
      const broker: BrokerSettings = {
        ttlMs: p.ttlMs,
        scope: p.scope,
        revokeOn: p.revokeOn,
        reevaluate: p.reevaluate,
        bindToWorkload: p.bindToWorkload,
        callChain: 'none',
        issuer: p.issuer,
      };
      switch (p.kind) {
        case 'persistent':
          // A standing secret's token settings meant nothing; `all` grants what the token scopes granted it.
          return { ...common, kind: 'persistent', scope: 'all' };
        case 'ephemeral':
          return { ...common, kind: 'ephemeral', broker };
        case 'hybrid':
          return { ...common, kind: 'hybrid', broker, exceptions: p.exceptions };
      }
    });
}

/** Whether the `assumes` edges form a cycle (c0 → c1 → c0): under a broker it re-mints at every hop. */
export function hasExchangeCycle(edges: readonly ScenarioEdge[]): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.kind === 'assumes') next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 1 | 2>();
  const visit = (node: string): boolean => {
    if (state.get(node) === 2) return false;
    if (state.get(node) === 1) return true;
    state.set(node, 1);
    if ((next.get(node) ?? []).some(visit)) return true;
    state.set(node, 2);
    return false;
  };
  return [...next.keys()].some(visit);
}

/** Hop delays of at least this scale on estates with an exchange cycle (see slowEnough). */
export const CYCLE_HOP_MS = 10 * MIN;

/**
 * An exchange cycle gives a new mint capability at every hop, and each hop uses every one held: a
 * trial costs the square of its hops (docs/scale.md; open in #10) — hours at millisecond hops over
 * days. Random estates with a cycle keep hop delays of CYCLE_HOP_MS or more, so no property hangs.
 */
function slowEnough(hopDelay: Distribution): Distribution {
  const scale =
    hopDelay.kind === 'fixed'
      ? hopDelay.valueMs
      : hopDelay.kind === 'exponential'
        ? hopDelay.meanMs
        : hopDelay.kind === 'uniform'
          ? hopDelay.minMs
          : Number.POSITIVE_INFINITY;
  return scale >= CYCLE_HOP_MS ? hopDelay : { kind: 'exponential', meanMs: CYCLE_HOP_MS };
}

/** A whole scenario: estate, one attack, one policy. */
export const scenarioArb: fc.Arbitrary<Scenario> = estateArb.chain((estate) =>
  fc.record({ attack: attackArb(estate), policy: policyArb(estate), seed: fc.nat() }).map(({ attack, policy, seed }) =>
    scenario({
      ...estate,
      seed,
      nodes: estate.nodes,
      edges: estate.edges,
      workload: estate.workload,
      attacks: [hasExchangeCycle(estate.edges) ? { ...attack, hopDelay: slowEnough(attack.hopDelay) } : attack],
      policies: [policy],
    }),
  ),
);

/** The start time of an attack (leakAt / at / retiredAt): the origin of its time_to_* metrics. */
export function attackStartMs(attack: Attack): number {
  switch (attack.pattern) {
    case 'secret-replay':
    case 'mass-leak':
      return attack.leakAtMs;
    case 'lateral-movement':
    case 'tool-chaining':
    case 'intent-drift':
      return attack.atMs;
    case 'orphaned-credential':
      return attack.retiredAtMs;
  }
}
