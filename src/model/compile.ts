/**
 * Compiles a resolved Scenario into the compact form the trial loop uses: node indices, CSR adjacency
 * per edge kind in typed arrays, and the workload's intent tables. Everything here is plain data
 * (structured-cloneable), so a worker receives a model once and keeps it.
 *
 * graphology (src/model/graph.ts) is the model's analysis and interchange form; it never sits inside
 * the trial loop (a graphology BFS over 1M edges costs ~75× a typed-array one on our machines).
 */
import type { Scenario } from '../domain/scenario.js';
import { actionBit, actionMask } from '../domain/actions.js';
import { doubled } from '../lib/buffer.js';
import { deriveSeed } from '../lib/rng.js';

export const KIND_AGENT = 0;
export const KIND_TOOL = 1;
export const KIND_RESOURCE = 2;
export const KIND_CREDENTIAL = 3;

/** Compressed sparse rows: the neighbours of row i are `to[off[i]] … to[off[i+1]-1]`. */
export interface Csr {
  readonly off: Int32Array;
  readonly to: Int32Array;
  /** Per entry payload (action mask for grants); zeros elsewhere. */
  readonly data: Uint8Array;
}

/** (target node index → action mask). */
export type PairSet = ReadonlyMap<number, number>;

/** The intent of a node whose workload declares none (one map shared by all of them). */
const NO_INTENT: PairSet = new Map();

/** The scenario compiled for the hot path. */
export interface CompiledModel {
  readonly scenario: Scenario;
  readonly nodeCount: number;
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly kind: Uint8Array;
  readonly env: Int32Array;
  readonly envNames: readonly string[];
  readonly weight: Float64Array;
  readonly records: Float64Array;
  readonly isWorkloadIdentity: Uint8Array;
  /** Per node: a hash of its id, to key random draws by id rather than by position in the file. */
  readonly idHash: Uint32Array;
  /** Per node: 1 when it is a live leak source (`exposure: live`, SPEC §1), else 0. */
  readonly live: Uint8Array;
  /** holder → credentials it holds. */
  readonly holds: Csr;
  /** credential → nodes that hold it. */
  readonly holders: Csr;
  /** credential → targets, with the granted action mask. */
  readonly grants: Csr;
  /** agent/tool → tools it invokes. */
  readonly invokes: Csr;
  /** credential → credentials it can be exchanged for. */
  readonly assumes: Csr;
  /** resource → agents/tools that execute what it holds (`runs`, SPEC §1). */
  readonly runs: Csr;
  /** agent/tool/resource → credentials whose material admin on it can create (`issues`, SPEC §1). */
  readonly issues: Csr;
  /** `${principal}|${from}|${to}` of every exchange a principal's tasks declare (`{exchange: {from, to}}` steps). */
  readonly declaredExchanges: ReadonlySet<string>;
  /**
   * Per credential: the agent a stolen copy acts as before the broker (the workload it belongs to):
   * of the agents whose steps use it, whose declared exchanges start from it, or who hold it while
   * their steps use a credential it assumes (a client secret minting the agent's tokens), the one
   * with the smallest id (so the choice never depends on file order); -1 when no workload uses it.
   */
  readonly credOwner: Int32Array;
  /** credential → task indices whose steps use it (issuance sources). */
  readonly credTasks: Csr;
  /** Per node: the (target, actions) its workload declared — an agent's own steps; a tool's: steps routed via it. Empty map = no intent. */
  readonly intent: readonly PairSet[];
  /**
   * `${principal}|${actor}|${credential}` → the pairs a request by `actor` (the agent or the via tool)
   * on behalf of `principal`, from that credential, may cover (the declared steps).
   */
  readonly requestPairs: ReadonlyMap<string, PairSet>;
  /** `${principal}|${credential}` → every pair the principal's steps use that credential for (any actor). */
  readonly principalCredPairs: ReadonlyMap<string, PairSet>;
  /** Task index → agent node index. */
  readonly taskAgent: Int32Array;
  /**
   * Per task, the key of its keyed random draws: a hash of what the task is (agent, schedule, steps,
   * exchanges) and how many identical tasks come before it, never its position in the workload list,
   * so reordering the list changes no draw (SPEC §5).
   */
  readonly taskHash: Uint32Array;
  /** Task index → credential → the pairs that task's steps use it for (a `scope: task` token's scope). */
  readonly taskCredPairs: readonly ReadonlyMap<number, PairSet>[];
  /** Task index → credential → the actor that uses it (the agent, or the via tool of its first step). */
  readonly taskCredActor: readonly ReadonlyMap<number, number>[];
}

/** Key of `requestPairs`. */
export function requestKey(principal: number, actor: number, credential: number): string {
  return `${principal}|${actor}|${credential}`;
}

/** Entries (from, to, payload) collected in typed arrays: no per-edge objects on a million-edge estate. */
class EntryList {
  from = new Int32Array(1024);
  to = new Int32Array(1024);
  data = new Uint8Array(1024);
  length = 0;

