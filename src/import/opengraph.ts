/**
 * OpenGraph → blastlab graph: nodes and edges of one or more payloads, mapped by a profile
 * (opengraph-profile.ts), everything else through the generic lowering. Pure: payloads in, a plain
 * scenario fragment (`nodes`, `edges`, `asOf`) and a summary out; the CLI adds attacks and policies.
 *
 * Generic lowering (never loses reachability; docs/opengraph.md "Generic lowering"):
 * L1 A node whose kinds the profile does not map becomes an agent when it starts a lowered edge (a
 *    principal: it acts), else a resource.
 * L2 A principal — the start of a lowered edge that is not a credential — gets a synthetic identity
 *    credential `cred:<id>` that it holds (type `identity`).
 * L3 A lowered edge S → T: to a credential T, `S holds T` (or `S assumes T` when S is a credential);
 *    to an unmapped principal T, `c assumes cred:T`; to anything else, `c grants admin T`; where c is
 *    S itself when S is a credential, else S's identity credential. Admin gives control of agents and
 *    tools and exposes what resources hold, so whatever T could do, the attacker can.
 * L4 Edges the profile maps are kept as mapped when their endpoints' kinds fit the blastlab edge kind
 *    (holds: agent/tool/resource → credential; grants: credential → agent/tool/resource; invokes:
 *    agent/tool → tool; assumes: credential → credential), else lowered.
 * Edge kinds the profile does not list are lowered (`unknownEdges: lower`, the default) or ignored.
 * Duplicates and self-loops are dropped; all counts go to the summary.
 */
import type { ScenarioIssue } from '../errors.js';
import { dateTimeSchema } from '../scenario/schema-values.js';
import type { Action, EdgeKind, NodeKind } from '../domain/scenario.js';
import { toIssue, type OgMember } from './opengraph-read.js';
import { describeEndpoint, EndpointResolver } from './opengraph-endpoints.js';
import type { OgEdge, OgValue } from './opengraph-format.js';
import type { EdgeMapping, NodeMapping, Profile } from './opengraph-profile.js';
import {
  AttributeMapper,
  grantActions,
  inc,
  latest,
  sanitizeId,
  sorted,
  TIMESTAMP_ATTRIBUTES,
  TripleSet,
} from './opengraph-values.js';

export interface OpenGraphImportOptions {
  readonly profile: Profile;
  /** `provenance.source` of every node (default `opengraph:<profile name>`). */
  readonly source?: string;
  /** The instant simulated time 0 stands for; default: `bl_as_of` of the input, else its latest timestamp. */
  readonly asOf?: string;
}

/** What the import did, with counts (printed by the CLI, asserted by tests). */
export interface OpenGraphImportSummary {
  readonly nodes: {
    readonly total: number;
    readonly byProfile: number;
    readonly lowered: number;
    readonly identities: number;
    readonly merged: number;
  };
  readonly edges: {
    readonly total: number;
    readonly byProfile: number;
    readonly lowered: number;
    readonly ignored: number;
    readonly duplicates: number;
    readonly selfLoops: number;
  };
  /** Source node kinds lowered generically, with counts (sorted by name). */
  readonly loweredNodeKinds: readonly (readonly [string, number])[];
  /** Source edge kinds lowered generically / ignored, with counts. */
  readonly loweredEdgeKinds: readonly (readonly [string, number])[];
  readonly ignoredEdgeKinds: readonly (readonly [string, number])[];
  /** Attribute values from source properties that were unusable (dropped), as `kind.attribute`. */
  readonly droppedValues: readonly (readonly [string, number])[];
  readonly asOf: string | null;
}

/** The plain scenario fragment: ready for a scenario file once attacks and policies are added. */
export interface OpenGraphFragment {
  readonly asOf?: string;
  readonly nodes: Record<string, unknown>[];
  readonly edges: Record<string, unknown>[];
}

export type OpenGraphImportResult =
  | { readonly ok: true; readonly fragment: OpenGraphFragment; readonly summary: OpenGraphImportSummary }
  | { readonly ok: false; readonly issues: readonly ScenarioIssue[] };

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const MAX_ID = 200;
const MAX_ISSUES = 50;

interface NodeEntry {
  /** The OpenGraph id. */
  readonly ogId: string;
  readonly kinds: readonly string[];
  /** The node's properties (the payload's own object; replaced, never mutated, when ids repeat). */
  properties: Readonly<Record<string, OgValue>>;
  readonly mapping: NodeMapping | null;
  /** Kind the node was mapped from, or its first kind (for counts). */
  readonly sourceKind: string;
  kind: NodeKind;
  id: string;
  identity: string | null;
}

/** Edge kinds as small numbers, for the dedup keys. */
const EDGE_CODES: Readonly<Record<EdgeKind, number>> = { holds: 0, grants: 1, invokes: 2, assumes: 3, runs: 4, issues: 5 };
const MASKS: Readonly<Record<Action, number>> = { read: 1, write: 2, admin: 4 };

