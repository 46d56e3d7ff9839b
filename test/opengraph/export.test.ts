import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blastlabExtensionSchema, exportOpenGraph } from '../../src/export/opengraph.js';
import { collectNodeResults } from '../../src/export/opengraph-results.js';
import { BL_NAMESPACE, exportNodeId, parseExportedNodeId } from '../../src/import/opengraph-blastlab.js';
import { checkExtensionSchema, checkOpenGraph, type OgDocument } from '../../src/import/opengraph-format.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/domain/scenario.js';
import { compile } from '../../src/model/compile.js';
import { runTrial } from '../../src/sim/trial.js';
import { attackArb, estateArb } from '../arbitraries/scenario.js';
import { agent, persistent, resource, scenario as buildScenario, tool } from '../arbitraries/build.js';
import { runs } from '../runs.js';

const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@+%-]{0,30}$/);
const nameArb = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);

/** Every rule BloodHound applies to a structured payload, plus referential integrity. */
function expectValidPayload(text: string): OgDocument {
  const doc = JSON.parse(text) as unknown;
  expect(checkOpenGraph(doc, { namespace: BL_NAMESPACE })).toEqual([]);
  const og = doc as OgDocument;
  for (const node of og.graph.nodes) {
    expect(node.id).not.toContain(':');
    expect(node.kinds.length).toBeGreaterThanOrEqual(1);
    expect(node.kinds.length).toBeLessThanOrEqual(3);
  }
  return og;
}

const randomScenario: fc.Arbitrary<Scenario> = estateArb.chain((estate) =>
  attackArb(estate).map((attack) => buildScenario({ ...estate, attacks: [attack], policies: [persistent()] })),
);