  push(from: number, to: number, payload: number): void {
    if (this.length === this.from.length) {
      this.from = doubled(this.from);
      this.to = doubled(this.to);
      this.data = doubled(this.data);
    }
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.data[this.length++] = payload;
  }
}

/** CSR by source row, entries of a row in insertion order. */
function buildCsr(rows: number, list: EntryList): Csr {
  const off = new Int32Array(rows + 1);
  for (let k = 0; k < list.length; k++) off[list.from[k]! + 1]!++;
  for (let i = 0; i < rows; i++) off[i + 1]! += off[i]!;
  const to = new Int32Array(list.length);
  const data = new Uint8Array(list.length);
  const fill = off.slice(0, rows);
  for (let k = 0; k < list.length; k++) {
    const at = fill[list.from[k]!]!++;
    to[at] = list.to[k]!;
    data[at] = list.data[k]!;
  }
  return { off, to, data };
}

/** Parallel entries between the same pair become one whose payload is the union (first position kept). */
function mergeParallel(csr: Csr): Csr {
  const rows = csr.off.length - 1;
  const slotOf = new Int32Array(rows).fill(-1);
  const off = new Int32Array(rows + 1);
  const to = new Int32Array(csr.to.length);
  const data = new Uint8Array(csr.to.length);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const start = n;
    for (let k = csr.off[r]!; k < csr.off[r + 1]!; k++) {
      const target = csr.to[k]!;
      const slot = slotOf[target]!;
      if (slot >= start) {
        data[slot] = data[slot]! | csr.data[k]!;
        continue;
      }
      slotOf[target] = n;
      to[n] = target;
      data[n++] = csr.data[k]!;
    }
    off[r + 1] = n;
  }
  return n === csr.to.length ? csr : { off, to: to.slice(0, n), data: data.slice(0, n) };
}

function addPair(map: Map<number, number>, target: number, bit: number): void {
  map.set(target, (map.get(target) ?? 0) | bit);
}

