/**
 * BloodHound OpenGraph data payloads: the types and one checker of the published rules
 * (SpecterOps bloodhound-docs, docs/opengraph/developer/{graph-data,nodes,edges,metadata}.mdx).
 *
 * A payload is `{metadata?: {source_kind}, graph: {nodes: [...], edges: [...]}}`. A node is
 * `{id, kinds (1–3 strings, the first is the display kind), properties?}`; an edge is
 * `{kind (^[A-Za-z0-9_]+$), start, end, properties?}` whose endpoints match a node by `id` (default),
 * by `property` matchers or (deprecated) by `name`, optionally restricted to a `kind`. Property values
 * are strings, numbers, booleans or homogeneous arrays of those; never objects, never `objectid`.
 *
 * The checker is used twice: on input (import: every problem with its JSON path) and on output (export
 * tests and `--validate`: the stricter rules BloodHound applies to a structured graph, `strict`).
 */
import type { IssueCode } from '../errors.js';
import type { PathSegment } from '../scenario/document.js';

/** A property value BloodHound accepts. */
export type OgPrimitive = string | number | boolean;
export type OgValue = OgPrimitive | readonly OgPrimitive[];
export type OgProperties = Readonly<Record<string, OgValue>>;

export interface OgNode {
  readonly id: string;
  readonly kinds: readonly string[];
  readonly properties?: OgProperties | null;
}

export interface OgMatcher {
  readonly key: string;
  readonly operator: 'equals';
  readonly value: OgPrimitive;
}

export interface OgEndpoint {
  readonly match_by?: 'id' | 'property' | 'name';
  readonly value?: string;
  readonly property_matchers?: readonly OgMatcher[];
  readonly kind?: string;
}

export interface OgEdge {
  readonly kind: string;
  readonly start: OgEndpoint;
  readonly end: OgEndpoint;
  readonly properties?: OgProperties | null;
}

export interface OgDocument {
  readonly metadata?: { readonly source_kind?: string | null };
  readonly graph: { readonly nodes: readonly OgNode[]; readonly edges: readonly OgEdge[] };
}

/**
 * One rule broken, at a path inside the payload: a ScenarioIssue before it is located (the reader adds
 * the file, line and column; `toIssue` in opengraph-read.ts).
 */
export interface OgIssue {
  readonly code: IssueCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** At most this many kinds per node (nodes.mdx). */
export const MAX_NODE_KINDS = 3;
/** Edge kinds: letters, digits and underscores (edges.mdx). */
export const EDGE_KIND_PATTERN = /^[A-Za-z0-9_]+$/;
/** Stop collecting after this many problems: a broken million-edge file would print forever. */
export const MAX_ISSUES = 50;

/** What the stricter output check adds. */
export interface StrictRules {
  /** Every node kind, edge kind and the source kind must start with `<namespace>_`. */
  readonly namespace: string;
}

/** Checks a parsed payload; returns every problem found (up to MAX_ISSUES), empty when valid. */
export function checkOpenGraph(value: unknown, strict?: StrictRules): OgIssue[] {
  const issues: OgIssue[] = [];
  const add: Add = (code, path, message) => {
    if (issues.length < MAX_ISSUES) issues.push({ code, path, message });
    return issues.length < MAX_ISSUES;
  };
  if (!isRecord(value)) {
    add('not-an-opengraph-payload', [], `not an OpenGraph payload: expected a JSON object with "graph" (got ${describe(value)})`);
    return issues;
  }
  if ('data' in value && 'meta' in value && !('graph' in value)) {
    add(
      'not-an-opengraph-payload',
      [],
      'not an OpenGraph payload: this is the legacy SharpHound/AzureHound format ({data, meta}); OpenGraph files have {graph: {nodes, edges}}',
    );
    return issues;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'graph' && key !== 'metadata')
      add('unknown-key', [key], `unknown top-level key (an OpenGraph payload has only "graph" and "metadata")`);
  }
  const metadata = value['metadata'];
  if (metadata !== undefined) {
    if (!isRecord(metadata)) add('wrong-type', ['metadata'], `must be an object (got ${describe(metadata)})`);
    else {
      for (const key of Object.keys(metadata)) {
        if (key !== 'source_kind') add('unknown-key', ['metadata', key], 'unknown key (metadata has only "source_kind")');
      }
      const sk = metadata['source_kind'];
      if (sk !== undefined && sk !== null && typeof sk !== 'string')
        add('wrong-type', ['metadata', 'source_kind'], `must be a string (got ${describe(sk)})`);
      if (strict !== undefined && typeof sk === 'string' && !namespaced(sk, strict))
        add('not-namespaced', ['metadata', 'source_kind'], `must start with "${strict.namespace}_"`);
    }
  }
  const graph = value['graph'];
  if (!isRecord(graph)) {
    add(
      graph === undefined ? 'missing-key' : 'wrong-type',
      ['graph'],
      graph === undefined
        ? 'missing: an OpenGraph payload needs "graph": {"nodes": [...], "edges": [...]}'
        : `must be an object (got ${describe(graph)})`,
    );
    return issues;
  }
  for (const key of Object.keys(graph)) {
    if (key !== 'nodes' && key !== 'edges')
      add('unknown-key', ['graph', key], 'unknown key (graph has only "nodes" and "edges")');
  }
  const nodes = graph['nodes'];
  const edges = graph['edges'];
  if (!Array.isArray(nodes))
    add(
      nodes === undefined ? 'missing-key' : 'wrong-type',
      ['graph', 'nodes'],
      nodes === undefined ? 'missing: a list of nodes is required (it may be empty)' : `must be a list (got ${describe(nodes)})`,
    );
  if (!Array.isArray(edges))
    add(
      edges === undefined ? 'missing-key' : 'wrong-type',
      ['graph', 'edges'],
      edges === undefined ? 'missing: a list of edges is required (it may be empty)' : `must be a list (got ${describe(edges)})`,
    );
  if (Array.isArray(nodes)) {
    for (let i = 0; i < nodes.length; i++) if (!checkNode(nodes[i], ['graph', 'nodes', i], add, strict)) return issues;
  }
  if (Array.isArray(edges)) {
    for (let i = 0; i < edges.length; i++) if (!checkEdge(edges[i], ['graph', 'edges', i], add, strict)) return issues;
  }
  return issues;
}