describe('export/opengraph', () => {
  it('should escape every blastlab id reversibly into an id without colons', () => {
    fc.assert(
      fc.property(idArb, nameArb, (id, name) => {
        const exported = exportNodeId(id, name);
        expect(exported).not.toContain(':');
        expect(parseExportedNodeId(exported)).toEqual({ id, scenario: name });
      }),
    );
  });

  it('should write payloads that follow the OpenGraph rules for any scenario', () => {
    fc.assert(
      fc.property(randomScenario, (s) => {
        const [part] = exportOpenGraph(s);
        const og = expectValidPayload(part!.text);
        expect(og.graph.nodes.map((n) => parseExportedNodeId(n.id)?.id)).toEqual(s.nodes.map((n) => n.id));
        const ids = new Set(og.graph.nodes.map((n) => n.id));
        for (const edge of og.graph.edges) {
          expect(ids.has(edge.start.value!)).toBe(true);
          expect(ids.has(edge.end.value!)).toBe(true);
        }
        expect(og.graph.edges).toHaveLength(s.edges.length);
      }),
      runs(60),
    );
  });

  it('should write exposure, egress and a resource record as flat properties', () => {
    const s = buildScenario({
      nodes: [
        agent('a', { exposure: 'live' }),
        tool('t'),
        resource('r1', { egress: true, record: { reached: 'confirmed', source: 'https://example.com/incident' } }),
        resource('r2', { record: { reached: 'potential', source: null } }),
        resource('r3'),
      ],
      attacks: [],
      policies: [persistent()],
    });
    const og = expectValidPayload(exportOpenGraph(s)[0]!.text);
    const props = new Map(og.graph.nodes.map((n) => [parseExportedNodeId(n.id)!.id, n.properties ?? {}]));
    expect(props.get('a')).toMatchObject({ exposure: 'live' });
    expect(props.get('t')).toMatchObject({ exposure: 'snapshot' });
    expect(props.get('r1')).toMatchObject({
      egress: true,
      exposure: 'snapshot',
      record_reached: 'confirmed',
      record_source: 'https://example.com/incident',
    });
    expect(props.get('r2')).toMatchObject({ egress: false, record_reached: 'potential' });
    expect(props.get('r2')).not.toHaveProperty('record_source');
    expect(props.get('r3')).not.toHaveProperty('record_reached');
  });

  it('should split edges over payloads of at most --max-edges, every node in the first', () => {
    fc.assert(
      fc.property(randomScenario, fc.integer({ min: 1, max: 5 }), (s, maxEdges) => {
        const parts = exportOpenGraph(s, { maxEdges });
        expect(parts).toHaveLength(Math.max(1, Math.ceil(s.edges.length / maxEdges)));
        const docs = parts.map((p) => expectValidPayload(p.text));
        expect(docs.every((d) => d.graph.edges.length <= maxEdges)).toBe(true);
        expect(docs[0]!.graph.nodes).toHaveLength(s.nodes.length);
        expect(docs.slice(1).every((d) => d.graph.nodes.length === 0)).toBe(true);
        const all = docs.flatMap((d) => d.graph.edges.map((e) => `${e.kind} ${e.start.value} ${e.end.value}`));
        const single = expectValidPayload(exportOpenGraph(s)[0]!.text).graph.edges.map(
          (e) => `${e.kind} ${e.start.value} ${e.end.value}`,
        );
        expect(all).toEqual(single);
        expect(new Set(parts.map((p) => p.name)).size).toBe(parts.length);
      }),
      runs(40),
    );
  });

  it('should write an extension schema that follows the definition format and makes every edge kind traversable', () => {
    const schema = blastlabExtensionSchema('0.1.0');
    expect(checkExtensionSchema(schema)).toEqual([]);
    const kinds = schema['relationship_kinds'] as { name: string; is_traversable: boolean }[];
    expect(kinds.map((k) => k.name).sort()).toEqual([
      'BL_Assumes',
      'BL_Grants',
      'BL_Holds',
      'BL_Invokes',
      'BL_Issues',
      'BL_Runs',
    ]);
    expect(kinds.every((k) => k.is_traversable)).toBe(true);
  });

  it('should reject schemas that break the namespace rules', () => {
    const schema = blastlabExtensionSchema('0.1.0');
    const bad = {
      ...schema,
      node_kinds: [
        { name: 'Agent', display_name: 'x' },
        { name: 'BL_', display_name: 'y', color: 'red' },
      ],
    };
    const issues = checkExtensionSchema(bad);
    expect(issues.map((i) => i.path.join('.'))).toEqual(['node_kinds.0.name', 'node_kinds.1.name', 'node_kinds.1.color']);
  });

  it('should add per-policy results whose reached probabilities add up to the mean resources_reached of the run', () => {
    const s = loadScenarioFile('scenarios/ci-deploy-key.yaml');
    const trials = 8;
    const results = collectNodeResults(s, { trials, seed: s.seed, policies: null });
    const [part] = exportOpenGraph(s, { extras: results.extras });
    const model = compile(s);
    const policySuffix = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    const og = expectValidPayload(part!.text);
    expect(results.policies.map((p) => p.suffix)).toEqual(['persistent', 'ephemeral_15m', 'hybrid']);
    for (const { suffix } of results.policies) {
      const sum = og.graph.nodes
        .filter((n) => n.kinds[0] === 'BL_Resource')
        .reduce((acc, n) => acc + Number(n.properties![`bl_reached_p__${suffix}`]), 0);
      // The same trials, run as `blastlab run` does: mean resources_reached over every attack's trials.
      const policyIndex = s.policies.findIndex((p) => policySuffix(p.name) === suffix);
      let reached = 0;
      for (let a = 0; a < s.attacks.length; a++)
        for (let t = 0; t < trials; t++) reached += runTrial(model, policyIndex, a, t).resources_reached ?? 0;
      expect(sum).toBeCloseTo(reached / (trials * s.attacks.length), 4);
      // Likewise, over credentials, the harvest probabilities add up to the mean credentials_harvested.
      const harvestSum = og.graph.nodes
        .filter((n) => n.kinds[0] === 'BL_Credential')
        .reduce((acc, n) => acc + Number(n.properties![`bl_cred_harvest_p__${suffix}`]), 0);
      let harvested = 0;
      for (let a = 0; a < s.attacks.length; a++)
        for (let t = 0; t < trials; t++) harvested += runTrial(model, policyIndex, a, t).credentials_harvested ?? 0;
      expect(harvestSum).toBeCloseTo(harvested / (trials * s.attacks.length), 4);
      for (const node of og.graph.nodes) {
        const p = node.properties!;
        const key = node.kinds[0] === 'BL_Credential' ? `bl_cred_used_p__${suffix}` : `bl_reached_p__${suffix}`;
        expect(p[key]).toBeGreaterThanOrEqual(0);
        expect(p[key]).toBeLessThanOrEqual(1);
      }
    }
  });
});
