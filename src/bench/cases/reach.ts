/**
 * Traversal cases on one seeded synthetic estate: `reach (<N> edges)` — the attacker's reachability
 * closure — beside `raw csr bfs (<N> edges)` (plain typed-array BFS over every edge of the same graph)
 * and `graphology bfs (<N> edges)`, the graph-library peer, all from the same entry agent.
 *
 * `reach` runs through the ReachImpl interface below. Until the simulator exports a static
 * (time-free) closure, the bench uses `staticReach`: SPEC §1's rules with every credential valid and no
 * broker, over the compiled model's per-kind CSR arrays.
 */
import graphology from 'graphology';
import { generateEstate } from '../../estate/synthetic.js';
import type { CompiledModel, Csr } from '../../model/compile.js';
import { compile } from '../../model/compile.js';
import { ADMIN } from '../../model/actions.js';
import type { Scenario } from '../../scenario/types.js';
import type { BenchGroup, BenchSize } from '../types.js';

const { MultiDirectedGraph } = graphology;

/**
 * What the bench needs from a reachability implementation: prepared once per model (buffers, indices
 * — not timed), then queried per source; a query returns per node the action bits reached (the array
 * may be reused by the next query).
 */
export type ReachImpl = (model: CompiledModel) => (source: number) => Uint8Array;

/** A graph as plain CSR arrays (all edge kinds together). */
export interface PlainCsr {
  readonly off: Int32Array;
  readonly to: Int32Array;
}

/** Builds the plain CSR of every edge of a scenario (the raw baseline's input). */
export function plainCsr(scenario: Scenario, indexOf: ReadonlyMap<string, number>): PlainCsr {
  const n = indexOf.size;
  const off = new Int32Array(n + 1);
  const from = new Int32Array(scenario.edges.length);
  const dest = new Int32Array(scenario.edges.length);
  scenario.edges.forEach((e, i) => {
    from[i] = indexOf.get(e.from)!;
    dest[i] = indexOf.get(e.to)!;
    off[from[i]! + 1]!++;
  });
  for (let i = 0; i < n; i++) off[i + 1]! += off[i]!;
  const fill = off.slice(0, n);
  const to = new Int32Array(scenario.edges.length);
  for (let i = 0; i < from.length; i++) to[fill[from[i]!]!++] = dest[i]!;
  return { off, to };
}

