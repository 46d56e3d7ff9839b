/**
 * Step 4 of the boundary, for edges: every edge resolved to a frozen record with its deterministic key
 * `<kind>:<from>-><to>#<n>`, cheap enough for a million of them (resolve.ts resolves the rest).
 */
import { actionMask, maskActions } from '../domain/actions.js';
import { ACTIONS, EDGE_KINDS, type Action, type ScenarioEdge } from '../domain/scenario.js';
import type { EdgeInput } from './schema.js';

/**
 * A resolved edge. Its key is derived when read, not stored: a million-edge estate would otherwise
 * hold a million key strings (about 165 MB) that only graph views read. `repeat` (how many earlier
 * edges have the same kind, from and to) is an own property only on repeats, and not enumerable, so
 * a resolved edge's own fields are `{kind, from, to, actions}`: a spread copy has no key.
 */
class ResolvedEdge implements ScenarioEdge {
  declare readonly repeat: number;
  constructor(
    readonly kind: ScenarioEdge['kind'],
    readonly from: string,
    readonly to: string,
    readonly actions: readonly Action[],
  ) {}
  get key(): string {
    return `${this.kind}:${this.from}->${this.to}#${this.repeat}`;
  }
  /** JSON (API users, `--json` outputs) shows the key like any other field. */
  toJSON(): ScenarioEdge {
    return { key: this.key, kind: this.kind, from: this.from, to: this.to, actions: this.actions };
  }
}
Object.defineProperty(ResolvedEdge.prototype, 'repeat', { value: 0 });

/**
 * Edges with deterministic keys `<kind>:<from>-><to>#<n>` (n counts repeats of the triple in file
 * order). `nodes` are the resolved nodes, which every edge end names (the references are checked):
 * an edge's ends share their id strings instead of keeping the parser's copies alive (two per edge).
 */
export function resolveEdges(inputs: readonly EdgeInput[], nodes: readonly { readonly id: string }[]): ScenarioEdge[] {
  const indexOf = new Map<string, number>();
  nodes.forEach((node, i) => indexOf.set(node.id, i));
  const at = (id: string): number => {
    const i = indexOf.get(id);
    if (i === undefined) throw new Error(`resolveEdges: unknown node "${id}"`);
    return i;
  };
  const ends = new Int32Array(inputs.length * 2);
  inputs.forEach((edge, e) => {
    ends[2 * e] = at(edge.from);
    ends[2 * e + 1] = at(edge.to);
  });
  const repeats = repeatCounts(inputs, ends, nodes.length);
  // One shared, frozen action list per combination (ACTIONS order), not one array per edge.
  const lists = Array.from({ length: actionMask(ACTIONS) + 1 }, (_, mask): readonly Action[] => Object.freeze(maskActions(mask)));
  const none = lists[0]!;
  return inputs.map((edge, e) => {
    const resolved = new ResolvedEdge(
      edge.kind,
      nodes[ends[2 * e]!]!.id,
      nodes[ends[2 * e + 1]!]!.id,
      edge.kind === 'grants' ? lists[actionMask(edge.actions ?? [])]! : none,
    );
    const n = repeats?.[e] ?? 0;
    if (n > 0) Object.defineProperty(resolved, 'repeat', { value: n });
    // Frozen here (its action list is shared and frozen already), so deepFreeze skips a million walks.
    return Object.freeze(resolved);
  });
}

/**
 * Per edge, how many earlier edges (in file order) have its kind, source and target; null when no
 * triple repeats (the usual case). Each triple is a number (exact below 2^53: up to 33 million
 * nodes), so a sorted copy of a million of them finds the repeats without a map entry per edge.
 */
function repeatCounts(inputs: readonly EdgeInput[], ends: Int32Array, nodeCount: number): Uint32Array | null {
  const kinds = EDGE_KINDS.length;
  const tripleOf = (e: number): number =>
    (ends[2 * e]! * nodeCount + ends[2 * e + 1]!) * kinds + EDGE_KINDS.indexOf(inputs[e]!.kind);
  if (nodeCount * nodeCount * kinds >= Number.MAX_SAFE_INTEGER) throw new Error('resolveEdges: too many nodes');
  const triples = new Float64Array(inputs.length);
  for (let e = 0; e < inputs.length; e++) triples[e] = tripleOf(e);
  const sorted = triples.slice().sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  if (repeated.size === 0) return null;
  const seen = new Map<number, number>();
  const counts = new Uint32Array(inputs.length);
  for (let e = 0; e < inputs.length; e++) {
    const triple = triples[e]!;
    if (!repeated.has(triple)) continue;
    const n = seen.get(triple) ?? 0;
    counts[e] = n;
    seen.set(triple, n + 1);
  }
  return counts;
}