type Add = (code: IssueCode, path: readonly PathSegment[], message: string) => boolean;

function checkNode(node: unknown, path: PathSegment[], add: Add, strict: StrictRules | undefined): boolean {
  if (!isRecord(node)) return add('wrong-type', path, `a node must be an object with "id" and "kinds" (got ${describe(node)})`);
  let ok = true;
  for (const key of Object.keys(node)) {
    if (key !== 'id' && key !== 'kinds' && key !== 'properties')
      ok &&= add('unknown-key', [...path, key], 'unknown key (a node has "id", "kinds" and "properties")');
  }
  const id = node['id'];
  if (typeof id !== 'string' || id === '')
    ok &&= add(
      id === undefined ? 'missing-key' : 'wrong-type',
      [...path, 'id'],
      id === undefined ? 'missing: every node needs a string id' : `must be a non-empty string (got ${describe(id)})`,
    );
  else if (strict !== undefined && id.includes(':'))
    ok &&= add('bad-id', [...path, 'id'], `must not contain ":" (got ${JSON.stringify(id)})`);
  const kinds = node['kinds'];
  if (!Array.isArray(kinds))
    ok &&= add(
      kinds === undefined ? 'missing-key' : 'wrong-type',
      [...path, 'kinds'],
      kinds === undefined ? 'missing: every node needs a list of kinds' : `must be a list of strings (got ${describe(kinds)})`,
    );
  else {
    if (kinds.length > MAX_NODE_KINDS)
      ok &&= add('out-of-range', [...path, 'kinds'], `at most ${MAX_NODE_KINDS} kinds per node (got ${kinds.length})`);
    if (strict !== undefined && kinds.length === 0) ok &&= add('out-of-range', [...path, 'kinds'], 'must name at least one kind');
    kinds.forEach((kind: unknown, k) => {
      if (typeof kind !== 'string' || kind === '')
        ok &&= add('wrong-type', [...path, 'kinds', k], `must be a non-empty string (got ${describe(kind)})`);
      else if (strict !== undefined && !namespaced(kind, strict))
        ok &&= add(
          'not-namespaced',
          [...path, 'kinds', k],
          `must start with "${strict.namespace}_" (got ${JSON.stringify(kind)})`,
        );
    });
  }
  return ok && checkProperties(node['properties'], [...path, 'properties'], add, strict, true);
}

