/**
 * A scenario's graph (and, optionally, per-node results) as BloodHound OpenGraph payloads, plus the
 * extension definition schema that makes the `BL_` kinds traversable in BloodHound.
 *
 * Mapping (docs/opengraph.md has the user-facing table):
 * - nodes: kinds `[BL_Agent|BL_Tool|BL_Resource|BL_Credential]` (BloodHound appends the source kind
 *   `BL_Base`); id `<escaped id>@<scenario>` (opengraph-blastlab.ts); properties: `name` and `bl_id`
 *   (the blastlab id), `bl_scenario`, `bl_kind`, then the node's attributes in snake_case as flat
 *   primitives (`replans`, `environment`, `identity`, `sensitivity`, `weight`, `records`, `type`,
 *   `ephemeral_capable`, `rotation` as a duration string, only when the credential sets one); a
 *   credential's real timestamps as ISO 8601 (`created_at`, `last_rotated_at`, `last_used_at`,
 *   `expires_at`, with the scenario's `bl_as_of`) and `native_ttl`; imported nodes' provenance as
 *   `bl_provenance_source` / `bl_provenance_id`.
 * - edges: `BL_Holds`, `BL_Grants` (property `actions`: a list of strings), `BL_Invokes`, `BL_Assumes`,
 *   endpoints matched by id.
 * - left out: workload, attacks, policies, distributions (they are not graph data); the per-policy
 *   results flatten them into numbers (opengraph-results.ts).
 * Files are written as text directly (no intermediate objects): a million edges in about a second.
 */
import { formatDuration } from '../lib/duration.js';
import { BL_EDGE_KINDS, BL_NAMESPACE, BL_NODE_KINDS, BL_SOURCE_KIND, exportNodeId } from '../import/opengraph-blastlab.js';
import type { Scenario, ScenarioNode } from '../scenario/types.js';

/** Flat properties added to a node (per-policy results), by blastlab node id. */
export type NodeExtras = ReadonlyMap<string, Readonly<Record<string, number | boolean | string>>>;

export interface OpenGraphExportOptions {
  /** At most this many edges per payload; more edges → several payloads (zip members). Default: one payload. */
  readonly maxEdges?: number;
  /** Per-node extra properties (results). */
  readonly extras?: NodeExtras;
}

/** One payload: its member name inside a zip and its JSON text. */
export interface OpenGraphPart {
  readonly name: string;
  readonly text: string;
  readonly nodes: number;
  readonly edges: number;
}

/**
 * The payloads of a scenario: all nodes go into the first part with the first `maxEdges` edges, the
 * remaining edges into further parts. Edges match their endpoints by id, and BloodHound merges nodes by
 * id whatever file they arrive in, so the parts may be ingested in any order.
 */
export function exportOpenGraph(scenario: Scenario, options: OpenGraphExportOptions = {}): OpenGraphPart[] {
  const maxEdges = options.maxEdges ?? Number.POSITIVE_INFINITY;
  if (!(maxEdges >= 1)) throw new RangeError(`exportOpenGraph: maxEdges must be ≥ 1 (got ${maxEdges})`);
  const name = scenario.name;
  const ids = new Map<string, string>();
  for (const node of scenario.nodes) ids.set(node.id, JSON.stringify(exportNodeId(node.id, name)));
  const nodeTexts = scenario.nodes.map((node) => nodeText(node, ids.get(node.id)!, scenario, options.extras?.get(node.id)));

  const edgeTexts: string[] = [];
  for (const edge of scenario.edges) {
    const props = edge.kind === 'grants' ? `,"properties":{"actions":${JSON.stringify(edge.actions)}}` : '';
    edgeTexts.push(`{"kind":"${BL_EDGE_KINDS[edge.kind]}","start":{"match_by":"id","value":${ids.get(edge.from)!}},"end":{"match_by":"id","value":${ids.get(edge.to)!}}${props}}`);
  }
  const partCount = Math.max(1, Math.ceil(edgeTexts.length / maxEdges));
  const width = String(partCount).length;
  const parts: OpenGraphPart[] = [];
  for (let p = 0; p < partCount; p++) {
    const edges = edgeTexts.slice(p * maxEdges, Math.min(edgeTexts.length, (p + 1) * maxEdges));
    const nodes = p === 0 ? nodeTexts : [];
    const text = `{"metadata":{"source_kind":"${BL_SOURCE_KIND}"},"graph":{"nodes":[\n${nodes.join(',\n')}\n],"edges":[\n${edges.join(',\n')}\n]}}\n`;
    const member = partCount === 1 ? `${name}.json` : `${name}-part-${String(p + 1).padStart(width, '0')}-of-${partCount}.json`;
    parts.push({ name: member, text, nodes: nodes.length, edges: edges.length });
  }
  return parts;
}

