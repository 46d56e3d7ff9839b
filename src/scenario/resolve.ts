/**
 * Step 4 of the boundary: defaults resolved, one function per concept (DESIGN §1). Input here has
 * passed the schema and the reference checks; output is the frozen Scenario with no optional field,
 * every duration in integer milliseconds (`Infinity` for `never`) and every sensitivity weighted.
 */
import { parseDuration, parseDurationOrNever } from '../lib/duration.js';
import { assertNever } from '../lib/assert.js';
import { actionMask, maskActions } from '../domain/actions.js';
import { resolveEdges } from './resolve-edges.js';
import { attackNames, exchangedBy, indexEdges, inferStepCredential, type EdgeIndex } from './references.js';
import type {
  ActionStepInput,
  AttackInput,
  DistributionInput,
  NodeInput,
  PolicyInput,
  ScenarioInput,
  TaskInput,
} from './schema.js';
import {
  DEFAULT_SENSITIVITY_WEIGHTS,
  REVOKE_TRIGGERS,
  STANDING_SCOPES,
  TOKEN_SCOPES,
  type Attack,
  type BrokerSettings,
  type CredentialTimes,
  type Distribution,
  type Policy,
  type Provenance,
  type Scenario,
  type ScenarioNode,
  type Scope,
  type Sensitivity,
  type Task,
} from '../domain/scenario.js';

/** Scenario-level defaults (DESIGN §1). */
export const SCENARIO_DEFAULTS = { seed: 1, trials: 100, horizon: '30d', rotation: 'never', staleAfter: '90d' } as const;
/** Policy defaults (DESIGN §1). */
export const POLICY_DEFAULTS = {
  ttl: '15m',
  scope: 'task',
  standingScope: 'all',
  reevaluate: 'none',
  bindToWorkload: false,
  forbidCreation: false,
  callChain: 'none',
  approvalWait: '10m',
} as const;
/** Holder default (SPEC §1): a leak is a one-time copy. */
export const DEFAULT_EXPOSURE = 'snapshot';
/** Default delay between attacker hops (SPEC §4 attacker tempo: automated attackers move in minutes). */
export const DEFAULT_HOP_DELAY = { exponential: { mean: '10m' } } as const satisfies DistributionInput;

const ZERO: Distribution = { kind: 'fixed', valueMs: 0 };

/** A distribution in milliseconds; a bare duration is `{fixed: D}`. */
export function resolveDistribution(input: DistributionInput): Distribution {
  if (typeof input === 'string') return { kind: 'fixed', valueMs: parseDuration(input) };
  if ('fixed' in input) return { kind: 'fixed', valueMs: parseDuration(input.fixed) };
  if ('exponential' in input) return { kind: 'exponential', meanMs: parseDuration(input.exponential.mean) };
  if ('lognormal' in input)
    return { kind: 'lognormal', medianMs: parseDuration(input.lognormal.median), sigma: input.lognormal.sigma };
  return { kind: 'uniform', minMs: parseDuration(input.uniform.min), maxMs: parseDuration(input.uniform.max) };
}

/** A node with its kind's defaults; resources get their sensitivity weight. */
export function resolveNode(input: NodeInput, weights: Readonly<Record<Sensitivity, number>>): ScenarioNode {
  switch (input.kind) {
    case 'agent':
      return {
        kind: 'agent',
        id: input.id,
        replans: input.replans ?? false,
        environment: input.environment ?? 'default',
        identity: input.identity ?? 'workload',
        exposure: input.exposure ?? DEFAULT_EXPOSURE,
      };
    case 'tool':
      return {
        kind: 'tool',
        id: input.id,
        environment: input.environment ?? 'default',
        exposure: input.exposure ?? DEFAULT_EXPOSURE,
      };
    case 'resource': {
      const sensitivity = input.sensitivity ?? 'internal';
      const node = {
        kind: 'resource' as const,
        id: input.id,
        sensitivity,
        weight: weights[sensitivity],
        records: input.records ?? 0,
        environment: input.environment ?? 'default',
        egress: input.egress ?? false,
        exposure: input.exposure ?? DEFAULT_EXPOSURE,
      };
      return input.record === undefined
        ? node
        : { ...node, record: { reached: input.record.reached, source: input.record.source ?? null } };
    }
    case 'credential':
      return {
        kind: 'credential',
        id: input.id,
        type: input.type ?? 'secret',
        ephemeralCapable: input.ephemeralCapable ?? true,
        rotationMs: input.rotation === undefined ? null : parseDurationOrNever(input.rotation),
      };
    default:
      return assertNever(input);
  }
}

