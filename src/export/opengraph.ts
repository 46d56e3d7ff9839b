/**
 * A scenario's graph (and, optionally, per-node results) as BloodHound OpenGraph payloads, plus the
 * extension definition schema that makes the `BL_` kinds traversable in BloodHound.
 *
 * Mapping (docs/opengraph.md has the user-facing table):
 * - nodes: kinds `[BL_Agent|BL_Tool|BL_Resource|BL_Credential]` (BloodHound appends the source kind
 *   `BL_Base`); id `<escaped id>@<scenario>` (opengraph-blastlab.ts); properties: `name` and `bl_id`
 *   (the blastlab id), `bl_scenario`, `bl_kind`, then the node's attributes in snake_case as flat
 *   primitives (`replans`, `environment`, `identity`, `exposure`, `sensitivity`, `weight`, `records`,
 *   `egress`, `type`, `ephemeral_capable`, `rotation` as a duration string, only when the credential
 *   sets one; a resource's `record` as `record_reached` and `record_source`, only when it has one); a
 *   credential's real timestamps as ISO 8601 (`created_at`, `last_rotated_at`, `last_used_at`,
 *   `expires_at`, with the scenario's `bl_as_of`) and `native_ttl`; imported nodes' provenance as
 *   `bl_provenance_source` / `bl_provenance_id`.
 * - edges: `BL_Holds`, `BL_Grants` (property `actions`: a list of strings), `BL_Invokes`, `BL_Assumes`,
 *   endpoints matched by id.
 * - left out: workload, attacks, policies, distributions (they are not graph data); the per-policy
 *   results flatten them into numbers (opengraph-results.ts).
 * Payloads are written as text directly, streamed to a sink (no intermediate objects).
 */
import { formatDuration } from '../lib/duration.js';
import { BL_EDGE_KINDS, BL_NAMESPACE, BL_NODE_KINDS, BL_SOURCE_KIND, exportNodeId } from '../import/opengraph-blastlab.js';
import type { Scenario, ScenarioNode } from '../domain/scenario.js';

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

/** Where payload text goes, part by part, in order (a file, a zip stream, or memory). */
export interface OpenGraphSink {
  begin(name: string): void;
  write(text: string): void;
  end(): void;
}

/** How many payloads the scenario's edges make at `maxEdges` per payload (at least one). */
export function partCount(edges: number, maxEdges: number = Number.POSITIVE_INFINITY): number {
  if (!(maxEdges >= 1)) throw new RangeError(`opengraph: maxEdges must be ≥ 1 (got ${maxEdges})`);
  return Math.max(1, Math.ceil(edges / maxEdges));
}

/**
 * Writes the payloads of a scenario to `sink`: all nodes go into the first part with the first
 * `maxEdges` edges, the remaining edges into further parts. Edges match their endpoints by id, and
 * BloodHound merges nodes by id whatever file they arrive in, so the parts may be ingested in any
 * order. Text is produced node by node and edge by edge, never held whole (a million edges stay
 * within a few hundred MB).
 */
export function writeOpenGraph(
  scenario: Scenario,
  options: OpenGraphExportOptions,
  sink: OpenGraphSink,
): { name: string; nodes: number; edges: number }[] {
  const maxEdges = options.maxEdges ?? Number.POSITIVE_INFINITY;
  const count = partCount(scenario.edges.length, maxEdges);
  const name = scenario.name;
  const ids = new Map<string, string>();
  for (const node of scenario.nodes) ids.set(node.id, JSON.stringify(exportNodeId(node.id, name)));
  const width = String(count).length;
  const parts: { name: string; nodes: number; edges: number }[] = [];
  let e = 0;
  for (let p = 0; p < count; p++) {
    const member = count === 1 ? `${name}.json` : `${name}-part-${String(p + 1).padStart(width, '0')}-of-${count}.json`;
    sink.begin(member);
    sink.write(`{"metadata":{"source_kind":"${BL_SOURCE_KIND}"},"graph":{"nodes":[`);
    const nodes = p === 0 ? scenario.nodes.length : 0;
    for (let i = 0; i < nodes; i++) {
      const node = scenario.nodes[i]!;
      sink.write(`${i === 0 ? '\n' : ',\n'}${nodeText(node, ids.get(node.id)!, scenario, options.extras?.get(node.id))}`);
    }
    sink.write('\n],"edges":[');
    const last = Math.min(scenario.edges.length, (p + 1) * maxEdges);
    const first = e;
    for (; e < last; e++) {
      const edge = scenario.edges[e]!;
      const props = edge.kind === 'grants' ? `,"properties":{"actions":${JSON.stringify(edge.actions)}}` : '';
      sink.write(
        `${e === first ? '\n' : ',\n'}{"kind":"${BL_EDGE_KINDS[edge.kind]}","start":{"match_by":"id","value":${ids.get(edge.from)!}},"end":{"match_by":"id","value":${ids.get(edge.to)!}}${props}}`,
      );
    }
    sink.write('\n]}}\n');
    sink.end();
    parts.push({ name: member, nodes, edges: last - first });
  }
  return parts;
}

