/**
 * A resolved Scenario written back as the input document of DESIGN §1 (durations as strings, defaults
 * left out where the loader restores them exactly), so a generated estate can be saved as YAML or
 * JSON and loaded to the same Scenario.
 */
import { assertNever } from '../lib/assert.js';
import { formatDuration } from '../lib/duration.js';
import type { Attack, Distribution, Policy, Scenario, ScenarioNode, Task } from '../domain/scenario.js';
import { brokerOf, DEFAULT_SENSITIVITY_WEIGHTS, REVOKE_TRIGGERS, SENSITIVITIES } from '../domain/scenario.js';
import type { EstateOptions } from './options.js';
import { generateEstate } from './synthetic.js';

type Doc = Record<string, unknown>;

/** A distribution as the input format writes it. */
export function distributionToDocument(dist: Distribution): Doc {
  switch (dist.kind) {
    case 'fixed':
      return { fixed: formatDuration(dist.valueMs) };
    case 'exponential':
      return { exponential: { mean: formatDuration(dist.meanMs) } };
    case 'lognormal':
      return { lognormal: { median: formatDuration(dist.medianMs), sigma: dist.sigma } };
    case 'uniform':
      return { uniform: { min: formatDuration(dist.minMs), max: formatDuration(dist.maxMs) } };
    default:
      return assertNever(dist);
  }
}

function nodeToDocument(node: ScenarioNode): Doc {
  const doc = nodeBodyToDocument(node);
  if (node.kind !== 'credential' && node.exposure !== 'snapshot') doc.exposure = node.exposure;
  return doc;
}

function nodeBodyToDocument(node: ScenarioNode): Doc {
  switch (node.kind) {
    case 'agent':
      return { id: node.id, kind: node.kind, replans: node.replans, environment: node.environment, identity: node.identity };
    case 'tool':
      return { id: node.id, kind: node.kind, environment: node.environment };
    case 'resource':
      return {
        id: node.id,
        kind: node.kind,
        sensitivity: node.sensitivity,
        records: node.records,
        environment: node.environment,
        ...(node.egress ? { egress: true } : {}),
      };
    case 'credential': {
      const doc: Doc = { id: node.id, kind: node.kind, type: node.type, ephemeralCapable: node.ephemeralCapable };
      if (node.rotationMs !== null) doc.rotation = formatDuration(node.rotationMs);
      return doc;
    }
    default:
      return assertNever(node);
  }
}

function taskToDocument(task: Task): Doc {
  const doc: Doc = { agent: task.agent };
  if (task.everyMs !== Infinity) doc.every = formatDuration(task.everyMs);
  doc.at = formatDuration(task.atMs);
  doc.duration = formatDuration(task.durationMs);
  if (task.timeoutMs !== Infinity) doc.timeout = formatDuration(task.timeoutMs);
  doc.refreshable = task.refreshable;
  doc.steps = task.steps.map((step) => {
    const s: Doc = { target: step.target, action: step.action };
    if (step.via !== null) s.via = step.via;
    s.credential = step.credential;
    return s;
  });
  // Exchange steps after the action steps: their order among action steps does not change the model.
  for (const x of task.exchanges) (doc.steps as Doc[]).push({ exchange: { from: x.from, to: x.to } });
  return doc;
}

function attackToDocument(attack: Attack): Doc {
  const doc: Doc = { pattern: attack.pattern, name: attack.name, hopDelay: distributionToDocument(attack.hopDelay) };
  if (attack.maxHops !== Infinity) doc.maxHops = attack.maxHops;
  switch (attack.pattern) {
    case 'secret-replay':
      return {
        ...doc,
        credential: attack.credential,
        from: attack.from,
        leakAt: formatDuration(attack.leakAtMs),
        replayDelay: distributionToDocument(attack.replayDelay),
      };
    case 'lateral-movement':
      return { ...doc, entry: attack.entry, at: formatDuration(attack.atMs) };
    case 'tool-chaining':
      return { ...doc, agent: attack.agent, at: formatDuration(attack.atMs) };
    case 'intent-drift':
      return {
        ...doc,
        agent: attack.agent,
        at: formatDuration(attack.atMs),
        targets: attack.targets.map((t) => ({ target: t.target, action: t.action })),
      };
    case 'orphaned-credential':
      return {
        ...doc,
        agent: attack.agent,
        credential: [...attack.credentials],
        retiredAt: formatDuration(attack.retiredAtMs),
        foundDelay: distributionToDocument(attack.foundDelay),
      };
    case 'mass-leak':
      return {
        ...doc,
        holder: attack.holder,
        leakAt: formatDuration(attack.leakAtMs),
        replayDelay: distributionToDocument(attack.replayDelay),
      };
    default:
      return assertNever(attack);
  }
}

