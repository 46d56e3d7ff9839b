import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { exportOpenGraph } from '../../src/export/opengraph.js';
import { importOpenGraph, type OpenGraphFragment } from '../../src/import/opengraph.js';
import { GENERIC_PROFILE, loadProfile, parseProfile } from '../../src/import/opengraph-profile.js';
import { readPayload, type OgMember } from '../../src/import/opengraph-read.js';
import { ADMIN } from '../../src/domain/actions.js';
import { compile } from '../../src/model/compile.js';
import { staticReach } from '../../src/model/static-reach.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import type { ResourceRecord, Scenario, ScenarioEdge, ScenarioNode } from '../../src/domain/scenario.js';
import { runTrial } from '../../src/sim/trial.js';
import { ephemeral, hybrid, persistent, plainEdges, scenario as buildScenario } from '../arbitraries/build.js';
import { attackArb, estateArb } from '../arbitraries/scenario.js';
import { runs } from '../runs.js';

const blastlab = loadProfile('blastlab');
const github = loadProfile('github');

function members(texts: readonly { name: string; text: string }[]): OgMember[] {
  return texts.flatMap(({ name, text }) => {
    const r = readPayload(strToU8(text), name);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.members;
  });
}

/** A fragment as a runnable scenario (one trivial attack and policy), resolved by the real loader. */
function resolve(fragment: OpenGraphFragment, withProvenance = false): Scenario {
  const strip = (n: Record<string, unknown>): Record<string, unknown> => {
    if (withProvenance) return n;
    const { provenance: _, ...rest } = n;
    return rest;
  };
  const doc = {
    name: 'imported',
    ...(fragment.asOf === undefined ? {} : { asOf: fragment.asOf }),
    nodes: fragment.nodes.map(strip),
    edges: fragment.edges,
    attacks: [{ pattern: 'lateral-movement', entry: fragment.nodes[0]!['id'], at: '0s' }],
    policies: { p: { kind: 'persistent' } },
  };
  const r = parseScenarioText(JSON.stringify(doc), 'imported.json');
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.scenario;
}

/** Ids with every character blastlab allows and OpenGraph does not like (`:`, `/`, `@`). */
const prefixArb = fc.constantFrom('', 'ns:', 'arn:aws:iam::1/', 'team@corp/', 'a.b+c-');
function renamed(s: Scenario, prefix: string): { nodes: ScenarioNode[]; edges: ScenarioEdge[] } {
  const id = (x: string): string => `${prefix}${x}`;
  return {
    nodes: s.nodes.map((n) => ({ ...n, id: id(n.id) })),
    edges: s.edges.map((e) => ({ ...e, from: id(e.from), to: id(e.to), key: `${e.kind}:${id(e.from)}->${id(e.to)}#0` })),
  };
}

/** Node attributes the estate arbitrary leaves at their defaults: live leak sources, egress, a resource's record. */
const traitArb = fc.record({
  exposure: fc.constantFrom('snapshot', 'live'),
  egress: fc.boolean(),
  record: fc.constantFrom<ResourceRecord | undefined>(
    undefined,
    { reached: 'potential', source: null },
    { reached: 'potential', source: 'https://example.com/report#p2' },
    { reached: 'confirmed', source: 'https://example.com/incident?id=7&x=a:b' },
    { reached: 'denied', source: 'http://example.org/denial' },
  ),
});
type Trait = typeof traitArb extends fc.Arbitrary<infer T> ? T : never;
function withTraits(nodes: readonly ScenarioNode[], traits: readonly Trait[]): ScenarioNode[] {
  return nodes.map((node, i) => {
    const { exposure, egress, record } = traits[i % traits.length]!;
    if (node.kind === 'credential') return node;
    if (node.kind !== 'resource') return { ...node, exposure };
    return record === undefined ? { ...node, exposure, egress } : { ...node, exposure, egress, record };
  });
}

const randomScenario = estateArb.chain((estate) =>
  fc.tuple(attackArb(estate), fc.array(traitArb, { minLength: 1, maxLength: 7 })).map(([attack, traits]) =>
    buildScenario({
      ...estate,
      nodes: withTraits(estate.nodes, traits),
      attacks: [attack],
      policies: [persistent(), ephemeral(), hybrid()],
    }),
  ),
);

