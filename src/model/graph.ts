/**
 * The scenario as a graphology MultiDirectedGraph: node attributes as resolved, edges added with their
 * deterministic keys (graphology's automatic keys differ between processes). For analysis, export and
 * the graph-library baseline in benchmarks; the trial loop uses the compiled form instead.
 */
import graphology from 'graphology';
import type { Scenario } from '../domain/scenario.js';

const { MultiDirectedGraph } = graphology;

/** Builds the graphology graph of a scenario. */
export function buildGraph(scenario: Scenario): InstanceType<typeof MultiDirectedGraph> {
  const graph = new MultiDirectedGraph();
  for (const node of scenario.nodes) graph.addNode(node.id, { ...node });
  for (const edge of scenario.edges) {
    graph.addEdgeWithKey(edge.key, edge.from, edge.to, { kind: edge.kind, actions: [...edge.actions] });
  }
  return graph;
}
