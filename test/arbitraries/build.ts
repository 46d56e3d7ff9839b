/** Builders for resolved scenarios in tests: plain data with every default applied, terse to write. */
import type {
  Action,
  AgentNode,
  Attack,
  BrokerPolicy,
  BrokerSettings,
  CredentialNode,
  Distribution,
  EphemeralPolicy,
  HybridException,
  HybridPolicy,
  PersistentPolicy,
  Policy,
  ResourceNode,
  Scenario,
  ScenarioEdge,
  Task,
  ToolNode,
} from '../../src/domain/scenario.js';
import { DEFAULT_SENSITIVITY_WEIGHTS } from '../../src/domain/scenario.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const fixed = (valueMs: number): Distribution => ({ kind: 'fixed', valueMs });
export const exponential = (meanMs: number): Distribution => ({ kind: 'exponential', meanMs });

export function agent(id: string, extra: Partial<AgentNode> = {}): AgentNode {
  return { kind: 'agent', id, replans: false, environment: 'default', identity: 'workload', exposure: 'snapshot', ...extra };
}
export function tool(id: string, extra: Partial<ToolNode> = {}): ToolNode {
  return { kind: 'tool', id, environment: 'default', exposure: 'snapshot', ...extra };
}
export function resource(id: string, extra: Partial<ResourceNode> = {}): ResourceNode {
  const sensitivity = extra.sensitivity ?? 'internal';
  return {
    kind: 'resource',
    id,
    sensitivity,
    weight: DEFAULT_SENSITIVITY_WEIGHTS[sensitivity],
    records: 0,
    environment: 'default',
    exposure: 'snapshot',
    egress: false,
    ...extra,
  };
}
export function credential(id: string, extra: Partial<CredentialNode> = {}): CredentialNode {
  return { kind: 'credential', id, type: 'secret', ephemeralCapable: true, rotationMs: null, ...extra };
}

const counts = new Map<string, number>();
function edge(kind: ScenarioEdge['kind'], from: string, to: string, actions: readonly Action[] = []): ScenarioEdge {
  const base = `${kind}:${from}->${to}`;
  const n = counts.get(base) ?? 0;
  counts.set(base, n + 1);
  return { key: `${base}#${n}`, kind, from, to, actions };
}
export const holds = (from: string, to: string): ScenarioEdge => edge('holds', from, to);
export const grants = (from: string, to: string, actions: readonly Action[]): ScenarioEdge => edge('grants', from, to, actions);
export const invokes = (from: string, to: string): ScenarioEdge => edge('invokes', from, to);
export const assumes = (from: string, to: string): ScenarioEdge => edge('assumes', from, to);
export const runs = (from: string, to: string): ScenarioEdge => edge('runs', from, to);
export const issues = (from: string, to: string): ScenarioEdge => edge('issues', from, to);

let taskCounter = 0;
/**
 * Edges as plain records with their key: a loaded scenario's edges derive `key` when read (it is not an
 * own property), so compare them to built edges through this.
 */
export function plainEdges(edges: readonly ScenarioEdge[]): ScenarioEdge[] {
  return edges.map(({ key, kind, from, to, actions }) => ({ key, kind, from, to, actions }));
}

export function task(agentId: string, steps: Task['steps'], extra: Partial<Task> = {}): Task {
  const index = taskCounter++;
  return {
    id: `${agentId}#${index}`,
    index,
    agent: agentId,
    everyMs: HOUR,
    atMs: 0,
    durationMs: 10 * MIN,
    timeoutMs: Number.POSITIVE_INFINITY,
    refreshable: true,
    steps,
    exchanges: [],
    ...extra,
  };
}
export function step(target: string, action: Action, credentialId: string, via: string | null = null): Task['steps'][number] {
  return { target, action, via, credential: credentialId };
}

/** Settings of any policy kind (everything but `kind`, the broker and the exceptions). */
type CommonSettings = Partial<Omit<PersistentPolicy, 'kind' | 'scope'>>;
/** Settings of an ephemeral policy, its broker's written flat (`{ ttlMs, bindToWorkload }`). */
export type BrokerExtra = CommonSettings & Partial<BrokerSettings>;

const common = (name: string): Omit<PersistentPolicy, 'kind' | 'scope'> => ({
  name,
  rotationMs: null,
  approval: null,
  forbidCreation: false,
  detection: null,
  revocationLatency: { default: fixed(0), byEnvironment: {} },
  staleAfterMs: null,
});

/** Splits flat extras into the policy's own settings and its broker's (defaults: 15m task tokens, nothing else). */
function withBroker(name: string, extra: BrokerExtra): Omit<EphemeralPolicy, 'kind'> {
  const { ttlMs, scope, revokeOn, reevaluate, bindToWorkload, callChain, issuer, ...own } = extra;
  return {
    ...common(name),
    ...own,
    broker: {
      ttlMs: ttlMs ?? 15 * MIN,
      scope: scope ?? 'task',
      revokeOn: revokeOn ?? { completion: false, failure: false, timeout: false },
      reevaluate: reevaluate ?? 'none',
      bindToWorkload: bindToWorkload ?? false,
      callChain: callChain ?? 'none',
      issuer: issuer ?? { latency: fixed(0), availability: 1 },
    },
  };
}