describe('import/opengraph', () => {
  it('should give back the same graph after export and import with the blastlab profile (round trip)', () => {
    fc.assert(
      fc.property(randomScenario, prefixArb, fc.integer({ min: 1, max: 6 }), (s, prefix, maxEdges) => {
        const graph = renamed(s, prefix);
        const original = { ...s, ...graph };
        const parts = exportOpenGraph(original, { maxEdges });
        const result = importOpenGraph(members(parts), { profile: blastlab });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.summary.nodes.lowered).toBe(0);
        expect(result.summary.edges.lowered).toBe(0);
        const back = resolve(result.fragment);
        expect(back.nodes).toEqual(original.nodes);
        expect(plainEdges(back.edges)).toEqual(plainEdges(original.edges));
      }),
      runs(60),
    );
  });

  it('should give the same reach under every policy after a round trip', () => {
    fc.assert(
      fc.property(randomScenario, (s) => {
        const result = importOpenGraph(members(exportOpenGraph(s)), { profile: blastlab });
        if (!result.ok) throw new Error('import failed');
        const back = resolve(result.fragment);
        const before = compile(s);
        const after = compile({ ...s, nodes: back.nodes, edges: back.edges });
        for (let p = 0; p < s.policies.length; p++) {
          for (let t = 0; t < 2; t++) expect(runTrial(after, p, 0, t)).toEqual(runTrial(before, p, 0, t));
        }
      }),
      runs(25),
    );
  });

  it('should keep a resource record only when it is valid, dropping and counting the rest', () => {
    const resource = (id: string, props: Record<string, string>): Record<string, unknown> => ({
      id: `${id}@s`,
      kinds: ['BL_Resource'],
      properties: { bl_id: id, ...props },
    });
    const og = {
      graph: {
        nodes: [
          resource('ok', { record_reached: 'confirmed', record_source: 'https://example.com/r', exposure: 'live' }),
          resource('no-source', { record_reached: 'denied' }),
          resource('bogus', { record_reached: 'maybe', record_source: 'https://example.com/r' }),
          resource('bad-exposure', { exposure: 'sometimes' }),
        ],
        edges: [],
      },
    };
    const result = importOpenGraph(members([{ name: 'g.json', text: JSON.stringify(og) }]), { profile: blastlab });
    if (!result.ok) throw new Error('import failed');
    const byId = new Map(result.fragment.nodes.map((n) => [n['id'], n]));
    expect(byId.get('ok')).toMatchObject({ record: { reached: 'confirmed', source: 'https://example.com/r' }, exposure: 'live' });
    for (const id of ['no-source', 'bogus']) expect(byId.get(id)).not.toHaveProperty('record');
    expect(byId.get('bad-exposure')).not.toHaveProperty('exposure');
    expect(result.summary.droppedValues).toEqual([
      ['BL_Resource.exposure', 1],
      ['BL_Resource.record_reached', 2],
      ['BL_Resource.record_source', 1],
    ]);
  });

  it('should never lose reachability in the generic lowering', () => {
    const graphArb = fc.record({
      kinds: fc.array(fc.constantFrom('X_User', 'X_Group', 'X_Thing'), { minLength: 2, maxLength: 8 }),
      edges: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('X_MemberOf', 'X_AdminTo', 'X_Owns')), {
        minLength: 1,
        maxLength: 14,
      }),
    });
    fc.assert(
      fc.property(graphArb, ({ kinds, edges }) => {
        const n = kinds.length;
        const og = {
          graph: {
            nodes: kinds.map((k, i) => ({ id: `n:${i}`, kinds: [k] })),
            edges: edges.map(([a, b, kind]) => ({ kind, start: { value: `n:${a % n}` }, end: { value: `n:${b % n}` } })),
          },
        };
        const result = importOpenGraph(members([{ name: 'g.json', text: JSON.stringify(og) }]), { profile: GENERIC_PROFILE });
        if (!result.ok) throw new Error('import failed');
        const s = resolve(result.fragment, true);
        const model = compile(s);
        const reach = staticReach(model);
        const indexOf = (i: number): number =>
          model.indexOf.get(s.nodes.find((node) => s.provenance[node.id]?.id === `n:${i}`)!.id)!;
        // OpenGraph reachability: transitive closure over the edges. A principal (a start of some
        // edge) is assumed, not acted on, so it is checked through what it reaches.
        const adj = Array.from({ length: n }, () => new Set<number>());
        for (const [a, b] of edges) if (a % n !== b % n) adj[a % n]!.add(b % n);
        for (let src = 0; src < n; src++) {
          const seen = new Set<number>();
          const stack = [...adj[src]!];
          while (stack.length > 0) {
            const x = stack.pop()!;
            if (seen.has(x)) continue;
            seen.add(x);
            stack.push(...adj[x]!);
          }
          const bits = reach(indexOf(src));
          for (const x of seen) {
            if (x === src || adj[x]!.size > 0) continue;
            expect(bits[indexOf(x)]! & ADMIN).toBe(ADMIN);
          }
        }
      }),
      runs(80),
    );
  });

  it('should map GitHound kinds with the github profile, timestamps included, and lower the rest', () => {
    const text = readFileSync('test/fixtures/opengraph/githound-small.json', 'utf8');
    const result = importOpenGraph(members([{ name: 'githound-small.json', text }]), { profile: github });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { fragment, summary } = result;
    const byProvenance = (id: string): Record<string, unknown> =>
      fragment.nodes.find((n) => (n['provenance'] as { id: string }).id === id)!;
    expect(byProvenance('R0hQQVQ6MTIzNDU2')).toMatchObject({
      kind: 'credential',
      type: 'github-pat',
      expiresAt: '2026-12-31T00:00:00Z',
      lastUsedAt: '2026-11-20T12:00:00Z',
      createdAt: '2025-06-01T09:00:00Z',
    });
    expect(byProvenance('GHSecret_R_kgDOInfra01_DEPLOY_TOKEN')).toMatchObject({
      kind: 'credential',
      type: 'actions-secret',
      createdAt: '2024-03-01T10:00:00Z',
      lastRotatedAt: '2025-01-15T08:30:00Z',
    });
    expect(byProvenance('R_kgDOInfra01_write')['kind']).toBe('agent'); // GH_RepoRole: unmapped principal
    expect(summary.loweredNodeKinds).toEqual([['GH_RepoRole', 1]]);
    expect(summary.loweredEdgeKinds).toEqual([
      ['GH_HasRole', 1],
      ['GH_WriteRepoContents', 1],
    ]);
    expect(summary.ignoredEdgeKinds).toEqual([
      ['GH_Contains', 1],
      ['GH_HasWorkflow', 1],
    ]);
    expect(summary.edges.byProfile).toBe(4);
    expect(fragment.asOf).toBe('2026-11-20T12:00:00Z');
    // Through the role, alice reaches the repository, hence its secret and the AWS role it may assume.
    const s = resolve(fragment, true);
    const model = compile(s);
    const alice = s.nodes.find((n) => s.provenance[n.id]?.id === 'U_kgDOAlice01')!.id;
    const repo = s.nodes.find((n) => s.provenance[n.id]?.id === 'R_kgDOInfra01')!.id;
    const bits = staticReach(model)(model.indexOf.get(alice)!);
    expect(bits[model.indexOf.get(repo)!]! & ADMIN).toBe(ADMIN);
    expect(
      s.edges.some(
        (e) => e.kind === 'holds' && e.from === repo && s.provenance[e.to]?.id === 'arn:aws:iam::111122223333:role/deploy',
      ),
    ).toBe(true);
  });

  describe('bad input', () => {
    const read = (text: string | Uint8Array, name = 'in.json') =>
      readPayload(typeof text === 'string' ? strToU8(text) : text, name);
    const issuesOf = (r: ReturnType<typeof read>) => (r.ok ? [] : r.issues);

    it('should refuse text that is not JSON, naming the file and line', () => {
      const [issue] = issuesOf(read('{\n  "graph": {,\n}'));
      expect(issue).toMatchObject({ file: 'in.json', line: 2 });
      expect(issue!.message).toMatch(/^not OpenGraph: JSON syntax error/);
    });

    it('should refuse the legacy SharpHound format and a payload without graph.nodes', () => {
      expect(issuesOf(read('{"data": [], "meta": {"type": "users"}}'))[0]!.message).toMatch(/legacy SharpHound/);
      expect(issuesOf(read('{"graph": {"edges": []}}'))).toMatchObject([
        { path: 'graph.nodes', message: expect.stringMatching(/^missing/) },
      ]);
    });

    it('should refuse nested properties with their JSON path and line', () => {
      const text = '{"graph": {"nodes": [\n{"id": "a", "kinds": ["K"], "properties": {"tags": {"x": 1}}}\n], "edges": []}}';
      expect(issuesOf(read(text))).toMatchObject([{ file: 'in.json', line: 2, path: 'graph.nodes[0].properties.tags' }]);
    });

    it('should refuse edges to unknown ids at import, naming the endpoint', () => {
      const text =
        '{"graph": {"nodes": [{"id": "a", "kinds": ["K"]}], "edges": [\n{"kind": "E", "start": {"value": "a"}, "end": {"value": "b"}}]}}';
      const result = importOpenGraph(members([{ name: 'in.json', text }]), { profile: GENERIC_PROFILE });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues).toMatchObject([
        { file: 'in.json', line: 2, path: 'graph.edges[0].end', message: expect.stringContaining('"b"') },
      ]);
    });

    it('should name the zip member that is bad', async () => {
      const { readOpenGraphInputs } = await import('../../src/import/opengraph-read.js');
      const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'og-zip-'));
      try {
        const zip = join(dir, 'bundle.zip');
        writeFileSync(
          zip,
          zipSync({
            'good.json': strToU8('{"graph": {"nodes": [], "edges": []}}'),
            'bad.json': strToU8('{"graph": {"nodes": [{"id": 1, "kinds": []}], "edges": []}}'),
            'inner.zip': zipSync({}),
          }),
        );
        const r = readOpenGraphInputs([zip]);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.issues.map((i) => `${i.file} ${i.path}`)).toEqual([`${zip}:bad.json graph.nodes[0].id`, `${zip}:inner.zip `]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should refuse a profile that maps an attribute the kind does not have, with its line', () => {
      expect(() => parseProfile('name: p\nnodes:\n  X_A:\n    kind: resource\n    attributes: {type: pat}\n', 'p.yaml')).toThrow(
        /p\.yaml:5.*not an attribute of a resource/,
      );
    });
  });
});
