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
import { dateTimeSchema, nodeSchema } from '../scenario/schema.js';
import { ACTIONS, type Action, type NodeKind } from '../domain/scenario.js';
import { toIssue, type OgMember } from './opengraph-read.js';
import type { OgEndpoint, OgNode, OgPrimitive, OgValue } from './opengraph-format.js';
import type { EdgeMapping, NodeMapping, Profile } from './opengraph-profile.js';

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
const TIMESTAMP_ATTRIBUTES = new Set(['createdAt', 'lastRotatedAt', 'lastUsedAt', 'expiresAt']);
const MAX_ISSUES = 50;

interface NodeEntry {
  readonly og: OgNode;
  /** The node's properties (the payload's own object; replaced, never mutated, when ids repeat). */
  properties: Readonly<Record<string, OgValue>>;
  readonly mapping: NodeMapping | null;
  /** Kind the node was mapped from, or its first kind (for counts). */
  readonly sourceKind: string;
  kind: NodeKind;
  id: string;
  identity: string | null;
}

const inc = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
const sorted = (map: Map<string, number>): [string, number][] =>
  [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

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
        og,
        properties: og.properties ?? {},
        mapping,
        sourceKind: mappedKind ?? og.kinds[0] ?? '(no kind)',
        kind: mapping?.kind ?? 'resource',
        id: '',
        identity: null,
      });
    }
  }

  // 2. Edges: resolve endpoints, classify by the profile.
  const resolver = new EndpointResolver(entries, byId);
  type Pending = {
    s: number;
    t: number;
    mapping: EdgeMapping | null;
    sourceKind: string;
    properties: Readonly<Record<string, OgValue>>;
  };
  const pending: Pending[] = [];
  const ignoredKinds = new Map<string, number>();
  let ignored = 0;
  for (const member of members) {
    member.doc.graph.edges.forEach((edge, i) => {
      const path = ['graph', 'edges', i];
      const starts = resolver.resolve(edge.start);
      const ends = resolver.resolve(edge.end);
      for (const [end, found] of [
        ['start', starts],
        ['end', ends],
      ] as const) {
        if (found.length === 0 && issues.length < MAX_ISSUES) {
          issues.push(
            toIssue(
              member.file,
              { path: [...path, end], message: `matches no node: ${describeEndpoint(end === 'start' ? edge.start : edge.end)}` },
              member.locate,
            ),
          );
        }
      }
      if (starts.length === 0 || ends.length === 0) return;
      const listed = profile.edges?.[edge.kind];
      const mapping = listed ?? (profile.unknownEdges === 'ignore' ? { as: 'ignore' } : null);
      if (mapping?.as === 'ignore') {
        ignored += starts.length * ends.length;
        inc(ignoredKinds, edge.kind);
        return;
      }
      const reverse = mapping?.reverse === true;
      for (const a of starts)
        for (const b of ends) {
          pending.push({
            s: reverse ? b : a,
            t: reverse ? a : b,
            mapping: mapping?.as === 'lower' ? null : mapping,
            sourceKind: edge.kind,
            properties: edge.properties ?? {},
          });
        }
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  // 3. Which profile-mapped edges fit their endpoints (L4); the rest are lowered. Principals (L1, L2).
  const fits = (p: Pending): boolean => {
    if (p.mapping === null) return false;
    const s = entries[p.s]!;
    const t = entries[p.t]!;
    if (s.mapping === null || t.mapping === null) return false;
    switch (p.mapping.as) {
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
  const lowered: boolean[] = pending.map((p) => !fits(p));
  const principal = new Uint8Array(entries.length);
  pending.forEach((p, k) => {
    if (lowered[k] && p.s !== p.t) principal[p.s] = 1;
  });
  const loweredNodeKinds = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.mapping === null) {
      e.kind = principal[i] === 1 ? 'agent' : 'resource';
      inc(loweredNodeKinds, e.og.kinds[0] ?? '(no kind)');
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
        : sanitizeId(e.og.id),
    );
  }
  entries.forEach((e, i) => {
    if (principal[i] === 1 && e.kind !== 'credential') e.identity = unique(`cred:${e.id}`.slice(0, MAX_ID));
  });

  // 5. Nodes out, attribute values checked one by one (an unusable value is dropped and counted).
  // Values repeat across nodes (environments, sensitivities, types): each distinct one is checked once.
  const checked = new Map<string, boolean>();
  const usableValue = (kind: NodeKind, attribute: string, value: OgValue): boolean => {
    const key = `${kind}\u0000${attribute}\u0000${typeof value}\u0000${String(value)}`;
    let ok = checked.get(key);
    if (ok === undefined) {
      ok = nodeSchema.safeParse({ id: 'x', kind, [attribute]: value }).success;
      checked.set(key, ok);
    }
    return ok;
  };
  const droppedValues = new Map<string, number>();
  const timestamps: string[] = [];
  const nodes: Record<string, unknown>[] = [];
  let asOfProperty: string | null = null;
  for (const e of entries) {
    const node: Record<string, unknown> = { id: e.id, kind: e.kind };
    if (e.mapping !== null) {
      Object.assign(node, e.mapping.attributes ?? {});
      for (const [attribute, property] of Object.entries(e.mapping.properties ?? {})) {
        if (property === undefined) continue;
        const value = e.properties[property];
        if (value === undefined || value === '') continue;
        const usable = TIMESTAMP_ATTRIBUTES.has(attribute) ? normalizeTimestamp(value) : value;
        if (usable === null || !usableValue(e.kind, attribute, usable)) {
          inc(droppedValues, `${e.sourceKind}.${property}`);
          continue;
        }
        node[attribute] = usable;
        if (TIMESTAMP_ATTRIBUTES.has(attribute) && attribute !== 'expiresAt') timestamps.push(usable as string);
      }
      const asOf = e.properties['bl_as_of'];
      if (typeof asOf === 'string' && asOfProperty === null && dateTimeSchema.safeParse(asOf).success) asOfProperty = asOf;
    }
    node['provenance'] = { source, id: e.og.id };
    nodes.push(node);
  }
  for (const e of entries) {
    if (e.identity !== null)
      nodes.push({ id: e.identity, kind: 'credential', type: 'identity', provenance: { source, id: `${e.og.id}#identity` } });
  }

  // 6. Edges out (L2 holds of identities first, then every edge in input order), deduplicated.
  const edges: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let selfLoops = 0;
  let byProfile = 0;
  let loweredCount = 0;
  const loweredEdgeKinds = new Map<string, number>();
  const add = (kind: string, from: string, to: string, actions?: readonly Action[]): boolean => {
    if (from === to) {
      selfLoops++;
      return false;
    }
    const key = `${kind}\u0000${from}\u0000${to}\u0000${actions?.join(',') ?? ''}`;
    if (seen.has(key)) {
      duplicates++;
      return false;
    }
    seen.add(key);
    edges.push(actions === undefined ? { from, to, kind } : { from, to, kind, actions: [...actions] });
    return true;
  };
  for (const e of entries) if (e.identity !== null) add('holds', e.id, e.identity);
  pending.forEach((p, k) => {
    const s = entries[p.s]!;
    const t = entries[p.t]!;
    if (!lowered[k]) {
      const mapping = p.mapping!;
      const actions = mapping.as === 'grants' ? grantActions(mapping, p.properties) : undefined;
      if (add(mapping.as, s.id, t.id, actions)) byProfile++;
      return;
    }
    if (p.s === p.t) {
      selfLoops++;
      return;
    }
    inc(loweredEdgeKinds, p.sourceKind);
    const actor = s.kind === 'credential' ? s.id : s.identity!;
    let ok: boolean;
    if (t.kind === 'credential') ok = s.kind === 'credential' ? add('assumes', s.id, t.id) : add('holds', s.id, t.id);
    else if (t.mapping === null && t.identity !== null) ok = add('assumes', actor, t.identity);
    else ok = add('grants', actor, t.id, ['admin']);
    if (ok) loweredCount++;
  });

  const asOf = options.asOf ?? asOfProperty ?? latest(timestamps);
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
    droppedValues: sorted(droppedValues),
    asOf,
  };
  const needsAsOf = nodes.some((n) => [...TIMESTAMP_ATTRIBUTES].some((a) => n[a] !== undefined));
  const fragment: OpenGraphFragment = needsAsOf && asOf !== null ? { asOf, nodes, edges } : { nodes, edges };
  if (needsAsOf && asOf === null) for (const n of nodes) for (const a of TIMESTAMP_ATTRIBUTES) delete n[a];
  return { ok: true, fragment, summary };
}

/** A blastlab id for an OpenGraph id: invalid characters become `_`, a leading one gets `n`, long ids keep a hash. */
export function sanitizeId(id: string): string {
  let out = id.replace(/[^A-Za-z0-9._:/@+-]/g, '_');
  if (!/^[A-Za-z0-9]/.test(out)) out = `n${out}`;
  if (out.length > MAX_ID) out = `${out.slice(0, MAX_ID - 9)}-${hash8(id)}`;
  return out;
}

function hash8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function grantActions(mapping: EdgeMapping, properties: Readonly<Record<string, OgValue>>): Action[] {
  if (mapping.actionsProperty !== undefined) {
    const raw = properties[mapping.actionsProperty];
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[,\s]+/) : [];
    const actions = ACTIONS.filter((a) => list.includes(a));
    if (actions.length > 0) return actions;
  }
  return ACTIONS.filter((a) => (mapping.actions ?? ['admin']).includes(a));
}