function checkEdge(edge: unknown, path: PathSegment[], add: Add, strict: StrictRules | undefined): boolean {
  if (!isRecord(edge))
    return add('wrong-type', path, `an edge must be an object with "kind", "start" and "end" (got ${describe(edge)})`);
  let ok = true;
  for (const key of Object.keys(edge)) {
    if (key !== 'kind' && key !== 'start' && key !== 'end' && key !== 'properties')
      ok &&= add('unknown-key', [...path, key], 'unknown key (an edge has "kind", "start", "end" and "properties")');
  }
  const kind = edge['kind'];
  if (typeof kind !== 'string' || !EDGE_KIND_PATTERN.test(kind)) {
    ok &&= add(
      kind === undefined ? 'missing-key' : typeof kind === 'string' ? 'bad-format' : 'wrong-type',
      [...path, 'kind'],
      kind === undefined ? 'missing: every edge needs a kind' : `must be letters, digits and _ (got ${describe(kind)})`,
    );
  } else if (strict !== undefined && !namespaced(kind, strict))
    ok &&= add('not-namespaced', [...path, 'kind'], `must start with "${strict.namespace}_" (got ${JSON.stringify(kind)})`);
  for (const end of ['start', 'end'] as const) ok &&= checkEndpoint(edge[end], [...path, end], add);
  return ok && checkProperties(edge['properties'], [...path, 'properties'], add, strict, false);
}

function checkEndpoint(endpoint: unknown, path: PathSegment[], add: Add): boolean {
  if (!isRecord(endpoint))
    return add(
      endpoint === undefined ? 'missing-key' : 'wrong-type',
      path,
      endpoint === undefined
        ? 'missing: an edge needs a start and an end ({"value": "<node id>"})'
        : `must be an object like {"value": "<node id>"} (got ${describe(endpoint)})`,
    );
  let ok = true;
  for (const key of Object.keys(endpoint)) {
    if (key !== 'match_by' && key !== 'value' && key !== 'property_matchers' && key !== 'kind')
      ok &&= add(
        'unknown-key',
        [...path, key],
        'unknown key (an endpoint has "match_by", "value", "property_matchers" and "kind")',
      );
  }
  const matchBy = endpoint['match_by'] ?? 'id';
  if (matchBy !== 'id' && matchBy !== 'property' && matchBy !== 'name')
    return add('unknown-value', [...path, 'match_by'], `must be "id", "property" or "name" (got ${describe(matchBy)})`);
  const kind = endpoint['kind'];
  if (kind !== undefined && (typeof kind !== 'string' || kind === ''))
    ok &&= add('wrong-type', [...path, 'kind'], `must be a non-empty string (got ${describe(kind)})`);
  if (matchBy === 'property') {
    const matchers = endpoint['property_matchers'];
    if (!Array.isArray(matchers) || matchers.length === 0)
      return add(
        matchers === undefined ? 'missing-key' : 'wrong-type',
        [...path, 'property_matchers'],
        'must be a non-empty list of {key, operator: "equals", value} when match_by is "property"',
      );
    matchers.forEach((m: unknown, i) => {
      if (!isRecord(m) || typeof m['key'] !== 'string' || m['operator'] !== 'equals' || !isPrimitive(m['value'])) {
        ok &&= add(
          'wrong-type',
          [...path, 'property_matchers', i],
          `must be {key: string, operator: "equals", value: string|number|boolean} (got ${describe(m)})`,
        );
      }
    });
    return ok;
  }
  const value = endpoint['value'];
  if (typeof value !== 'string' || value === '')
    ok &&= add(
      value === undefined ? 'missing-key' : 'wrong-type',
      [...path, 'value'],
      value === undefined
        ? 'missing: the id (or name) of the node this edge connects'
        : `must be a non-empty string (got ${describe(value)})`,
    );
  return ok;
}

function checkProperties(
  props: unknown,
  path: PathSegment[],
  add: Add,
  strict: StrictRules | undefined,
  isNode: boolean,
): boolean {
  if (props === undefined || props === null) return true;
  if (!isRecord(props)) return add('wrong-type', path, `must be an object of flat values (got ${describe(props)})`);
  let ok = true;
  for (const [key, value] of Object.entries(props)) {
    if (isNode && key === 'objectid')
      ok &&= add('reserved-key', [...path, key], 'reserved: BloodHound sets objectid from the node id');
    if (strict !== undefined && key !== key.toLowerCase())
      ok &&= add('bad-name', [...path, key], 'property names should be lowercase');
    if (isPrimitive(value)) {
      if (typeof value === 'number' && !Number.isFinite(value))
        ok &&= add('out-of-range', [...path, key], `must be a finite number (got ${String(value)})`);
      continue;
    }
    if (Array.isArray(value)) {
      const types = new Set(value.map((v: unknown) => (isPrimitive(v) ? typeof v : 'other')));
      if (types.has('other'))
        ok &&= add(
          'nested-value',
          [...path, key],
          'arrays may hold only strings, numbers or booleans (no objects, arrays or null)',
        );
      else if (types.size > 1)
        ok &&= add('mixed-array', [...path, key], `arrays must be homogeneous (got ${[...types].sort().join(' and ')})`);
      continue;
    }
    ok &&= add(
      'nested-value',
      [...path, key],
      `nested values are not allowed: a property is a string, number, boolean or a list of one of those (got ${describe(value)})`,
    );
  }
  return ok;
}