function nodeText(node: ScenarioNode, id: string, scenario: Scenario, extras: Readonly<Record<string, number | boolean | string>> | undefined): string {
  const props: Record<string, number | boolean | string> = { name: node.id, bl_id: node.id, bl_scenario: scenario.name, bl_kind: node.kind };
  switch (node.kind) {
    case 'agent':
      props['replans'] = node.replans;
      props['environment'] = node.environment;
      props['identity'] = node.identity;
      break;
    case 'tool':
      props['environment'] = node.environment;
      break;
    case 'resource':
      props['sensitivity'] = node.sensitivity;
      props['weight'] = node.weight;
      props['records'] = node.records;
      props['environment'] = node.environment;
      break;
    case 'credential':
      props['type'] = node.type;
      props['ephemeral_capable'] = node.ephemeralCapable;
      if (node.rotationMs !== null) props['rotation'] = formatDuration(node.rotationMs);
      Object.assign(props, timeProperties(scenario, node.id));
      break;
  }
  const provenance = scenario.provenance[node.id];
  if (provenance !== undefined) {
    props['bl_provenance_source'] = provenance.source;
    props['bl_provenance_id'] = provenance.id;
  }
  if (extras !== undefined) Object.assign(props, extras);
  return `{"id":${id},"kinds":["${BL_NODE_KINDS[node.kind]}"],"properties":${JSON.stringify(props)}}`;
}

/** A credential's real timestamps as ISO 8601 properties (`created_at`, …), with the scenario's `bl_as_of`. */
function timeProperties(scenario: Scenario, id: string): Record<string, string> {
  const times = scenario.credentialTimes[id];
  if (times === undefined || scenario.asOf === null) return {};
  const origin = Date.parse(scenario.asOf);
  const out: Record<string, string> = { bl_as_of: scenario.asOf };
  const iso = (ms: number | null, key: string): void => {
    if (ms !== null) out[key] = new Date(origin + ms).toISOString();
  };
  iso(times.createdAtMs, 'created_at');
  iso(times.lastRotatedAtMs, 'last_rotated_at');
  iso(times.lastUsedAtMs, 'last_used_at');
  iso(times.expiresAtMs, 'expires_at');
  if (times.nativeTtlMs !== null) out['native_ttl'] = formatDuration(times.nativeTtlMs);
  return out;
}

/** The extension definition schema of the `BL` namespace (BloodHound: OpenGraph Management → upload). */
export function blastlabExtensionSchema(version: string): Record<string, unknown> {
  return {
    schema: {
      name: 'blastlab',
      display_name: 'blastlab (non-human identity blast radius)',
      version: `v${version.replace(/^v/, '')}`,
      namespace: BL_NAMESPACE,
    },
    node_kinds: [
      { name: BL_NODE_KINDS.agent, display_name: 'blastlab Agent', description: 'An autonomous workload: AI agent, integration, CI job, service', is_display_kind: true, icon: 'robot', color: '#F5A623' },
      { name: BL_NODE_KINDS.tool, display_name: 'blastlab Tool', description: 'Something an agent calls: API, plugin, MCP server, CLI', is_display_kind: true, icon: 'screwdriver-wrench', color: '#7ED321' },
      { name: BL_NODE_KINDS.resource, display_name: 'blastlab Resource', description: 'A target system or data store', is_display_kind: true, icon: 'database', color: '#4A90E2' },
      { name: BL_NODE_KINDS.credential, display_name: 'blastlab Credential', description: 'API key, token, service-account password, access key or certificate', is_display_kind: true, icon: 'key', color: '#D0021B' },
      { name: BL_SOURCE_KIND, display_name: 'blastlab', description: 'Source kind of every node blastlab exports', is_display_kind: false },
    ],
    relationship_kinds: [
      { name: BL_EDGE_KINDS.holds, description: 'The credential material is present at the start node (memory, env var, config file, repository, CI log)', is_traversable: true },
      { name: BL_EDGE_KINDS.grants, description: 'Using the credential allows the listed actions (read, write, admin) on the end node', is_traversable: true },
      { name: BL_EDGE_KINDS.invokes, description: 'The start node may call the tool, which then acts with its own credentials', is_traversable: true },
      { name: BL_EDGE_KINDS.assumes, description: 'Holding the first credential lets one obtain the second (role chaining, token exchange)', is_traversable: true },
    ],
  };
}