/** Compiles a scenario once; the result is reused for every trial of every policy and attack. */
export function compile(scenario: Scenario): CompiledModel {
  const n = scenario.nodes.length;
  const ids = scenario.nodes.map((node) => node.id);
  const indexOf = new Map(ids.map((id, i) => [id, i] as const));
  const at = (id: string): number => {
    const i = indexOf.get(id);
    if (i === undefined) throw new Error(`compile: unknown node "${id}"`);
    return i;
  };
  const kind = new Uint8Array(n);
  const env = new Int32Array(n);
  const envNames: string[] = [];
  const envIndex = new Map<string, number>();
  const weight = new Float64Array(n);
  const records = new Float64Array(n);
  const isWorkloadIdentity = new Uint8Array(n);
  const live = new Uint8Array(n);
  const idHash = new Uint32Array(n);
  scenario.nodes.forEach((node, i) => {
    idHash[i] = deriveSeed(node.id);
    if (node.kind !== 'credential' && node.exposure === 'live') live[i] = 1;
    const environment = node.kind === 'credential' ? 'default' : node.environment;
    let e = envIndex.get(environment);
    if (e === undefined) {
      e = envNames.length;
      envNames.push(environment);
      envIndex.set(environment, e);
    }
    env[i] = e;
    switch (node.kind) {
      case 'agent':
        kind[i] = KIND_AGENT;
        isWorkloadIdentity[i] = node.identity === 'workload' ? 1 : 0;
        break;
      case 'tool':
        kind[i] = KIND_TOOL;
        isWorkloadIdentity[i] = 1;
        break;
      case 'resource':
        kind[i] = KIND_RESOURCE;
        weight[i] = node.weight;
        records[i] = node.records;
        break;
      case 'credential':
        kind[i] = KIND_CREDENTIAL;
        break;
    }
  });

  const holds = new EntryList();
  const holders = new EntryList();
  const grants = new EntryList();
  const invokes = new EntryList();
  const assumes = new EntryList();
  const runs = new EntryList();
  const issues = new EntryList();
  for (const edge of scenario.edges) {
    const from = at(edge.from);
    const to = at(edge.to);
    switch (edge.kind) {
      case 'holds':
        holds.push(from, to, 0);
        holders.push(to, from, 0);
        break;
      case 'grants':
        grants.push(from, to, actionMask(edge.actions));
        break;
      case 'invokes':
        invokes.push(from, to, 0);
        break;
      case 'assumes':
        assumes.push(from, to, 0);
        break;
      case 'runs':
        runs.push(from, to, 0);
        break;
      case 'issues':
        issues.push(from, to, 0);
        break;
    }
  }

  // A map only for the nodes with declared intent; the rest share one empty map (a big estate's
  // hundred thousand empty maps were 20 MB in the parent and again in every worker).
  const intentMaps = new Map<number, Map<number, number>>();
  const intentOf = (node: number): Map<number, number> => {
    let map = intentMaps.get(node);
    if (map === undefined) intentMaps.set(node, (map = new Map<number, number>()));
    return map;
  };
  const requestPairs = new Map<string, Map<number, number>>();
  const principalCredPairs = new Map<string, Map<number, number>>();
  const credTaskPairs = new EntryList();
  const taskAgent = new Int32Array(scenario.workload.length);
  const taskCredPairs: Map<number, Map<number, number>>[] = [];
  const taskCredActor: Map<number, number>[] = [];
  const declaredExchanges = new Set<string>();
  const credOwner = new Int32Array(n).fill(-1);
  const own = (cred: number, agent: number): void => {
    const current = credOwner[cred]!;
    if (current < 0 || ids[agent]! < ids[current]!) credOwner[cred] = agent;
  };
  scenario.workload.forEach((task, t) => {
    const agent = at(task.agent);
    for (const x of task.exchanges) {
      declaredExchanges.add(`${agent}|${at(x.from)}|${at(x.to)}`);
      own(at(x.from), agent);
    }
    for (const step of task.steps) own(at(step.credential), agent);
    taskAgent[t] = agent;
    const seen = new Set<number>();
    const credPairs = new Map<number, Map<number, number>>();
    const credActor = new Map<number, number>();
    taskCredPairs.push(credPairs);
    taskCredActor.push(credActor);
    for (const step of task.steps) {
      const target = at(step.target);
      const bit = actionBit(step.action);
      const actor = step.via === null ? agent : at(step.via);
      const cred = at(step.credential);
      addPair(intentOf(agent), target, bit);
      if (actor !== agent) addPair(intentOf(actor), target, bit);
      const principalKey = `${agent}|${cred}`;
      let principalPairs = principalCredPairs.get(principalKey);
      if (principalPairs === undefined) {
        principalPairs = new Map();
        principalCredPairs.set(principalKey, principalPairs);
      }
      addPair(principalPairs, target, bit);
      for (const principal of actor === agent ? [agent] : [agent, actor]) {
        const key = requestKey(principal, actor, cred);
        let pairs = requestPairs.get(key);
        if (pairs === undefined) {
          pairs = new Map();
          requestPairs.set(key, pairs);
        }
        addPair(pairs, target, bit);
      }
      let pairs = credPairs.get(cred);
      if (pairs === undefined) {
        pairs = new Map();
        credPairs.set(cred, pairs);
        credActor.set(cred, actor);
      }
      addPair(pairs, target, bit);
      if (!seen.has(cred)) {
        seen.add(cred);
        credTaskPairs.push(cred, t, 0);
      }
    }
  });

  // Minting credentials an agent holds for the tokens its own steps use belong to it too.
  const builtHolds = buildCsr(n, holds);
  const builtAssumes = buildCsr(n, assumes);
  for (const [key] of principalCredPairs) {
    const [agentText, usedText] = key.split('|');
    const agent = Number(agentText);
    const used = Number(usedText);
    for (let k = builtHolds.off[agent]!; k < builtHolds.off[agent + 1]!; k++) {
      const minting = builtHolds.to[k]!;
      for (let a = builtAssumes.off[minting]!; a < builtAssumes.off[minting + 1]!; a++)
        if (builtAssumes.to[a] === used) own(minting, agent);
    }
  }

  return {
    scenario,
    nodeCount: n,
    ids,
    indexOf,
    kind,
    env,
    envNames,
    weight,
    records,
    isWorkloadIdentity,
    idHash,
    live,
    holds: builtHolds,
    holders: buildCsr(n, holders),
    grants: mergeParallel(buildCsr(n, grants)),
    invokes: buildCsr(n, invokes),
    assumes: builtAssumes,
    runs: buildCsr(n, runs),
    issues: buildCsr(n, issues),
    declaredExchanges,
    credOwner,
    credTasks: buildCsr(n, credTaskPairs),
    intent: Array.from({ length: n }, (_, node): PairSet => intentMaps.get(node) ?? NO_INTENT),
    requestPairs,
    principalCredPairs,
    taskAgent,
    taskHash: taskHashes(scenario),
    taskCredPairs,
    taskCredActor,
  };
}

/** model.taskHash: a content hash per task, with `#n` for the n-th identical task (interchangeable ones). */
function taskHashes(scenario: Scenario): Uint32Array {
  const seen = new Map<string, number>();
  const out = new Uint32Array(scenario.workload.length);
  scenario.workload.forEach((task, i) => {
    const content = JSON.stringify([
      task.agent,
      task.everyMs,
      task.atMs,
      task.durationMs,
      task.timeoutMs,
      task.refreshable,
      task.steps,
      task.exchanges,
    ]);
    const n = seen.get(content) ?? 0;
    seen.set(content, n + 1);
    out[i] = deriveSeed('task', content, n);
  });
  return out;
}
