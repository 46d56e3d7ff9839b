/**
 * Seeded synthetic estates: an NHI estate of N agents with realistic fan-out, built directly as a
 * resolved Scenario (no parsing, no validation pass) so scale work and benchmarks can make a
 * 10,000-agent, 1M-edge estate in about a second.
 *
 * Shape (every count is a parameter; defaults in ESTATE_DEFAULTS, options.ts):
 * - agents are grouped into teams of `teamSize`; a team shares an environment and a slice of the
 *   resources and tools, and most grants stay inside the team (locality, as in real estates);
 * - each agent holds `credentialsPerAgent` credentials of its own, and sometimes one shared with
 *   another agent (a copied secret); each tool holds `credentialsPerTool`;
 * - each credential grants `grantsPerCredential` distinct resources with mixed actions (mostly read,
 *   some read/write, a few admin) and, rarely, admin on an agent (a deployer);
 * - some resources hold a credential (a key in a repo or a CI log), some credentials assume another
 *   (role chaining), agents invoke tools and some tools invoke tools;
 * - each agent runs `tasksPerAgent` periodic tasks whose steps use its own or a tool's grants;
 * - two attacks (secret-replay from a resource that holds a key, lateral-movement from an agent) and
 *   three policies (persistent 90d, ephemeral 15m task-scoped, hybrid with on-prem exceptions).
 * The same options always give the same estate (seedrandom alea via src/lib/rng.ts).
 */
import { createHash } from 'node:crypto';
import { createRng } from '../lib/rng.js';
import type { Rng } from '../lib/rng.js';
import type {
  Action,
  AgentNode,
  Attack,
  CredentialNode,
  Policy,
  ResourceNode,
  Scenario,
  ScenarioEdge,
  ScenarioNode,
  Sensitivity,
  Task,
  TaskStep,
  ToolNode,
} from '../domain/scenario.js';
import { DEFAULT_SENSITIVITY_WEIGHTS } from '../domain/scenario.js';
import { resolveEstateOptions, type EstateOptions } from './options.js';

const ENVIRONMENTS = ['aws', 'gcp', 'azure', 'onprem'] as const;
const CREDENTIAL_TYPES = ['api-key', 'oauth-token', 'service-account', 'cloud-access-key', 'certificate'] as const;
const MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const HORIZON_MS = 30 * MS.d;
const EVERY_MS = [15 * MS.m, MS.h, 6 * MS.h, MS.d] as const;
// Mixed grant actions, weighted like real IAM: mostly read, some read/write, a few admin.
const ACTION_SETS: readonly (readonly Action[])[] = (
  [['read'], ['read', 'write'], ['write'], ['read', 'write', 'admin'], ['admin']] as Action[][]
).map((a) => Object.freeze(a));
const ACTION_WEIGHTS = [0.5, 0.3, 0.08, 0.08, 0.04] as const;
const ADMIN_ONLY: readonly Action[] = ACTION_SETS[4]!;
const NO_ACTIONS: readonly Action[] = Object.freeze([]);
const ZERO = { kind: 'fixed', valueMs: 0 } as const;

function pad(prefix: string, i: number, width: number): string {
  return `${prefix}-${String(i).padStart(width, '0')}`;
}