/** A workload task with defaults and every step's credential resolved (named or inferred); exchange steps listed apart. */
export function resolveTask(input: TaskInput, index: number, edges: EdgeIndex, exchanged: readonly string[] = []): Task {
  const actionSteps = input.steps.filter((step): step is ActionStepInput => !('exchange' in step));
  return {
    id: `${input.agent}#${index}`,
    index,
    agent: input.agent,
    everyMs: input.every === undefined ? Infinity : parseDuration(input.every),
    atMs: input.at === undefined ? 0 : parseDuration(input.at),
    durationMs: parseDuration(input.duration),
    timeoutMs: input.timeout === undefined ? Infinity : parseDurationOrNever(input.timeout),
    refreshable: input.refreshable ?? true,
    exchanges: input.steps.flatMap((step) => ('exchange' in step ? [{ from: step.exchange.from, to: step.exchange.to }] : [])),
    steps: actionSteps.map((step) => {
      const credential =
        step.credential ??
        inferStepCredential(edges, step.via ?? input.agent, step.target, step.action, step.via === undefined ? exchanged : []);
      // The reference checks guarantee a credential exists; reaching this is a loader bug.
      if (credential === undefined) throw new Error(`resolveTask: no credential for a step of task ${input.agent}#${index}`);
      return { target: step.target, action: step.action, via: step.via ?? null, credential };
    }),
  };
}

/** Whether `scope` is one of `allowed` (the schema's scopeFitsKind admits only the kind's scopes). */
function isOneOf<S extends Scope>(allowed: readonly S[], scope: Scope): scope is S {
  return (allowed as readonly Scope[]).includes(scope);
}

/** A policy's broker settings with every default applied (ephemeral and hybrid policies). */
function resolveBroker(name: string, input: PolicyInput): BrokerSettings {
  const scope = input.scope ?? POLICY_DEFAULTS.scope;
  // The schema refuses a standing scope on a token policy; reaching this is a loader bug.
  if (!isOneOf(TOKEN_SCOPES, scope)) throw new Error(`resolvePolicy: policy "${name}" (${input.kind}) has scope "${scope}"`);
  const revokeOn = new Set(input.revokeOn ?? []);
  return {
    ttlMs: parseDuration(input.ttl ?? POLICY_DEFAULTS.ttl),
    scope,
    revokeOn: Object.fromEntries(REVOKE_TRIGGERS.map((t) => [t, revokeOn.has(t)])) as BrokerSettings['revokeOn'],
    reevaluate: input.reevaluate ?? POLICY_DEFAULTS.reevaluate,
    bindToWorkload: input.bindToWorkload ?? POLICY_DEFAULTS.bindToWorkload,
    callChain: input.callChain ?? POLICY_DEFAULTS.callChain,
    issuer: {
      latency: input.issuer?.latency === undefined ? ZERO : resolveDistribution(input.issuer.latency),
      availability: input.issuer?.availability ?? 1,
    },
  };
}

/**
 * A policy with every default applied. The broker keys of a file (ttl, scope, revokeOn, reevaluate,
 * bindToWorkload, callChain, issuer) land in `broker` on ephemeral and hybrid policies; a persistent
 * policy keeps only its standing `scope` (they mean nothing to it), and only a hybrid one has exceptions.
 */
