/**
 * Traversal cases on one seeded synthetic estate: `reach (<N> edges)` — the attacker's reachability
 * closure — beside `raw csr bfs (<N> edges)` (plain typed-array BFS over every edge of the same graph)
 * and `graphology bfs (<N> edges)`, the graph-library peer, all from the same entry agent.
 *
 * `reach` is src/model/static-reach.ts: SPEC §1's rules with every credential valid and no broker,
 * over the compiled model's per-kind CSR arrays.
 */
import graphology from 'graphology';
import { generateEstate } from '../../estate/synthetic.js';
import { compile } from '../../model/compile.js';
import { staticReach, type ReachImpl } from '../../model/static-reach.js';
import type { Scenario } from '../../domain/scenario.js';
import { runTrialDetailed } from '../../sim/trial.js';
import type { BenchGroup, BenchSize } from '../types.js';

const { MultiDirectedGraph } = graphology;

export type { ReachImpl };
export { staticReach };

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
    off[from[i] + 1]!++;
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
  // A whole trial of the estate's lateral movement under its persistent policy (the engine, risk only),
  // a different trial index each call so no per-trial cache helps.
  const persistent = scenario.policies.findIndex((p) => p.kind === 'persistent');
  const lateral = scenario.attacks.findIndex((a) => a.pattern === 'lateral-movement');
  let trial = 0;
  return {
    minCallsPerRound: size.quick ? 2 : 4,
    cases: [
      { id: 'raw csr bfs (N edges)', name: raw, opsPerCall: 1, fn: () => rawCsrBfs(csr, source, visited, queue) },
      { id: 'reach (N edges)', name: `reach (${n} edges)`, opsPerCall: 1, fn: () => query(source) },
      {
        id: 'graphology bfs (N edges)',
        name: `graphology bfs (${n} edges)`,
        opsPerCall: 1,
        fn: () => graphologyBfs(graph, entry),
      },
      {
        id: 'trial (N edges, persistent)',
        name: `trial (${n} edges, persistent)`,
        opsPerCall: 1,
        fn: () => runTrialDetailed(model, persistent, lateral, trial++, { riskOnly: true }).events,
      },
    ],
  };
}