function pickWeighted(rng: Rng, weights: readonly number[]): number {
  let u = rng();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Picks `k` distinct integers in [0, n) (k ≤ n), drawing near `[from, from + span)` with probability `local`. */
function distinctIndices(rng: Rng, k: number, n: number, from: number, span: number, local: number, out: number[]): number[] {
  out.length = 0;
  const want = Math.min(k, n);
  let guard = 0;
  while (out.length < want) {
    const i = rng() < local && span > 0 ? (from + int(rng, span)) % n : int(rng, n);
    if (!out.includes(i) || ++guard > 64 * want) {
      // After many collisions (a tiny pool), fall back to a linear scan for the next free index.
      let j = i;
      while (out.includes(j)) j = (j + 1) % n;
      out.push(j);
    }
  }
  return out;
}

function edge(kind: ScenarioEdge['kind'], from: string, to: string, actions: readonly Action[]): ScenarioEdge {
  // Every (kind, from, to) triple is generated at most once, so the repeat counter is always 0.
  return { key: `${kind}:${from}->${to}#0`, kind, from, to, actions };
}

function policies(): Policy[] {
  const base = {
    rotationMs: null,
    approval: null,
    forbidCreation: false,
    detection: null,
    revocationLatency: { default: ZERO, byEnvironment: {} },
    staleAfterMs: null,
  } as const;
  const broker = {
    ttlMs: 15 * MS.m,
    scope: 'task',
    revokeOn: { completion: true, failure: true, timeout: true },
    reevaluate: 'none',
    bindToWorkload: false,
    callChain: 'none',
    issuer: { latency: ZERO, availability: 1 },
  } as const;
  return [
    { ...base, name: 'persistent', kind: 'persistent', rotationMs: 90 * MS.d, scope: 'all' },
    {
      ...base,
      name: 'ephemeral-15m',
      kind: 'ephemeral',
      broker: {
        ...broker,
        reevaluate: 'privileged',
        bindToWorkload: true,
        issuer: { latency: { kind: 'lognormal', medianMs: 40, sigma: 0.5 }, availability: 0.999 },
      },
    },
    {
      ...base,
      name: 'hybrid',
      kind: 'hybrid',
      broker,
      exceptions: [{ match: { replans: null, maxSensitivity: null, environment: 'onprem', ids: null }, rotationMs: 30 * MS.d }],
    },
  ];
}

/** Generates the estate as a resolved Scenario (deterministic in the options). */
export function generateEstate(opts: EstateOptions): Scenario {
  const o = resolveEstateOptions(opts);
  const rng = createRng(o.seed);
  const nAgents = o.agents;
  const nTeams = Math.ceil(nAgents / o.teamSize);
  const teamOf = (agent: number): number => Math.floor(agent / o.teamSize);
  const resPerTeam = o.resources / nTeams;
  const toolsPerTeam = o.tools / nTeams;
  const w = String(Math.max(nAgents, o.resources, o.tools)).length;

  // 1. nodes: agents, tools, resources, credentials (agent-owned first, then tool-owned).
  const nodes: ScenarioNode[] = [];
  const agentIds: string[] = [];
  for (let a = 0; a < nAgents; a++) {
    const id = pad('agent', a, w);
    agentIds.push(id);
    const node: AgentNode = {
      kind: 'agent',
      id,
      replans: rng() < 0.3,
      environment: ENVIRONMENTS[teamOf(a) % ENVIRONMENTS.length]!,
      identity: rng() < 0.8 ? 'workload' : 'shared-secret',
      exposure: 'snapshot',
    };
    nodes.push(node);
  }
  const toolIds: string[] = [];
  for (let t = 0; t < o.tools; t++) {
    const id = pad('tool', t, w);
    toolIds.push(id);
    const node: ToolNode = {
      kind: 'tool',
      id,
      environment: ENVIRONMENTS[Math.floor(t / Math.max(1, toolsPerTeam)) % ENVIRONMENTS.length]!,
      exposure: 'snapshot',
    };
    nodes.push(node);
  }
  const resourceIds: string[] = [];
  for (let r = 0; r < o.resources; r++) {
    const id = pad('res', r, w);
    resourceIds.push(id);
    const sensitivity: Sensitivity = (['public', 'internal', 'confidential', 'regulated'] as const)[
      pickWeighted(rng, [0.1, 0.5, 0.3, 0.1])
    ]!;
    const records = sensitivity === 'confidential' || sensitivity === 'regulated' ? Math.floor(10 ** (2 + rng() * 5)) : 0;
    const node: ResourceNode = {
      kind: 'resource',
      id,
      sensitivity,
      weight: DEFAULT_SENSITIVITY_WEIGHTS[sensitivity],
      records,
      environment: ENVIRONMENTS[Math.floor(r / Math.max(1, resPerTeam)) % ENVIRONMENTS.length]!,
      egress: false,
      exposure: 'snapshot',
    };
    nodes.push(node);
  }
  const credIds: string[] = [];
  const credOwnerTeam: number[] = [];
  const addCredential = (id: string, team: number): void => {
    credIds.push(id);
    credOwnerTeam.push(team);
    const node: CredentialNode = {
      kind: 'credential',
      id,
      type: CREDENTIAL_TYPES[int(rng, CREDENTIAL_TYPES.length)]!,
      ephemeralCapable: rng() >= o.legacyRate,
      rotationMs: null,
    };
    nodes.push(node);
  };
  for (let a = 0; a < nAgents; a++) {
    for (let k = 0; k < o.credentialsPerAgent; k++) addCredential(`cred-${agentIds[a]!}-${k}`, teamOf(a));
  }
  for (let t = 0; t < o.tools; t++) {
    for (let k = 0; k < o.credentialsPerTool; k++)
      addCredential(`cred-${toolIds[t]!}-${k}`, Math.min(nTeams - 1, Math.floor(t / Math.max(1, toolsPerTeam))));
  }
  const agentCred = (a: number, k: number): number => a * o.credentialsPerAgent + k;
  const toolCred = (t: number, k: number): number => nAgents * o.credentialsPerAgent + t * o.credentialsPerTool + k;

  // 2. edges: holds, grants, invokes, assumes (grants carry the bulk: credentials × fan-out).
  const edges: ScenarioEdge[] = [];
  const agentHolds: number[][] = [];
  for (let a = 0; a < nAgents; a++) {
    const held: number[] = [];
    for (let k = 0; k < o.credentialsPerAgent; k++) held.push(agentCred(a, k));
    if (nAgents > 1 && rng() < o.sharedCredentialRate) {
      const other = (a + 1 + int(rng, nAgents - 1)) % nAgents;
      held.push(agentCred(other, int(rng, o.credentialsPerAgent)));
    }
    for (const c of held) edges.push(edge('holds', agentIds[a]!, credIds[c]!, NO_ACTIONS));
    agentHolds.push(held);
  }
  for (let t = 0; t < o.tools; t++) {
    for (let k = 0; k < o.credentialsPerTool; k++) edges.push(edge('holds', toolIds[t]!, credIds[toolCred(t, k)]!, NO_ACTIONS));
  }
  const secretHolders: { resource: number; cred: number }[] = [];
  for (let r = 0; r < o.resources; r++) {
    if (rng() >= o.secretHolderRate) continue;
    // A repo or log of the team that owns the resource leaks one of that team's agent credentials.
    const team = Math.min(nTeams - 1, Math.floor(r / Math.max(1, resPerTeam)));
    const agent = Math.min(nAgents - 1, team * o.teamSize + int(rng, o.teamSize));
    const cred = agentCred(agent, int(rng, o.credentialsPerAgent));
    secretHolders.push({ resource: r, cred });
    edges.push(edge('holds', resourceIds[r]!, credIds[cred]!, NO_ACTIONS));
  }
  /** Per credential: granted resource indices and their action sets (for workload steps). */
  const grantTargets: number[][] = [];
  const grantActions: (readonly Action[])[][] = [];
  const picked: number[] = [];
  const span = Math.max(1, Math.round(resPerTeam));
  for (let c = 0; c < credIds.length; c++) {
    const from = Math.round(credOwnerTeam[c]! * resPerTeam);
    distinctIndices(rng, o.grantsPerCredential, o.resources, from, span, 0.8, picked);
    const targets = picked.slice();
    const actions: (readonly Action[])[] = [];
    for (const r of targets) {
      const set = ACTION_SETS[pickWeighted(rng, ACTION_WEIGHTS)]!;
      actions.push(set);
      edges.push(edge('grants', credIds[c]!, resourceIds[r]!, set));
    }
    grantTargets.push(targets);
    grantActions.push(actions);
    // A deployer credential: admin on an agent (takes it over).
    if (rng() < 0.01) edges.push(edge('grants', credIds[c]!, agentIds[int(rng, nAgents)]!, ADMIN_ONLY));
  }
  const agentTools: number[][] = [];
  const tspan = Math.max(1, Math.round(toolsPerTeam));
  for (let a = 0; a < nAgents; a++) {
    const tools = distinctIndices(
      rng,
      o.toolsPerAgent,
      o.tools,
      Math.round(teamOf(a) * toolsPerTeam),
      tspan,
      0.7,
      picked,
    ).slice();
    for (const t of tools) edges.push(edge('invokes', agentIds[a]!, toolIds[t]!, NO_ACTIONS));
    agentTools.push(tools);
  }
  if (o.tools > 1) {
    for (let t = 0; t < o.tools; t++) {
      if (rng() < 0.3) edges.push(edge('invokes', toolIds[t]!, toolIds[(t + 1 + int(rng, o.tools - 1)) % o.tools]!, NO_ACTIONS));
    }
  }
  if (credIds.length > 1) {
    for (let c = 0; c < credIds.length; c++) {
      if (rng() < o.assumesRate) {
        edges.push(edge('assumes', credIds[c]!, credIds[(c + 1 + int(rng, credIds.length - 1)) % credIds.length]!, NO_ACTIONS));
      }
    }
  }

  // 3. workload: periodic tasks whose steps use the agent's grants, sometimes through a tool.
  const workload: Task[] = [];
  for (let a = 0; a < nAgents; a++) {
    for (let k = 0; k < o.tasksPerAgent; k++) {
      const everyMs = EVERY_MS[int(rng, EVERY_MS.length)]!;
      const steps: TaskStep[] = [];
      const nSteps = 1 + int(rng, 3);
      for (let s = 0; s < nSteps; s++) {
        const tools = agentTools[a]!;
        const viaTool = tools.length > 0 && o.credentialsPerTool > 0 && rng() < 0.3 ? tools[int(rng, tools.length)]! : -1;
        const held = viaTool >= 0 ? [toolCred(viaTool, int(rng, o.credentialsPerTool))] : agentHolds[a]!;
        const cred = held[int(rng, held.length)]!;
        const targets = grantTargets[cred]!;
        if (targets.length === 0) continue;
        const g = int(rng, targets.length);
        const actions = grantActions[cred]![g]!;
        steps.push({
          target: resourceIds[targets[g]!]!,
          action: actions[int(rng, actions.length)]!,
          via: viaTool >= 0 ? toolIds[viaTool]! : null,
          credential: credIds[cred]!,
        });
      }
      if (steps.length === 0) continue;
      const index = workload.length;
      workload.push({
        id: `${agentIds[a]!}#${index}`,
        index,
        agent: agentIds[a]!,
        everyMs,
        atMs: int(rng, everyMs / 60_000) * 60_000,
        durationMs: (5 + int(rng, 26)) * 60_000,
        timeoutMs: Infinity,
        refreshable: rng() >= 0.1,
        steps,
        exchanges: [],
      });
    }
  }

  // 4. attacks: a key leaked from a repo/log that holds one; an agent taken over.
  const leak = secretHolders.length > 0 ? secretHolders[int(rng, secretHolders.length)]! : null;
  const entry = agentIds[int(rng, nAgents)]!;
  const attacks: Attack[] = [
    {
      pattern: 'secret-replay',
      name: 'secret-replay',
      hopDelay: { kind: 'fixed', valueMs: MS.h },
      maxHops: Infinity,
      credential: leak === null ? credIds[0]! : credIds[leak.cred]!,
      from: leak === null ? agentIds[0]! : resourceIds[leak.resource]!,
      leakAtMs: MS.d,
      replayDelay: { kind: 'lognormal', medianMs: MS.d, sigma: 1 },
    },
    {
      pattern: 'lateral-movement',
      name: 'lateral-movement',
      hopDelay: { kind: 'exponential', meanMs: MS.h },
      maxHops: Infinity,
      entry,
      atMs: MS.d,
    },
  ];

  const identity = JSON.stringify(o, Object.keys(o).sort());
  return {
    name: o.name,
    description: `Synthetic estate: ${nAgents} agents, ${o.tools} tools, ${o.resources} resources, ${credIds.length} credentials (seed ${o.seed}).`,
    references: [],
    frameworks: {},
    seed: o.seed,
    trials: o.trials,
    horizonMs: HORIZON_MS,
    sensitivityWeights: DEFAULT_SENSITIVITY_WEIGHTS,
    defaultRotationMs: Infinity,
    asOf: null,
    staleAfterMs: 90 * MS.d,
    credentialTimes: {},
    provenance: {},
    nodes,
    edges,
    workload,
    attacks,
    policies: policies(),
    source: { file: `synthetic:${o.name}`, sha256: createHash('sha256').update(identity).digest('hex') },
  };
}