export function resolvePolicy(name: string, input: PolicyInput): Policy {
  const latency = input.revocationLatency ?? {};
  const byEnvironment: Record<string, Distribution> = {};
  for (const [env, dist] of Object.entries(latency)) if (env !== 'default') byEnvironment[env] = resolveDistribution(dist);
  const base = {
    name,
    rotationMs: input.rotation === undefined ? null : parseDurationOrNever(input.rotation),
    approval:
      input.approval === undefined
        ? null
        : {
            actions: maskActions(actionMask(input.approval.actions)),
            refuse: input.approval.refuse,
            wait:
              input.approval.wait === undefined
                ? { kind: 'exponential' as const, meanMs: parseDuration(POLICY_DEFAULTS.approvalWait) }
                : resolveDistribution(input.approval.wait),
          },
    forbidCreation: input.forbidCreation ?? POLICY_DEFAULTS.forbidCreation,
    detection:
      input.detection === undefined
        ? null
        : {
            probability: input.detection.probability ?? 0,
            delay: input.detection.delay === undefined ? ZERO : resolveDistribution(input.detection.delay),
            atMs: input.detection.at === undefined ? Infinity : parseDuration(input.detection.at),
          },
    revocationLatency: {
      default: latency['default'] === undefined ? ZERO : resolveDistribution(latency['default']),
      byEnvironment,
    },
    staleAfterMs: input.staleAfter === undefined ? null : parseDuration(input.staleAfter),
  };
  switch (input.kind) {
    case 'persistent': {
      const scope = input.scope ?? POLICY_DEFAULTS.standingScope;
      // The schema refuses a token scope on a persistent policy; reaching this is a loader bug.
      if (!isOneOf(STANDING_SCOPES, scope)) throw new Error(`resolvePolicy: policy "${name}" (persistent) has scope "${scope}"`);
      return { ...base, kind: 'persistent', scope };
    }
    case 'ephemeral':
      return { ...base, kind: 'ephemeral', broker: resolveBroker(name, input) };
    case 'hybrid':
      return {
        ...base,
        kind: 'hybrid',
        broker: resolveBroker(name, input),
        exceptions: (input.exceptions ?? []).map((e) => ({
          match: {
            replans: e.match.replans ?? null,
            maxSensitivity: e.match.maxSensitivity ?? null,
            environment: e.match.environment ?? null,
            ids: e.match.ids ?? null,
          },
          rotationMs: parseDurationOrNever(e.rotation),
        })),
      };
  }
}

/** An attack with its name, hop delay and hop cap resolved; orphaned credentials default to all the agent holds. */
export function resolveAttack(input: AttackInput, name: string, edges: EdgeIndex): Attack {
  const base = {
    name,
    hopDelay: resolveDistribution(input.hopDelay ?? DEFAULT_HOP_DELAY),
    maxHops: input.maxHops ?? Infinity,
  };
  const delay = (d: DistributionInput | undefined): Distribution => (d === undefined ? ZERO : resolveDistribution(d));
  switch (input.pattern) {
    case 'secret-replay':
      return {
        pattern: input.pattern,
        ...base,
        credential: input.credential,
        from: input.from,
        leakAtMs: parseDuration(input.leakAt),
        replayDelay: delay(input.replayDelay),
      };
    case 'lateral-movement':
      return { pattern: input.pattern, ...base, entry: input.entry, atMs: parseDuration(input.at) };
    case 'tool-chaining':
      return { pattern: input.pattern, ...base, agent: input.agent, atMs: parseDuration(input.at) };
    case 'intent-drift':
      return {
        pattern: input.pattern,
        ...base,
        agent: input.agent,
        atMs: parseDuration(input.at),
        targets: input.targets.map((t) => ({ target: t.target, action: t.action })),
      };
    case 'orphaned-credential': {
      const held = edges.held.get(input.agent) ?? [];
      const named =
        input.credential === undefined ? held : typeof input.credential === 'string' ? [input.credential] : input.credential;
      return {
        pattern: input.pattern,
        ...base,
        agent: input.agent,
        credentials: [...new Set(named)],
        retiredAtMs: parseDuration(input.retiredAt),
        foundDelay: delay(input.foundDelay),
      };
    }
    case 'mass-leak':
      return {
        pattern: input.pattern,
        ...base,
        holder: input.holder,
        leakAtMs: parseDuration(input.leakAt),
        replayDelay: delay(input.replayDelay),
      };
    default:
      return assertNever(input);
  }
}