function namespaced(name: string, strict: StrictRules): boolean {
  return name.startsWith(`${strict.namespace}_`) && name.length > strict.namespace.length + 1;
}

function isPrimitive(value: unknown): value is OgPrimitive {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined)
    return String(value);
  return typeof value; // functions and symbols: not in parsed JSON
}

/**
 * Checks an extension definition schema (graph-definition.mdx): `schema` {name, display_name, version
 * `vX.Y.Z`, namespace}; `node_kinds` and `relationship_kinds` lists whose names are unique, start with
 * `<namespace>_`, say more than the namespace, and do not use the reserved `TAG` prefix; colours are
 * `#RGB` or `#RRGGBB`; `is_traversable` and `is_display_kind` are booleans.
 */
export function checkExtensionSchema(value: unknown): OgIssue[] {
  const issues: OgIssue[] = [];
  const add = (code: IssueCode, path: readonly PathSegment[], message: string): void => void issues.push({ code, path, message });
  if (!isRecord(value)) return [{ code: 'wrong-type', path: [], message: 'must be a JSON object' }];
  for (const key of Object.keys(value)) {
    if (!['schema', 'node_kinds', 'relationship_kinds', 'environments', 'relationship_findings'].includes(key))
      add('unknown-key', [key], 'unknown key');
  }
  const schema = value['schema'];
  let namespace = '';
  if (!isRecord(schema))
    add(schema === undefined ? 'missing-key' : 'wrong-type', ['schema'], 'missing: {name, display_name, version, namespace}');
  else {
    for (const key of ['name', 'display_name', 'version', 'namespace']) {
      if (typeof schema[key] !== 'string' || schema[key] === '')
        add(schema[key] === undefined ? 'missing-key' : 'wrong-type', ['schema', key], 'required string');
    }
    if (typeof schema['version'] === 'string' && !/^v\d+\.\d+\.\d+$/.test(schema['version']))
      add('bad-format', ['schema', 'version'], 'must be a version like v1.0.0');
    namespace = typeof schema['namespace'] === 'string' ? schema['namespace'] : '';
    if (namespace.toUpperCase() === 'TAG') add('reserved-name', ['schema', 'namespace'], 'TAG is reserved for Privilege Zones');
  }
  const names = new Set<string>();
  const checkName = (path: PathSegment[], name: unknown): void => {
    if (typeof name !== 'string') return add(name === undefined ? 'missing-key' : 'wrong-type', path, 'required string');
    if (!name.startsWith(`${namespace}_`) || name.length <= namespace.length + 1)
      add('not-namespaced', path, `must be "${namespace}_<Name>"`);
    if (names.has(name)) add('duplicate-name', path, `duplicate name ${JSON.stringify(name)}`);
    names.add(name);
  };
  for (const list of ['node_kinds', 'relationship_kinds'] as const) {
    const items = value[list];
    if (!Array.isArray(items)) {
      add(items === undefined ? 'missing-key' : 'wrong-type', [list], 'required list');
      continue;
    }
    items.forEach((item: unknown, i) => {
      if (!isRecord(item)) return add('wrong-type', [list, i], 'must be an object');
      checkName([list, i, 'name'], item['name']);
      if (list === 'node_kinds' && typeof item['display_name'] !== 'string')
        add(item['display_name'] === undefined ? 'missing-key' : 'wrong-type', [list, i, 'display_name'], 'required string');
      if (
        item['color'] !== undefined &&
        (typeof item['color'] !== 'string' || !/^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$/.test(item['color']))
      )
        add('bad-format', [list, i, 'color'], 'must be #RGB or #RRGGBB');
      for (const flag of ['is_traversable', 'is_display_kind']) {
        if (item[flag] !== undefined && typeof item[flag] !== 'boolean') add('wrong-type', [list, i, flag], 'must be a boolean');
      }
    });
  }
  return issues;
}
