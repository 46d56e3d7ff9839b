import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BL_NAMESPACE } from '../../src/import/opengraph-blastlab.js';
import { checkExtensionSchema, checkOpenGraph } from '../../src/import/opengraph-format.js';
import { build, cli, ROOT, tempDir } from '../e2e/helpers.js';

const SCENARIO = join(ROOT, 'scenarios/ci-deploy-key.yaml');

describe('blastlab export opengraph / import opengraph', () => {
  let dir: string;
  beforeAll(() => {
    build();
    dir = tempDir('blastlab-opengraph-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should export a payload and an extension schema that follow the OpenGraph rules', () => {
    const r = cli(['export', 'opengraph', SCENARIO, '--out', 'g.json', '--schema-out', 's.json'], dir);
    expect(r.code).toBe(0);
    expect(checkOpenGraph(JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8')), { namespace: BL_NAMESPACE })).toEqual([]);
    expect(checkExtensionSchema(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')))).toEqual([]);
  });

  it('should split into a deterministic zip of payloads with --max-edges, and refuse a .json that would need splitting', () => {
    const sub = tempDir('blastlab-opengraph-split-');
    try {
      const refused = cli(['export', 'opengraph', SCENARIO, '--max-edges', '2', '--out', 'g.json'], sub);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/\.zip/);
      expect(readdirSync(sub)).toEqual([]);
      expect(cli(['export', 'opengraph', SCENARIO, '--max-edges', '2', '--out', 'a.zip', '--quiet'], sub).code).toBe(0);
      expect(cli(['export', 'opengraph', SCENARIO, '--max-edges', '2', '--out', 'b.zip', '--quiet'], sub).code).toBe(0);
      const a = readFileSync(join(sub, 'a.zip'));
      expect(a.equals(readFileSync(join(sub, 'b.zip')))).toBe(true);
      const members = unzipSync(a);
      expect(Object.keys(members)).toHaveLength(3); // 6 edges, 2 per payload
      for (const bytes of Object.values(members)) {
        const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { graph: { edges: unknown[] } };
        expect(checkOpenGraph(doc, { namespace: BL_NAMESPACE })).toEqual([]);
        expect(doc.graph.edges.length).toBeLessThanOrEqual(2);
      }
      // The zip imports back as one graph.
      const back = cli(['import', 'opengraph', 'a.zip', '--profile', 'blastlab', '--out', 'back.yaml', '--quiet'], sub);
      expect(back.code).toBe(0);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('should add per-policy results from a run of the same file, and refuse results of another file', () => {
    expect(cli(['run', SCENARIO, '--trials', '5', '--out', 'run', '--quiet'], dir).code).toBe(0);
    const r = cli(['export', 'opengraph', SCENARIO, '--results', 'run', '--out', 'gr.json'], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'gr.json'), 'utf8')) as {
      graph: { nodes: { properties: Record<string, unknown> }[] };
    };
    expect(doc.graph.nodes.every((n) => typeof n.properties['bl_trials'] === 'number')).toBe(true);
    expect(doc.graph.nodes.some((n) => typeof n.properties['bl_reached_p__ephemeral_15m'] === 'number')).toBe(true);

    const other = join(dir, 'other.yaml');
    writeFileSync(other, `${readFileSync(SCENARIO, 'utf8')}\n# edited\n`);
    const refused = cli(['export', 'opengraph', other, '--results', 'run', '--out', 'no.json'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/different version/);
    expect(readdirSync(dir)).not.toContain('no.json');
  });

  it('should round-trip export → import --profile blastlab → run', () => {
    expect(cli(['export', 'opengraph', SCENARIO, '--out', 'rt.json', '--quiet'], dir).code).toBe(0);
    const imported = cli(['import', 'opengraph', 'rt.json', '--profile', 'blastlab', '--out', 'rt.yaml'], dir);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/nodes mapped by profile blastlab/);
    expect(cli(['run', 'rt.yaml', '--trials', '3', '--out', 'rt-run', '--quiet'], dir).code).toBe(0);
  });

  describe('bad input: exit 2, file and JSON path named, nothing written', () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['not OpenGraph', 'hello, world', /bad-0\.json(:1:1)? not OpenGraph: JSON syntax error/],
      ['missing graph.nodes', '{"graph": {"edges": []}}', /bad-1\.json:1:\d+ graph\.nodes: missing/],
      [
        'edge to an unknown id',
        '{"graph": {"nodes": [{"id": "a", "kinds": ["K"]}],\n"edges": [{"kind": "E", "start": {"value": "a"}, "end": {"value": "zz"}}]}}',
        /bad-2\.json:2:\d+ graph\.edges\[0\]\.end: matches no node: .*"zz"/,
      ],
      [
        'nested properties',
        '{"graph": {"nodes": [{"id": "a", "kinds": ["K"], "properties": {"p": [{"x": 1}]}}], "edges": []}}',
        /bad-3\.json:1:\d+ graph\.nodes\[0\]\.properties\.p: arrays may hold only/,
      ],
      [
        'a zip with a bad member',
        zipSync({ 'ok.json': strToU8('{"graph": {"nodes": [], "edges": []}}'), 'bad.json': strToU8('{"graph": []}') }),
        /bad-4\.zip:bad\.json:1:\d+ graph: must be an object/,
      ],
    ];
    cases.forEach(([what, content, expected], i) => {
      it(`should refuse ${what}`, () => {
        const sub = tempDir('blastlab-opengraph-bad-');
        try {
          const name = typeof content === 'string' ? `bad-${i}.json` : `bad-${i}.zip`;
          writeFileSync(join(sub, name), content);
          const r = cli(['import', 'opengraph', name, '--out', 'out.yaml'], sub);
          expect(r.code).toBe(2);
          expect(r.stderr).toMatch(expected);
          expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
          expect(readdirSync(sub)).toEqual([name]);
        } finally {
          rmSync(sub, { recursive: true, force: true });
        }
      });
    });
  });
});