/** An ISO 8601 date-time with a zone, as the scenario schema wants it; null when not one. */
function normalizeTimestamp(value: OgValue): string | null {
  if (typeof value !== 'string') return null;
  if (dateTimeSchema.safeParse(value).success) return value;
  // Collectors often drop the zone or the `T`: read those as UTC.
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value.trim());
  return m === null ? null : `${m[1]}T${m[2]}Z`;
}

function latest(timestamps: readonly string[]): string | null {
  let best: string | null = null;
  let bestMs = Number.NEGATIVE_INFINITY;
  for (const t of timestamps) {
    const ms = Date.parse(t);
    if (ms > bestMs) {
      bestMs = ms;
      best = t;
    }
  }
  return best;
}

function describeEndpoint(endpoint: OgEndpoint): string {
  const kind = endpoint.kind === undefined ? '' : ` of kind ${endpoint.kind}`;
  if (endpoint.match_by === 'property') {
    return `no node${kind} has ${endpoint.property_matchers!.map((m) => `${m.key} = ${JSON.stringify(m.value)}`).join(' and ')}`;
  }
  return `no node${kind} with ${endpoint.match_by === 'name' ? 'name' : 'id'} ${JSON.stringify(endpoint.value)} in the input`;
}

/** Finds the nodes an endpoint matches (id, property matchers, or the deprecated name). */
class EndpointResolver {
  private readonly byProperty = new Map<string, Map<string, number[]>>();