/** The raw baseline: BFS with an Int32Array queue and a Uint8Array visited set; returns the count reached. */
export function rawCsrBfs(g: PlainCsr, source: number, visited: Uint8Array, queue: Int32Array): number {
  visited.fill(0);
  let head = 0;
  let tail = 0;
  queue[tail++] = source;
  visited[source] = 1;
  const { off, to } = g;
  while (head < tail) {
    const v = queue[head++]!;
    for (let e = off[v]!, end = off[v + 1]!; e < end; e++) {
      const w = to[e]!;
      if (visited[w] === 0) {
        visited[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  return tail;
}

/** The peer: the same BFS on a graphology graph (out-neighbours, Set visited). */
export function graphologyBfs(graph: InstanceType<typeof MultiDirectedGraph>, source: string): number {
  const seen = new Set<string>([source]);
  const queue = [source];
  for (let head = 0; head < queue.length; head++) {
    graph.forEachOutNeighbor(queue[head]!, (w) => {
      if (!seen.has(w)) {
        seen.add(w);
        queue.push(w);
      }
    });
  }
  return queue.length;
}

// Work items of the static closure, stored as (kind << 28 | node) in one Int32Array stack.
const CONTROL = 1 << 28;
const CREDENTIAL = 2 << 28;
const INVOKE = 3 << 28;
const NODE_MASK = (1 << 28) - 1;
// Per-node state bits: a node is pushed at most once per work kind, so the stack is bounded by 3n.
const S_CONTROLLED = 1;
const S_HELD = 2;
const S_ACTED = 4;
const S_INVOKED = 8;

/**
 * Static reachability (no time, every credential valid, no broker): control (R1) uses held credentials
 * and invokes tools; a credential's grants act on targets (R2); any action on a holder exposes its
 * credentials (R3); admin gives control (R4); an invoked tool acts with its credentials without
 * exposing them (R5); `assumes` yields the next credential (R8). Returns per node the action bits
 * reached. Typed arrays only, each credential's grants walked once, so the cost stays within a small
 * factor of a plain BFS over the same arrays.
 */
export const staticReach: ReachImpl = (model) => {
  const n = model.nodeCount;
  const reached = new Uint8Array(n);
  const state = new Uint8Array(n);
  const stack = new Int32Array(3 * n + 1);
  return (source) => {
    reached.fill(0);
    state.fill(0);
    return closure(model, source, reached, state, stack);
  };
};

function closure(model: CompiledModel, source: number, reached: Uint8Array, state: Uint8Array, stack: Int32Array): Uint8Array {
  const { holds, grants, invokes, assumes } = model;
  let top = 0;
  stack[top++] = CONTROL | source;
  state[source] = S_CONTROLLED;
  // R2/R3/R4: perform credential c's grants (once per credential, whoever acts with it).
  const act = (c: number): void => {
    for (let e = grants.off[c]!, end = grants.off[c + 1]!; e < end; e++) {
      const x = grants.to[e]!;
      const mask = grants.data[e]!;
      const before = reached[x]!;
      if ((mask & ~before) === 0) continue;
      reached[x] = before | mask;
      if (before === 0) {
        for (let k = holds.off[x]!, kend = holds.off[x + 1]!; k < kend; k++) {
          const h = holds.to[k]!;
          if ((state[h]! & S_HELD) === 0) {
            state[h]! |= S_HELD;
            stack[top++] = CREDENTIAL | h;
          }
        }
      }
      if ((mask & ADMIN) !== 0 && (state[x]! & S_CONTROLLED) === 0) {
        state[x]! |= S_CONTROLLED;
        stack[top++] = CONTROL | x;
      }
    }
  };
  while (top > 0) {
    const item = stack[--top]!;
    const node = item & NODE_MASK;
    const kind = item & ~NODE_MASK;
    if (kind === CONTROL) {
      for (let k = holds.off[node]!, end = holds.off[node + 1]!; k < end; k++) {
        const c = holds.to[k]!;
        if ((state[c]! & S_HELD) === 0) {
          state[c]! |= S_HELD;
          stack[top++] = CREDENTIAL | c;
        }
      }
      for (let k = invokes.off[node]!, end = invokes.off[node + 1]!; k < end; k++) {
        const t = invokes.to[k]!;
        if ((state[t]! & S_INVOKED) === 0) {
          state[t]! |= S_INVOKED;
          stack[top++] = INVOKE | t;
        }
      }
    } else if (kind === CREDENTIAL) {
      if ((state[node]! & S_ACTED) === 0) {
        state[node]! |= S_ACTED;
        act(node);
      }
      for (let k = assumes.off[node]!, end = assumes.off[node + 1]!; k < end; k++) {
        const c = assumes.to[k]!;
        if ((state[c]! & S_HELD) === 0) {
          state[c]! |= S_HELD;
          stack[top++] = CREDENTIAL | c;
        }
      }
    } else {
      // R5: the tool acts with its own credentials; their material stays with the tool.
      for (let k = holds.off[node]!, end = holds.off[node + 1]!; k < end; k++) {
        const c = holds.to[k]!;
        if ((state[c]! & S_ACTED) === 0) {
          state[c]! |= S_ACTED;
          act(c);
        }
      }
      for (let k = invokes.off[node]!, end = invokes.off[node + 1]!; k < end; k++) {
        const t = invokes.to[k]!;
        if ((state[t]! & S_INVOKED) === 0) {
          state[t]! |= S_INVOKED;
          stack[top++] = INVOKE | t;
        }
      }
    }
  }
  return reached;
}

/** The traversal group on a seeded estate (~1M edges; ~5k in quick mode). */
export function reachGroup(size: BenchSize, reach: ReachImpl = staticReach): BenchGroup {
  const scenario = generateEstate({ agents: size.quick ? 50 : 10_000, seed: 1 });
  const model = compile(scenario);
  const csr = plainCsr(scenario, model.indexOf);
  const graph = new MultiDirectedGraph();
  for (const node of scenario.nodes) graph.addNode(node.id);
  // Explicit keys (graphology's automatic keys are process-dependent); no attributes: the peer gets the same bare graph.
  for (const e of scenario.edges) graph.addEdgeWithKey(e.key, e.from, e.to);
  const attack = scenario.attacks.find((a) => a.pattern === 'lateral-movement');
  const entry = attack?.pattern === 'lateral-movement' ? attack.entry : scenario.nodes[0]!.id;
  const source = model.indexOf.get(entry)!;
  const visited = new Uint8Array(model.nodeCount);
  const queue = new Int32Array(model.nodeCount);
  const query = reach(model);
  const n = scenario.edges.length;
  const raw = `raw csr bfs (${n} edges)`;
  return {
    minCallsPerRound: size.quick ? 2 : 4,
    cases: [
      { id: 'raw csr bfs (N edges)', name: raw, opsPerCall: 1, fn: () => rawCsrBfs(csr, source, visited, queue) },
      { id: 'reach (N edges)', name: `reach (${n} edges)`, opsPerCall: 1, fn: () => query(source) },
      { id: 'graphology bfs (N edges)', name: `graphology bfs (${n} edges)`, opsPerCall: 1, fn: () => graphologyBfs(graph, entry) },
    ],
  };
}