export function persistent(name = 'persistent', extra: Partial<Omit<PersistentPolicy, 'kind'>> = {}): PersistentPolicy {
  return { ...common(name), scope: 'all', ...extra, kind: 'persistent' };
}
export function ephemeral(name = 'ephemeral', extra: BrokerExtra = {}): EphemeralPolicy {
  return { ...withBroker(name, extra), kind: 'ephemeral' };
}
export function hybrid(
  name = 'hybrid',
  extra: BrokerExtra & { readonly exceptions?: readonly HybridException[] } = {},
): HybridPolicy {
  const { exceptions = [], ...rest } = extra;
  return { ...withBroker(name, rest), kind: 'hybrid', exceptions };
}

export function scenario(parts: Partial<Scenario> & Pick<Scenario, 'nodes' | 'attacks' | 'policies'>): Scenario {
  // Re-number tasks in list order so task ids and indices match the scenario (as the loader does).
  const workload = (parts.workload ?? []).map((t, index) => ({ ...t, index, id: `${t.agent}#${index}` }));
  return {
    name: 'test',
    description: '',
    references: [],
    frameworks: {},
    seed: 7,
    trials: 100,
    horizonMs: 30 * DAY,
    sensitivityWeights: DEFAULT_SENSITIVITY_WEIGHTS,
    defaultRotationMs: Number.POSITIVE_INFINITY,
    edges: [],
    asOf: null,
    staleAfterMs: 90 * DAY,
    credentialTimes: {},
    provenance: {},
    source: { file: 'test.yaml', sha256: '0' },
    ...parts,
    workload,
  };
}

export const attackDefaults = { hopDelay: fixed(HOUR), maxHops: Number.POSITIVE_INFINITY } as const;
export function replay(
  credentialId: string,
  from: string,
  leakAtMs: number,
  replayDelay: Distribution,
  extra: Partial<Attack> = {},
): Attack {
  return {
    pattern: 'secret-replay',
    name: 'secret-replay',
    credential: credentialId,
    from,
    leakAtMs,
    replayDelay,
    ...attackDefaults,
    ...extra,
  } as Attack;
}
export function lateral(entry: string, atMs: number, extra: Partial<Attack> = {}): Attack {
  return { pattern: 'lateral-movement', name: 'lateral-movement', entry, atMs, ...attackDefaults, ...extra } as Attack;
}
export function toolChain(agentId: string, atMs: number, extra: Partial<Attack> = {}): Attack {
  return { pattern: 'tool-chaining', name: 'tool-chaining', agent: agentId, atMs, ...attackDefaults, ...extra } as Attack;
}
export function drift(
  agentId: string,
  atMs: number,
  targets: readonly { target: string; action: Action }[],
  extra: Partial<Attack> = {},
): Attack {
  return { pattern: 'intent-drift', name: 'intent-drift', agent: agentId, atMs, targets, ...attackDefaults, ...extra } as Attack;
}
export function orphaned(
  agentId: string,
  credentials: readonly string[],
  retiredAtMs: number,
  foundDelay: Distribution,
  extra: Partial<Attack> = {},
): Attack {
  return {
    pattern: 'orphaned-credential',
    name: 'orphaned-credential',
    agent: agentId,
    credentials,
    retiredAtMs,
    foundDelay,
    ...attackDefaults,
    ...extra,
  } as Attack;
}
export function massLeak(holder: string, leakAtMs: number, replayDelay: Distribution, extra: Partial<Attack> = {}): Attack {
  return { pattern: 'mass-leak', name: 'mass-leak', holder, leakAtMs, replayDelay, ...attackDefaults, ...extra } as Attack;
}
export const uniform = (minMs: number, maxMs: number): Distribution => ({ kind: 'uniform', minMs, maxMs });
export const revokeOn = (...triggers: readonly ('completion' | 'failure' | 'timeout')[]): BrokerSettings['revokeOn'] => ({
  completion: triggers.includes('completion'),
  failure: triggers.includes('failure'),
  timeout: triggers.includes('timeout'),
});

/**
 * A persistent policy carrying broker settings it has no use for: the type forbids them, but a
 * hand-made object can hold them, and the engine must narrow on `kind`, never on the field's presence.
 */
export function withStrayBroker(policy: PersistentPolicy, broker: BrokerSettings): Policy {
  return { ...policy, broker } as Policy;
}

/** A loaded policy narrowed to one that mints (ephemeral or hybrid); throws (fails the test) otherwise. */
export function brokered(policy: Policy | undefined): BrokerPolicy {
  if (policy === undefined || policy.kind === 'persistent')
    throw new Error(`expected an ephemeral or hybrid policy, got ${policy?.kind}`);
  return policy;
}
/** A loaded policy narrowed to a hybrid one; throws (fails the test) otherwise. */
export function hybridOf(policy: Policy | undefined): HybridPolicy {
  if (policy?.kind !== 'hybrid') throw new Error(`expected a hybrid policy, got ${policy?.kind}`);
  return policy;
}