/** The payloads of a scenario as strings (tests and small scenarios; the CLI streams with writeOpenGraph). */
export function exportOpenGraph(scenario: Scenario, options: OpenGraphExportOptions = {}): OpenGraphPart[] {
  const texts: string[] = [];
  let chunks: string[] = [];
  const written = writeOpenGraph(scenario, options, {
    begin: () => void (chunks = []),
    write: (text) => void chunks.push(text),
    end: () => void texts.push(chunks.join('')),
  });
  return written.map((part, i) => ({ ...part, text: texts[i]! }));
}

function nodeText(
  node: ScenarioNode,
  id: string,
  scenario: Scenario,
  extras: Readonly<Record<string, number | boolean | string>> | undefined,
): string {
  const props: Record<string, number | boolean | string> = {
    name: node.id,
    bl_id: node.id,
    bl_scenario: scenario.name,
    bl_kind: node.kind,
  };
  switch (node.kind) {
    case 'agent':
      props['replans'] = node.replans;
      props['environment'] = node.environment;
      props['identity'] = node.identity;
      props['exposure'] = node.exposure;
      break;
    case 'tool':
      props['environment'] = node.environment;
      props['exposure'] = node.exposure;
      break;
    case 'resource':
      props['sensitivity'] = node.sensitivity;
      props['weight'] = node.weight;
      props['records'] = node.records;
      props['environment'] = node.environment;
      props['egress'] = node.egress;
      props['exposure'] = node.exposure;
      if (node.record !== undefined) {
        props['record_reached'] = node.record.reached;
        if (node.record.source !== null) props['record_source'] = node.record.source;
      }
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
      {
        name: BL_NODE_KINDS.agent,
        display_name: 'blastlab Agent',
        description: 'An autonomous workload: AI agent, integration, CI job, service',
        is_display_kind: true,
        icon: 'robot',
        color: '#F5A623',
      },
      {
        name: BL_NODE_KINDS.tool,
        display_name: 'blastlab Tool',
        description: 'Something an agent calls: API, plugin, MCP server, CLI',
        is_display_kind: true,
        icon: 'screwdriver-wrench',
        color: '#7ED321',
      },
      {
        name: BL_NODE_KINDS.resource,
        display_name: 'blastlab Resource',
        description: 'A target system or data store',
        is_display_kind: true,
        icon: 'database',
        color: '#4A90E2',
      },
      {
        name: BL_NODE_KINDS.credential,
        display_name: 'blastlab Credential',
        description: 'API key, token, service-account password, access key or certificate',
        is_display_kind: true,
        icon: 'key',
        color: '#D0021B',
      },
      {
        name: BL_SOURCE_KIND,
        display_name: 'blastlab',
        description: 'Source kind of every node blastlab exports',
        is_display_kind: false,
      },
    ],
    relationship_kinds: [
      {
        name: BL_EDGE_KINDS.holds,
        description: 'The credential material is present at the start node (memory, env var, config file, repository, CI log)',
        is_traversable: true,
      },
      {
        name: BL_EDGE_KINDS.grants,
        description: 'Using the credential allows the listed actions (read, write, admin) on the end node',
        is_traversable: true,
      },
      {
        name: BL_EDGE_KINDS.invokes,
        description: 'The start node may call the tool, which then acts with its own credentials',
        is_traversable: true,
      },
      {
        name: BL_EDGE_KINDS.assumes,
        description: 'Holding the first credential lets one obtain the second (role chaining, token exchange)',
        is_traversable: true,
      },
      {
        name: BL_EDGE_KINDS.runs,
        description:
          'The start node holds code or configuration the end node executes: write on it gives control of the end node',
        is_traversable: true,
      },
      {
        name: BL_EDGE_KINDS.issues,
        description: 'Admin on the start node lets one create new material for the credential (persistence)',
        is_traversable: true,
      },
    ],
  };
}
