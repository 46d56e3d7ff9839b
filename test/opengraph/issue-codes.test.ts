/** Every OpenGraph input problem carries a code: the format checker, the reader (files and zips) and profiles. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { checkExtensionSchema, checkOpenGraph } from '../../src/import/opengraph-format.js';
import { loadProfile, parseProfile } from '../../src/import/opengraph-profile.js';
import { readOpenGraphInputs } from '../../src/import/opengraph-read.js';
import { importOpenGraphSource } from '../../src/import/opengraph-source.js';
import { issuesOf } from '../issues.js';

const graph = (nodes: unknown[], edges: unknown[] = []) => ({ graph: { nodes, edges } });
const node = (extra: Record<string, unknown> = {}) => ({ id: 'a', kinds: ['K'], ...extra });
const edge = (extra: Record<string, unknown> = {}) => ({ kind: 'E', start: { value: 'a' }, end: { value: 'a' }, ...extra });
const codes = (issues: readonly { path: readonly (string | number)[]; code: string }[]) =>
  issues.map((i) => `${i.path.join('.')}: ${i.code}`);

const dir = mkdtempSync(join(tmpdir(), 'blastlab-og-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: string | Uint8Array): string => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};

describe('import/opengraph-format codes', () => {
  it.each<[string, unknown, string[]]>([
    ['a list', [], [': not-an-opengraph-payload']],
    ['the legacy format', { data: [], meta: {} }, [': not-an-opengraph-payload']],
    ['an unknown top-level key', { ...graph([]), extra: 1 }, ['extra: unknown-key']],
    ['metadata that is not an object', { ...graph([]), metadata: 5 }, ['metadata: wrong-type']],
    ['no graph', {}, ['graph: missing-key']],
    ['nodes that are not a list', { graph: { nodes: {}, edges: [] } }, ['graph.nodes: wrong-type']],
    ['a node without id', graph([{ kinds: ['K'] }]), ['graph.nodes.0.id: missing-key']],
    ['four kinds', graph([node({ kinds: ['A', 'B', 'C', 'D'] })]), ['graph.nodes.0.kinds: out-of-range']],
    [
      'objectid in properties',
      graph([node({ properties: { objectid: 'x' } })]),
      ['graph.nodes.0.properties.objectid: reserved-key'],
    ],
    ['a nested property', graph([node({ properties: { tags: { x: 1 } } })]), ['graph.nodes.0.properties.tags: nested-value']],
    ['a list of objects', graph([node({ properties: { tags: [{}] } })]), ['graph.nodes.0.properties.tags: nested-value']],
    ['a mixed list', graph([node({ properties: { tags: [1, 'a'] } })]), ['graph.nodes.0.properties.tags: mixed-array']],
    ['an edge kind with a dash', graph([node()], [edge({ kind: 'a-b' })]), ['graph.edges.0.kind: bad-format']],
    [
      'an unknown match_by',
      graph([node()], [edge({ start: { match_by: 'x', value: 'a' } })]),
      ['graph.edges.0.start.match_by: unknown-value'],
    ],
  ])('should code %s', (_, payload, expected) => {
    expect(codes(checkOpenGraph(payload))).toEqual(expected);
  });

  it('should code the stricter output rules: namespaces, colons in ids, lowercase property names', () => {
    const payload = graph([
      node({ id: 'a:b', kinds: ['BL_Agent'], properties: { Name: 'x' } }),
      node({ id: 'c', kinds: ['Agent'] }),
    ]);
    expect(codes(checkOpenGraph(payload, { namespace: 'BL' }))).toEqual([
      'graph.nodes.0.id: bad-id',
      'graph.nodes.0.properties.Name: bad-name',
      'graph.nodes.1.kinds.0: not-namespaced',
    ]);
  });

  it('should code the extension schema rules', () => {
    const schema = {
      schema: { name: 'x', display_name: 'X', version: '1.0', namespace: 'TAG' },
      node_kinds: [
        { name: 'TAG_A', display_name: 'a', color: 'red' },
        { name: 'TAG_A', display_name: 'a' },
        { name: 'Other', display_name: 'o' },
      ],
    };
    expect(codes(checkExtensionSchema(schema))).toEqual([
      'schema.version: bad-format',
      'schema.namespace: reserved-name',
      'node_kinds.0.color: bad-format',
      'node_kinds.1.name: duplicate-name',
      'node_kinds.2.name: not-namespaced',
      'relationship_kinds: missing-key',
    ]);
  });
});

describe('import/opengraph-read codes', () => {
  const read = (...paths: string[]) => {
    const r = readOpenGraphInputs(paths);
    return r.ok ? [] : r.issues.map((i) => i.code);
  };

  it('should code unreadable, empty and non-JSON files', () => {
    expect(read(join(dir, 'absent.json'))).toEqual(['unreadable']);
    expect(read(file('blank.json', '  \n'))).toEqual(['empty-file']);
    expect(read(file('broken.json', '{"graph": {,}}'))).toEqual(['syntax-error']);
  });

  it('should code a broken zip, an empty zip, a nested zip and a member that is not JSON', () => {
    expect(read(file('broken.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)])))).toEqual([
      'bad-zip',
    ]);
    expect(read(file('empty.zip', zipSync({ 'folder/': new Uint8Array() })))).toEqual(['empty-zip']);
    expect(read(file('mixed.zip', zipSync({ 'inner.zip': zipSync({}), 'notes.txt': strToU8('hi') })))).toEqual([
      'nested-zip',
      'not-a-json-payload',
    ]);
  });

  it('should code an edge endpoint that matches no node, and an input with no nodes', () => {
    const dangling = file('dangling.json', JSON.stringify(graph([node()], [edge({ end: { value: 'b' } })])));
    expect(issuesOf(() => importOpenGraphSource([dangling])).map((i) => `${i.path}: ${i.code}`)).toEqual([
      'graph.edges[0].end: unknown-reference',
    ]);
    expect(issuesOf(() => importOpenGraphSource([file('none.json', JSON.stringify(graph([])))])).map((i) => i.code)).toEqual([
      'nothing-to-model',
    ]);
  });
});

describe('import/opengraph-profile codes', () => {
  it('should code an unknown profile and each profile rule', () => {
    expect(issuesOf(() => loadProfile(join(dir, 'no-such-profile.yaml'))).map((i) => i.code)).toEqual(['unknown-profile']);
    const profile = [
      'name: p',
      'nodes:',
      '  X_A: {kind: resource, attributes: {type: pat}}',
      'edges:',
      '  X_G: {as: grants}',
      '  X_H: {as: holds, actions: [read]}',
    ].join('\n');
    expect(issuesOf(() => parseProfile(profile, 'p.yaml')).map((i) => `${i.path}: ${i.code}`)).toEqual([
      'nodes.X_A.attributes.type: unknown-key',
      'edges.X_G.actions: missing-key',
      'edges.X_H.actions: not-allowed',
    ]);
  });
});