/** The side tables of real credential timestamps (ms from `asOf`) and imported nodes' provenance. */
export function resolveTimesAndProvenance(
  nodes: readonly NodeInput[],
  asOf: string | undefined,
): { credentialTimes: Record<string, CredentialTimes>; provenance: Record<string, Provenance> } {
  const credentialTimes: Record<string, CredentialTimes> = {};
  const provenance: Record<string, Provenance> = {};
  const origin = asOf === undefined ? Number.NaN : Date.parse(asOf);
  const at = (text: string | undefined): number | null => (text === undefined ? null : Date.parse(text) - origin);
  for (const node of nodes) {
    if (node.provenance !== undefined) provenance[node.id] = { source: node.provenance.source, id: node.provenance.id };
    if (node.kind !== 'credential') continue;
    const { createdAt, lastRotatedAt, lastUsedAt, expiresAt, nativeTtl } = node;
    if (
      createdAt === undefined &&
      lastRotatedAt === undefined &&
      lastUsedAt === undefined &&
      expiresAt === undefined &&
      nativeTtl === undefined
    )
      continue;
    credentialTimes[node.id] = {
      createdAtMs: at(createdAt),
      lastRotatedAtMs: at(lastRotatedAt),
      lastUsedAtMs: at(lastUsedAt),
      expiresAtMs: at(expiresAt),
      nativeTtlMs: nativeTtl === undefined ? null : parseDuration(nativeTtl),
    };
  }
  return { credentialTimes, provenance };
}

/** Deep-freezes plain data so nothing downstream can mutate the scenario. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
    } else {
      // for…in over plain data: no array of values per object (a million edges are a million objects).
      for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
    }
    Object.freeze(value);
  }
  return value;
}

/** The whole scenario, resolved and frozen. `policies` are already expanded from presets, in file order. */
export function resolveScenario(
  input: Omit<ScenarioInput, 'policies'>,
  policies: readonly { readonly name: string; readonly policy: PolicyInput }[],
  source: { readonly file: string; readonly sha256: string },
): Scenario {
  const weights = { ...DEFAULT_SENSITIVITY_WEIGHTS };
  for (const [s, w] of Object.entries(input.sensitivityWeights ?? {})) if (w !== undefined) weights[s as Sensitivity] = w;
  const edges = input.edges ?? [];
  const edgeIndex = indexEdges(edges);
  const names = attackNames(input.attacks);
  const frameworks: Record<string, readonly string[]> = {};
  for (const [key, ids] of Object.entries(input.frameworks ?? {})) if (ids !== undefined) frameworks[key] = ids;
  const nodes = input.nodes.map((node) => resolveNode(node, weights));
  return deepFreeze({
    name: input.name,
    description: input.description ?? '',
    references: input.references ?? [],
    frameworks,
    seed: input.seed ?? SCENARIO_DEFAULTS.seed,
    trials: input.trials ?? SCENARIO_DEFAULTS.trials,
    horizonMs: parseDuration(input.horizon ?? SCENARIO_DEFAULTS.horizon),
    sensitivityWeights: weights,
    defaultRotationMs: parseDurationOrNever(input.rotation ?? SCENARIO_DEFAULTS.rotation),
    nodes,
    edges: resolveEdges(edges, nodes),
    workload: (input.workload ?? []).map((task, index, all) => resolveTask(task, index, edgeIndex, exchangedBy(all, task.agent))),
    attacks: input.attacks.map((attack, index) => resolveAttack(attack, names[index] ?? attack.pattern, edgeIndex)),
    policies: policies.map(({ name, policy }) => resolvePolicy(name, policy)),
    asOf: input.asOf ?? null,
    staleAfterMs: parseDuration(input.staleAfter ?? SCENARIO_DEFAULTS.staleAfter),
    ...resolveTimesAndProvenance(input.nodes, input.asOf),
    ...(input.record === undefined
      ? {}
      : {
          record: {
            dwellMs: input.record.dwell === undefined ? null : parseDuration(input.record.dwell),
            source: input.record.source,
            attacks: input.record.attacks,
          },
        }),
    source: { file: source.file, sha256: source.sha256 },
  });
}
