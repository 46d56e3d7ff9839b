import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edgeSchema, isSchemaEdge } from '../../src/scenario/schema.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { resolveEdges } from '../../src/scenario/resolve-edges.js';
import { EDGE_KINDS } from '../../src/domain/scenario.js';
import { runs } from '../runs.js';

const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,30}$/);
const badIds = ['a'.repeat(201), '', '-lead', 'has space', 'é', 'a\n', 7, null, undefined, ['a'], { id: 'a' }] as const;
const validEdge = fc.record(
  {
    from: validId,
    to: fc.oneof(validId, fc.constant('a'.repeat(200))),
    kind: fc.constantFrom(...EDGE_KINDS),
    actions: fc.array(fc.constantFrom('read', 'write', 'admin'), { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ['from', 'to', 'kind'] },
);
/** Action lists the schema refuses; the last has a hole (index 0 unset). */
const badActions = [
  [],
  ['read', 'execute'],
  ['READ'],
  [1],
  [null],
  'read',
  null,
  undefined,
  { 0: 'read', length: 1 },
  Object.assign(new Array<unknown>(2), { 1: 'read' }),
];
/** A valid edge, or one broken in one way (each way the schema refuses, or a shape it would copy differently). */
const edgeLikeArb = fc.tuple(validEdge, fc.nat(), fc.nat()).map(([edge, how, pick]): unknown => {
  const e = { ...edge } as Record<string, unknown>;
  switch (how % 9) {
    case 0:
      return e;
    case 1:
      return { ...e, from: badIds[pick % badIds.length] };
    case 2:
      return { ...e, to: badIds[pick % badIds.length] };
    case 3:
      return { ...e, kind: ['owns', 'Holds', '', 3, undefined][pick % 5] };
    case 4:
      return { ...e, actions: badActions[pick % badActions.length] };
    case 5:
      return { ...e, [['extra', 'action', 'key', 'actions '][pick % 4]!]: 'x' };
    case 6: {
      const { from: _from, to: _to, kind: _kind, ...rest } = e;
      return [
        { ...rest, to: e['to'], kind: e['kind'] },
        { ...rest, from: e['from'], kind: e['kind'] },
        { ...rest, from: e['from'], to: e['to'] },
      ][pick % 3];
    }
    case 7:
      return Object.assign(pick % 2 === 0 ? (Object.create(null) as object) : new (class Edge {})(), e);
    default:
      return [[e], null, 'edge', 3][pick % 4];
  }
});

describe('scenario/schema isSchemaEdge (edges validated in place)', () => {
  it('should accept only what the edge schema accepts and copies unchanged', () => {
    fc.assert(
      fc.property(edgeLikeArb, (value) => {
        if (!isSchemaEdge(value)) return;
        const parsed = edgeSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        if (parsed.success) {
          expect(parsed.data).toEqual(value);
          expect(Object.keys(parsed.data).sort()).toEqual(Object.keys(value).sort());
        }
      }),
      runs(3000),
    );
  });

  it('should accept every valid edge a file can hold, so big files take the in-place path', () => {
    const valid = fc.record(
      {
        from: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/),
        to: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/),
        kind: fc.constantFrom(...EDGE_KINDS),
        actions: fc.array(fc.constantFrom('read', 'write', 'admin'), { minLength: 1, maxLength: 4 }),
      },
      { requiredKeys: ['from', 'to', 'kind'] },
    );
    fc.assert(
      fc.property(valid, (edge) => {
        // As a file gives it: parsed from JSON.
        const value: unknown = JSON.parse(JSON.stringify(edge));
        expect(edgeSchema.safeParse(value).success).toBe(true);
        expect(isSchemaEdge(value)).toBe(true);
      }),
    );
  });
});

describe('scenario/resolve edges', () => {
  const file = (edges: string): string => `
name: edges
nodes:
  - {id: a, kind: agent}
  - {id: c, kind: credential}
  - {id: r, kind: resource}
edges: ${edges}
attacks: [{pattern: secret-replay, credential: c, from: a, leakAt: 1h}]
policies: {p: {kind: persistent}}
`;

  it('should key repeats of an edge by their order in the file, and show the key in JSON', () => {
    const r = parseScenarioText(
      file('[{from: a, to: c, kind: holds}, {from: c, to: r, kind: grants, actions: [read]}, {from: a, to: c, kind: holds}]'),
      'e.yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const edges = r.scenario.edges;
    expect(edges.map((e) => e.key)).toEqual(['holds:a->c#0', 'grants:c->r#0', 'holds:a->c#1']);
    // The key is derived, not an own field: the record is its four fields.
    expect(Object.keys(edges[1]!).sort()).toEqual(['actions', 'from', 'kind', 'to']);
    expect(JSON.parse(JSON.stringify(edges[2]))).toEqual({ key: 'holds:a->c#1', kind: 'holds', from: 'a', to: 'c', actions: [] });
    expect(Object.isFrozen(edges[0])).toBe(true);
  });

  it('should report a bad edge among good ones where it is (the schema, not the in-place check, names it)', () => {
    const r = parseScenarioText(
      file('[{from: a, to: c, kind: holds}, {from: c, to: r, kind: grants, actions: []}, {from: a, to: c, kind: hold}]'),
      'e.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['edges[1].actions', 'edges[2].kind']);
  });

  it('should number repeats of a triple in file order, whatever else repeats around them', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const edgeArb = fc.record({
      from: fc.constantFrom(...ids),
      to: fc.constantFrom(...ids),
      kind: fc.constantFrom(...EDGE_KINDS),
    });
    fc.assert(
      fc.property(fc.array(edgeArb, { maxLength: 60 }), (edges) => {
        const seen = new Map<string, number>();
        const expected = edges.map((e) => {
          const triple = `${e.kind}:${e.from}->${e.to}`;
          const n = seen.get(triple) ?? 0;
          seen.set(triple, n + 1);
          return `${triple}#${n}`;
        });
        const nodes = ids.map((id) => ({ id }));
        expect(resolveEdges(edges, nodes).map((e) => e.key)).toEqual(expected);
      }),
    );
  });
});