  constructor(
    private readonly entries: readonly NodeEntry[],
    private readonly byId: ReadonlyMap<string, number>,
  ) {}

  resolve(endpoint: OgEndpoint): number[] {
    let found: number[];
    switch (endpoint.match_by ?? 'id') {
      case 'id': {
        const i = this.byId.get(endpoint.value!);
        found = i === undefined ? [] : [i];
        break;
      }
      case 'name':
        found = this.index('name', true).get(String(endpoint.value).toUpperCase()) ?? [];
        break;
      case 'property': {
        const [first, ...rest] = endpoint.property_matchers!;
        found = (this.index(first!.key, false).get(keyOf(first!.value)) ?? []).filter((i) =>
          rest.every((m) => keyOf(this.entries[i]!.properties[m.key] as OgPrimitive) === keyOf(m.value)),
        );
        break;
      }
    }
    const kind = endpoint.kind;
    return kind === undefined ? found : found.filter((i) => this.entries[i]!.og.kinds.includes(kind));
  }

  private index(key: string, upper: boolean): Map<string, number[]> {
    const cacheKey = `${upper ? 'U' : 'E'}${key}`;
    let index = this.byProperty.get(cacheKey);
    if (index === undefined) {
      index = new Map();
      this.entries.forEach((e, i) => {
        const v = e.properties[key];
        if (v === undefined || Array.isArray(v)) return;
        const k = upper ? String(v).toUpperCase() : keyOf(v as OgPrimitive);
        const list = index!.get(k);
        if (list === undefined) index!.set(k, [i]);
        else list.push(i);
      });
      this.byProperty.set(cacheKey, index);
    }
    return index;
  }
}

function keyOf(value: OgPrimitive | undefined): string {
  return `${typeof value}:${String(value)}`;
}