function policyToDocument(policy: Policy): Doc {
  const doc: Doc = { kind: policy.kind };
  if (policy.rotationMs !== null) doc.rotation = formatDuration(policy.rotationMs);
  const broker = brokerOf(policy);
  switch (policy.kind) {
    case 'persistent':
      doc.scope = policy.scope;
      break;
    case 'ephemeral':
    case 'hybrid':
      doc.ttl = formatDuration(policy.broker.ttlMs);
      doc.scope = policy.broker.scope;
      doc.revokeOn = REVOKE_TRIGGERS.filter((t) => policy.broker.revokeOn[t]);
      doc.reevaluate = policy.broker.reevaluate;
      doc.bindToWorkload = policy.broker.bindToWorkload;
      if (policy.broker.callChain !== 'none') doc.callChain = policy.broker.callChain;
      break;
  }
  if (policy.approval !== null)
    doc.approval = {
      actions: [...policy.approval.actions],
      refuse: policy.approval.refuse,
      wait: distributionToDocument(policy.approval.wait),
    };
  if (policy.forbidCreation) doc.forbidCreation = true;
  if (policy.detection !== null) {
    const d = policy.detection;
    doc.detection = {
      probability: d.probability,
      delay: distributionToDocument(d.delay),
      ...(Number.isFinite(d.atMs) ? { at: formatDuration(d.atMs) } : {}),
    };
  }
  doc.revocationLatency = {
    default: distributionToDocument(policy.revocationLatency.default),
    ...Object.fromEntries(
      Object.entries(policy.revocationLatency.byEnvironment).map(([env, d]) => [env, distributionToDocument(d)]),
    ),
  };
  if (broker !== null)
    doc.issuer = { latency: distributionToDocument(broker.issuer.latency), availability: broker.issuer.availability };
  if (policy.kind === 'hybrid') {
    doc.exceptions = policy.exceptions.map((e) => {
      const match: Doc = {};
      if (e.match.replans !== null) match.replans = e.match.replans;
      if (e.match.maxSensitivity !== null) match.maxSensitivity = e.match.maxSensitivity;
      if (e.match.environment !== null) match.environment = e.match.environment;
      if (e.match.ids !== null) match.ids = [...e.match.ids];
      return { match, rotation: formatDuration(e.rotationMs) };
    });
  }
  return doc;
}

/** The input document (DESIGN §1) of a resolved scenario. */
export function scenarioToDocument(scenario: Scenario): Doc {
  const doc: Doc = {
    name: scenario.name,
    description: scenario.description,
    references: [...scenario.references],
    frameworks: Object.fromEntries(Object.entries(scenario.frameworks).map(([k, ids]) => [k, [...ids]])),
    seed: scenario.seed,
    trials: scenario.trials,
    horizon: formatDuration(scenario.horizonMs),
    rotation: formatDuration(scenario.defaultRotationMs),
  };
  if (SENSITIVITIES.some((s) => scenario.sensitivityWeights[s] !== DEFAULT_SENSITIVITY_WEIGHTS[s])) {
    doc.sensitivityWeights = { ...scenario.sensitivityWeights };
  }
  doc.nodes = scenario.nodes.map(nodeToDocument);
  doc.edges = scenario.edges.map((e) =>
    e.kind === 'grants'
      ? { from: e.from, to: e.to, kind: e.kind, actions: [...e.actions] }
      : { from: e.from, to: e.to, kind: e.kind },
  );
  doc.workload = scenario.workload.map(taskToDocument);
  doc.attacks = scenario.attacks.map(attackToDocument);
  doc.policies = Object.fromEntries(scenario.policies.map((p) => [p.name, policyToDocument(p)]));
  return doc;
}

/** The input document of a synthetic estate, for `blastlab generate` to write as YAML or JSON. */
export function estateToDocument(opts: EstateOptions): Doc {
  return scenarioToDocument(generateEstate(opts));
}
