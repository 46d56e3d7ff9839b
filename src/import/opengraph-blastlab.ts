/**
 * blastlab's own OpenGraph vocabulary, shared by the exporter and the importer (round trip): the
 * namespace `BL`, one node kind per blastlab node kind, one edge kind per blastlab edge kind, and the
 * reversible node-id escape.
 *
 * Node ids: BloodHound ids must not contain `:` and must be unique across everything ingested, while
 * blastlab ids may contain `:` `/` `@` and are unique only within a scenario. An exported id is
 * `<escaped id>@<scenario name>`, where the escape writes `%` `:` `/` `@` as `%25` `%3A` `%2F` `%40`
 * (percent-encoding, so it reads like a URL and decodes without ambiguity: scenario names never
 * contain `@` or `%`). The original id is also kept as the `bl_id` property (BloodHound upper-cases
 * `name` at ingest, so `name` alone would not round-trip).
 */
import type { EdgeKind, NodeKind } from '../domain/scenario.js';

/** The extension namespace: every kind name starts with `BL_`. */
export const BL_NAMESPACE = 'BL';
/** `metadata.source_kind` of exported payloads (appended by BloodHound to every node's kinds). */
export const BL_SOURCE_KIND = 'BL_Base';

export const BL_NODE_KINDS: Readonly<Record<NodeKind, string>> = {
  agent: 'BL_Agent',
  tool: 'BL_Tool',
  resource: 'BL_Resource',
  credential: 'BL_Credential',
};

export const BL_EDGE_KINDS: Readonly<Record<EdgeKind, string>> = {
  holds: 'BL_Holds',
  grants: 'BL_Grants',
  invokes: 'BL_Invokes',
  assumes: 'BL_Assumes',
  runs: 'BL_Runs',
  issues: 'BL_Issues',
};

const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', ':': '%3A', '/': '%2F', '@': '%40' };

/** The exported node id of blastlab node `id` in scenario `scenario`. */
export function exportNodeId(id: string, scenario: string): string {
  return `${id.replace(/[%:/@]/g, (c) => ESCAPES[c]!)}@${scenario}`;
}

/** The blastlab id and scenario of an exported node id, or null when `value` is not one. */
export function parseExportedNodeId(value: string): { id: string; scenario: string } | null {
  const at = value.lastIndexOf('@');
  if (at <= 0) return null;
  const escaped = value.slice(0, at);
  if (/%(?![0-9A-Fa-f]{2})/.test(escaped)) return null;
  try {
    return { id: decodeURIComponent(escaped), scenario: value.slice(at + 1) };
  } catch {
    return null;
  }
}
