/**
 * The plain scenario object every importer builds (the input format of docs/DESIGN.md §1, as
 * `ScenarioInput`), with what each importer needs in one place: nodes and edges deduplicated, ids made
 * valid, output sorted so the file does not depend on the order of entries in the source, and a
 * summary of what was mapped and what was ignored.
 */
import type { AttackInput, EdgeInput, NodeInput, PolicyEntryInput, ScenarioInput, TaskInput } from '../scenario/schema.js';

/** The object an importer returns: an ordinary scenario document. */
export type ScenarioDoc = ScenarioInput;

/** Counts of what an importer mapped and ignored, and notes to print. */
export interface ImportSummary {
  readonly source: string;
  /** What became part of the scenario, e.g. `jobs → agents: 12`. */
  readonly mapped: Record<string, number>;
  /** What was seen but not modelled, e.g. `statements with Condition (not evaluated)`. */
  readonly ignored: Record<string, number>;
  readonly notes: string[];
}

/** An importer's result. */
export interface ImportResult {
  readonly scenario: ScenarioDoc;
  readonly summary: ImportSummary;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const MAX_ID = 200;

/** A valid node id from arbitrary text: disallowed characters become `_`, long ids keep a hash suffix. */
export function toId(text: string): string {
  let id = text.replace(/[^A-Za-z0-9._:/@+-]/g, '_');
  if (!/^[A-Za-z0-9]/.test(id)) id = `x${id}`;
  if (id.length > MAX_ID) id = `${id.slice(0, MAX_ID - 9)}~${hash(text)}`;
  return ID_PATTERN.test(id) ? id : `x${hash(text)}`;
}

/** A valid attack name (`[A-Za-z0-9][A-Za-z0-9._+-]*`, ≤ 100) from arbitrary text. */
export function toName(text: string): string {
  let name = text.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (name === '') name = 'attack';
  return name.length > 100 ? `${name.slice(0, 91)}-${hash(text)}` : name;
}

/** A short stable hash (FNV-1a, 8 hex digits): for ids that must be shortened. */
export function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Collects nodes and edges; the first definition of a node wins, repeated edges merge their actions. */
export class ScenarioBuilder {
  private readonly nodes = new Map<string, NodeInput>();
  private readonly edges = new Map<string, EdgeInput>();
  readonly summary: ImportSummary;

  constructor(source: string) {
    this.summary = { source, mapped: {}, ignored: {}, notes: [] };
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  node(id: string): NodeInput | undefined {
    return this.nodes.get(id);
  }

  /** Adds a node unless one with the same id exists; returns the id. */
  add(node: NodeInput): string {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
    return node.id;
  }

  /** Adds an edge (self-loops dropped); `grants` repeats merge their actions. */
  edge(kind: EdgeInput['kind'], from: string, to: string, actions?: readonly ('read' | 'write' | 'admin')[]): void {
    if (from === to) return;
    const key = `${kind}\u0000${from}\u0000${to}`;
    const existing = this.edges.get(key);
    if (kind !== 'grants') {
      if (existing === undefined) this.edges.set(key, { from, to, kind });
      return;
    }
    const merged = new Set([...(existing?.actions ?? []), ...(actions ?? ['read'])]);
    this.edges.set(key, { from, to, kind, actions: (['read', 'write', 'admin'] as const).filter((a) => merged.has(a)) });
  }

  /** Counts something mapped. */
  mapped(what: string, n = 1): void {
    this.summary.mapped[what] = (this.summary.mapped[what] ?? 0) + n;
  }

  /** Counts something seen but not modelled. */
  ignored(what: string, n = 1): void {
    this.summary.ignored[what] = (this.summary.ignored[what] ?? 0) + n;
  }

  /** Nodes sorted by kind (agents, tools, resources, credentials) then id; edges by kind, from, to. */
  build(
    head: Omit<ScenarioDoc, 'nodes' | 'edges' | 'workload' | 'attacks' | 'policies'>,
    rest: { workload: TaskInput[]; attacks: AttackInput[]; policies: Record<string, PolicyEntryInput> },
  ): ScenarioDoc {
    const order = { agent: 0, tool: 1, resource: 2, credential: 3 } as const;
    const nodes = [...this.nodes.values()].sort((a, b) => order[a.kind] - order[b.kind] || byString(a.id, b.id));
    const edgeOrder = { holds: 0, grants: 1, invokes: 2, assumes: 3, runs: 4, issues: 5 } as const;
    const edges = [...this.edges.values()].sort(
      (a, b) => edgeOrder[a.kind] - edgeOrder[b.kind] || byString(a.from, b.from) || byString(a.to, b.to),
    );
    return { ...head, nodes, edges, workload: rest.workload, attacks: rest.attacks, policies: rest.policies };
  }
}

/** A scenario name (`[a-z0-9][a-z0-9._-]*`, ≤ 100). */
export function toScenarioName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100);
  return name === '' ? 'imported' : name;
}

/** The newest createdAt / lastRotatedAt / lastUsedAt of the nodes (a default `asOf`), or undefined. */
export function newestTimestamp(nodes: readonly NodeInput[]): string | undefined {
  let best: string | undefined;
  let bestMs = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    if (n.kind !== 'credential') continue;
    for (const t of [n.createdAt, n.lastRotatedAt, n.lastUsedAt]) {
      if (t === undefined) continue;
      const ms = Date.parse(t);
      if (ms > bestMs) {
        bestMs = ms;
        best = t;
      }
    }
  }
  return best;
}
