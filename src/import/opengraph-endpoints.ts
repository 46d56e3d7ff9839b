/**
 * Endpoint matching of OpenGraph edges (edges.mdx): by node id (the default), by property matchers
 * (every `{key, operator: "equals", value}` must hold), or by the deprecated `name` (BloodHound
 * upper-cases names at ingest, so the match ignores case); optionally restricted to a node kind.
 * Property indexes are built once per key, on first use.
 */
import type { OgEndpoint, OgPrimitive, OgValue } from './opengraph-format.js';

/** What the resolver needs of a node: its kinds and its (merged) properties. */
export interface ResolvableNode {
  readonly kinds: readonly string[];
  readonly properties: Readonly<Record<string, OgValue>>;
}

/** A message for an endpoint that matches nothing. */
export function describeEndpoint(endpoint: OgEndpoint): string {
  const kind = endpoint.kind === undefined ? '' : ` of kind ${endpoint.kind}`;
  if (endpoint.match_by === 'property') {
    return `no node${kind} has ${endpoint.property_matchers!.map((m) => `${m.key} = ${JSON.stringify(m.value)}`).join(' and ')}`;
  }
  return `no node${kind} with ${endpoint.match_by === 'name' ? 'name' : 'id'} ${JSON.stringify(endpoint.value)} in the input`;
}

/** Finds the nodes an endpoint matches (id, property matchers, or the deprecated name). */
export class EndpointResolver {
  private readonly byProperty = new Map<string, Map<string, number[]>>();
  /** `[i]` for node i, made once: id endpoints (nearly all of them) allocate nothing. */
  private readonly singles: (readonly number[])[] = [];

  constructor(
    private readonly entries: readonly ResolvableNode[],
    private readonly byId: ReadonlyMap<string, number>,
  ) {}

  /** The indexes of the matching nodes (read only: shared between calls). */
  resolve(endpoint: OgEndpoint): readonly number[] {
    let found: readonly number[];
    switch (endpoint.match_by ?? 'id') {
      case 'id': {
        const i = this.byId.get(endpoint.value!);
        found = i === undefined ? NONE : (this.singles[i] ??= [i]);
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
    return kind === undefined ? found : found.filter((i) => this.entries[i]!.kinds.includes(kind));
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

const NONE: readonly number[] = [];

function keyOf(value: OgPrimitive | undefined): string {
  return `${typeof value}:${String(value)}`;
}