/** Maps every payload's nodes and edges (see the rules at the top). */
export function importOpenGraph(members: readonly OgMember[], options: OpenGraphImportOptions): OpenGraphImportResult {
  const { profile } = options;
  const source = options.source ?? `opengraph:${profile.name}`;
  const issues: ScenarioIssue[] = [];

  // 1. Nodes, merged by id across payloads as BloodHound does (first kinds win, later properties add).
  const entries: NodeEntry[] = [];
  const byId = new Map<string, number>();
  let merged = 0;
  for (const member of members) {
    for (const og of member.doc.graph.nodes) {
      const known = byId.get(og.id);
      if (known !== undefined) {
        merged++;
        const entry = entries[known]!;
        entry.properties = { ...entry.properties, ...(og.properties ?? {}) };
        continue;
      }
      const mappedKind = og.kinds.find((k) => profile.nodes?.[k] !== undefined);
      const mapping = mappedKind === undefined ? null : profile.nodes![mappedKind]!;
      byId.set(og.id, entries.length);
      entries.push({
        ogId: og.id,
        kinds: og.kinds,
        properties: og.properties ?? {},
        mapping,
        sourceKind: mappedKind ?? og.kinds[0] ?? '(no kind)',
        kind: mapping?.kind ?? 'resource',
        id: '',
        identity: null,
      });
    }
  }

  // 2. Edges: resolve endpoints, classify by the profile. Pending edges are kept as parallel lists
  // (start, end, source edge) rather than one object each: a million edges are a million fewer objects.
  const resolver = new EndpointResolver(entries, byId);
  const mappings = new Map<string, EdgeMapping | null>();
  const mappingOf = (kind: string): EdgeMapping | null => {
    let m = mappings.get(kind);
    if (m === undefined) {
      m = profile.edges?.[kind] ?? (profile.unknownEdges === 'ignore' ? { as: 'ignore' } : null);
      mappings.set(kind, m);
    }
    return m;
  };
  const starts: number[] = [];
  const ends: number[] = [];
  const sourceEdges: OgEdge[] = [];
  const ignoredKinds = new Map<string, number>();
  let ignored = 0;
  for (const member of members) {
    const list = member.doc.graph.edges;
    for (let i = 0; i < list.length; i++) {
      const edge = list[i]!;
      const from = resolver.resolve(edge.start);
      const to = resolver.resolve(edge.end);
      if (from.length === 0 || to.length === 0) {
        for (const [end, found] of [
          ['start', from],
          ['end', to],
        ] as const) {
          if (found.length === 0 && issues.length < MAX_ISSUES) {
            issues.push(
              toIssue(
                member.file,
                {
                  code: 'unknown-reference',
                  path: ['graph', 'edges', i, end],
                  message: `matches no node: ${describeEndpoint(end === 'start' ? edge.start : edge.end)}`,
                },
                member.locate,
              ),
            );
          }
        }
        continue;
      }
      const mapping = mappingOf(edge.kind);
      if (mapping?.as === 'ignore') {
        ignored += from.length * to.length;
        inc(ignoredKinds, edge.kind);
        continue;
      }
      const reverse = mapping?.reverse === true;
      for (const a of from)
        for (const b of to) {
          starts.push(reverse ? b : a);
          ends.push(reverse ? a : b);
          sourceEdges.push(edge);
        }
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const pendingCount = starts.length;

  // 3. Which profile-mapped edges fit their endpoints (L4); the rest are lowered. Principals (L1, L2).
  const fits = (k: number): boolean => {
    const mapping = mappingOf(sourceEdges[k]!.kind);
    if (mapping === null || mapping.as === 'lower') return false;
    const s = entries[starts[k]!]!;
    const t = entries[ends[k]!]!;
    if (s.mapping === null || t.mapping === null) return false;
    switch (mapping.as) {
      case 'holds':
        return s.kind !== 'credential' && t.kind === 'credential';
      case 'grants':
        return s.kind === 'credential' && t.kind !== 'credential';
      case 'invokes':
        return (s.kind === 'agent' || s.kind === 'tool') && t.kind === 'tool';
      case 'assumes':
        return s.kind === 'credential' && t.kind === 'credential';
      case 'runs':
        return s.kind === 'resource' && (t.kind === 'agent' || t.kind === 'tool');
      case 'issues':
        return s.kind !== 'credential' && t.kind === 'credential';
      default:
        return false;
    }
  };
  const lowered = new Uint8Array(pendingCount);
  const principal = new Uint8Array(entries.length);
  for (let k = 0; k < pendingCount; k++) {
    if (fits(k)) continue;
    lowered[k] = 1;
    if (starts[k] !== ends[k]) principal[starts[k]!] = 1;
  }
  const loweredNodeKinds = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.mapping === null) {
      e.kind = principal[i] === 1 ? 'agent' : 'resource';
      inc(loweredNodeKinds, e.kinds[0] ?? '(no kind)');
    }
  });

  // 4. Ids: the profile's id property when valid, else the OpenGraph id made valid; unique.
  const used = new Set<string>();
  const unique = (wanted: string): string => {
    let id = wanted;
    for (let n = 2; used.has(id); n++) id = `${wanted.slice(0, MAX_ID - 8)}-${n}`;
    used.add(id);
    return id;
  };
  for (const e of entries) {
    const idProperty = e.mapping?.id;
    const fromProperty = idProperty === undefined ? undefined : e.properties[idProperty];
    e.id = unique(
      typeof fromProperty === 'string' && ID_PATTERN.test(fromProperty) && fromProperty.length <= MAX_ID
        ? fromProperty
        : sanitizeId(e.ogId),
    );
  }
  entries.forEach((e, i) => {
    if (principal[i] === 1 && e.kind !== 'credential') e.identity = unique(`cred:${e.id}`.slice(0, MAX_ID));
  });

  // 5. Nodes out, attribute values checked one by one (an unusable value is dropped and counted).
  const attributes = new AttributeMapper();
  const nodes: Record<string, unknown>[] = [];
  let asOfProperty: string | null = null;
  for (const e of entries) {
    const node: Record<string, unknown> = { id: e.id, kind: e.kind };
    if (e.mapping !== null) {
      attributes.apply(node, e.kind, e.mapping, e.properties, e.sourceKind);
      const asOf = e.properties['bl_as_of'];
      if (typeof asOf === 'string' && asOfProperty === null && dateTimeSchema.safeParse(asOf).success) asOfProperty = asOf;
    }
    node['provenance'] = { source, id: e.ogId };
    nodes.push(node);
  }
  for (const e of entries) {
    if (e.identity !== null)
      nodes.push({ id: e.identity, kind: 'credential', type: 'identity', provenance: { source, id: `${e.ogId}#identity` } });
  }

  // 6. Edges out (L2 holds of identities first, then every edge in input order), deduplicated on a
  // (kind and actions, from, to) triple: node i is i, its identity credential is entries + i.
  const edges: Record<string, unknown>[] = [];
  const n = entries.length;
  const seen = new TripleSet(pendingCount + n);
  let duplicates = 0;
  let selfLoops = 0;
  let byProfile = 0;
  let loweredCount = 0;
  const loweredEdgeKinds = new Map<string, number>();
  const idOf = (i: number): string => (i < n ? entries[i]!.id : entries[i - n]!.identity!);
  const add = (kind: EdgeKind, from: number, to: number, actions?: readonly Action[]): boolean => {
    if (from === to) {
      selfLoops++;
      return false;
    }
    let mask = 0;
    if (actions !== undefined) for (const a of actions) mask |= MASKS[a];
    const code = EDGE_CODES[kind] * 8 + mask;
    if (!seen.add(code, from, to)) {
      duplicates++;
      return false;
    }
    const fromId = idOf(from);
    const toId = idOf(to);
    edges.push(actions === undefined ? { from: fromId, to: toId, kind } : { from: fromId, to: toId, kind, actions });
    return true;
  };
  entries.forEach((e, i) => {
    if (e.identity !== null) add('holds', i, n + i);
  });
  for (let k = 0; k < pendingCount; k++) {
    const si = starts[k]!;
    const ti = ends[k]!;
    const edge = sourceEdges[k]!;
    if (lowered[k] === 0) {
      const mapping = mappingOf(edge.kind)!;
      const actions = mapping.as === 'grants' ? grantActions(mapping, edge.properties ?? {}) : undefined;
      if (add(mapping.as as EdgeKind, si, ti, actions)) byProfile++;
      continue;
    }
    if (si === ti) {
      selfLoops++;
      continue;
    }
    inc(loweredEdgeKinds, edge.kind);
    const s = entries[si]!;
    const t = entries[ti]!;
    const actor = s.kind === 'credential' ? si : n + si;
    let ok: boolean;
    if (t.kind === 'credential') ok = add(s.kind === 'credential' ? 'assumes' : 'holds', si, ti);
    else if (t.mapping === null && t.identity !== null) ok = add('assumes', actor, n + ti);
    else ok = add('grants', actor, ti, ADMIN_ONLY);
    if (ok) loweredCount++;
  }

  const asOf = options.asOf ?? asOfProperty ?? latest(attributes.timestamps);
  const summary: OpenGraphImportSummary = {
    nodes: {
      total: nodes.length,
      byProfile: entries.filter((e) => e.mapping !== null).length,
      lowered: entries.filter((e) => e.mapping === null).length,
      identities: entries.filter((e) => e.identity !== null).length,
      merged,
    },
    edges: { total: edges.length, byProfile, lowered: loweredCount, ignored, duplicates, selfLoops },
    loweredNodeKinds: sorted(loweredNodeKinds),
    loweredEdgeKinds: sorted(loweredEdgeKinds),
    ignoredEdgeKinds: sorted(ignoredKinds),
    droppedValues: sorted(attributes.dropped),
    asOf,
  };
  const needsAsOf = nodes.some((node) => [...TIMESTAMP_ATTRIBUTES].some((a) => node[a] !== undefined));
  const fragment: OpenGraphFragment = needsAsOf && asOf !== null ? { asOf, nodes, edges } : { nodes, edges };
  if (needsAsOf && asOf === null) for (const node of nodes) for (const a of TIMESTAMP_ATTRIBUTES) delete node[a];
  return { ok: true, fragment, summary };
}

const ADMIN_ONLY: readonly Action[] = ['admin'];
