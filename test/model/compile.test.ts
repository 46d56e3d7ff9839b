/** The compiled model (typed-array CSR + intent tables) and the graphology view of a scenario. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile, requestKey } from '../../src/model/compile.js';
import { buildGraph } from '../../src/model/graph.js';
import { ADMIN, READ, WRITE, actionMask, maskActions } from '../../src/domain/actions.js';
import { staticReach } from '../../src/model/static-reach.js';
import {
  HOUR,
  agent,
  credential,
  fixed,
  grants,
  holds,
  invokes,
  lateral,
  persistent,
  resource,
  scenario,
  step,
  task,
  tool,
} from '../arbitraries/build.js';
import { estateArb, policyArb } from '../arbitraries/scenario.js';
import { runOne } from '../arbitraries/run.js';
import { runs } from '../runs.js';

const s = scenario({
  nodes: [agent('bot'), tool('crm-tool'), credential('key'), credential('crm-key'), resource('db'), resource('crm')],
  edges: [
    holds('bot', 'key'),
    invokes('bot', 'crm-tool'),
    holds('crm-tool', 'crm-key'),
    grants('key', 'db', ['read', 'write']),
    grants('crm-key', 'crm', ['read']),
  ],
  workload: [task('bot', [step('db', 'read', 'key'), step('crm', 'read', 'crm-key', 'crm-tool')])],
  attacks: [lateral('bot', 0)],
  policies: [persistent()],
});

describe('model/actions', () => {
  it('should round-trip actions through bit masks', () => {
    expect(actionMask(['read', 'admin'])).toBe(READ | ADMIN);
    expect(maskActions(WRITE | READ)).toEqual(['read', 'write']);
  });
});

describe('model/compile', () => {
  const model = compile(s);
  const i = (id: string): number => model.indexOf.get(id)!;
  const row = (csr: { off: Int32Array; to: Int32Array }, node: string): string[] =>
    Array.from(csr.to.subarray(csr.off[i(node)], csr.off[i(node) + 1]), (x) => model.ids[x]!);

  it('should index nodes in file order and build one CSR per edge kind', () => {
    expect(model.ids).toEqual(['bot', 'crm-tool', 'key', 'crm-key', 'db', 'crm']);
    expect(row(model.holds, 'bot')).toEqual(['key']);
    expect(row(model.holders, 'crm-key')).toEqual(['crm-tool']);
    expect(row(model.invokes, 'bot')).toEqual(['crm-tool']);
    expect(row(model.grants, 'key')).toEqual(['db']);
    expect(model.grants.data[model.grants.off[i('key')]!]).toBe(READ | WRITE);
  });

  it('should record declared intent for the agent and for the tool a step goes via', () => {
    expect(model.intent[i('bot')]!.get(i('db'))).toBe(READ);
    expect(model.intent[i('bot')]!.get(i('crm'))).toBe(READ);
    expect(model.intent[i('crm-tool')]!.get(i('crm'))).toBe(READ);
    expect(model.intent[i('crm-tool')]!.has(i('db'))).toBe(false);
    expect(model.requestPairs.get(requestKey(i('bot'), i('crm-tool'), i('crm-key')))?.get(i('crm'))).toBe(READ);
    const c = i('crm-key');
    expect(Array.from(model.credTasks.to.subarray(model.credTasks.off[c], model.credTasks.off[c + 1]))).toEqual([0]);
  });

  it('should be structured-cloneable (sent to workers once)', () => {
    const copy = structuredClone(model);
    expect(copy.ids).toEqual(model.ids);
    expect(Array.from(copy.grants.to)).toEqual(Array.from(model.grants.to));
  });
});

describe('model/graph', () => {
  it('should add every edge with its deterministic key', () => {
    const graph = buildGraph(s);
    expect(graph.order).toBe(6);
    expect(graph.size).toBe(5);
    expect(graph.edges().sort()).toEqual(s.edges.map((e) => e.key).sort());
    expect(graph.getEdgeAttribute(s.edges[3]!.key, 'actions')).toEqual(['read', 'write']);
  });
});

describe('model/static-reach', () => {
  const staticCounts = (sc: ReturnType<typeof scenario>, entry: string) => {
    const model = compile(sc);
    const bits = staticReach(model)(model.indexOf.get(entry)!);
    let reached = 0;
    let blast = 0;
    sc.nodes.forEach((n, k) => {
      if (n.kind === 'resource' && bits[k]! !== 0) {
        reached++;
        blast += n.weight;
      }
    });
    return { reached, blast };
  };

  it('should bound the time-aware engine from above, and equal it under never-rotated standing access', () => {
    fc.assert(
      fc.property(estateArb, fc.nat(), (estate, pick) => {
        const entry = estate.nodes[pick % estate.nodes.length]!.id;
        const nodes = estate.nodes.map((n) => (n.kind === 'credential' ? { ...n, rotationMs: null } : n));
        const sc = scenario({
          ...estate,
          nodes,
          attacks: [lateral(entry, 0, { hopDelay: fixed(HOUR) })],
          policies: [persistent()],
        });
        const bound = staticCounts(sc, entry);
        const m = runOne(sc);
        expect(m.resources_reached).toBe(bound.reached);
        expect(m.blast_radius).toBe(bound.blast);
      }),
      runs(150),
    );
  });

  it('should never be exceeded by the engine under any policy', () => {
    const arb = estateArb.chain((estate) =>
      fc.record({
        estate: fc.constant(estate),
        policy: policyArb(estate),
        pick: fc.nat(),
        at: fc.nat({ max: estate.horizonMs - 1 }),
      }),
    );
    fc.assert(
      fc.property(arb, fc.nat({ max: 20 }), ({ estate, policy, pick, at }, trial) => {
        const entry = estate.nodes[pick % estate.nodes.length]!.id;
        const sc = scenario({ ...estate, attacks: [lateral(entry, at)], policies: [policy] });
        const bound = staticCounts(sc, entry);
        const m = runOne(sc, { trial });
        expect(m.resources_reached).toBeLessThanOrEqual(bound.reached);
        expect(m.blast_radius).toBeLessThanOrEqual(bound.blast);
      }),
      runs(150),
    );
  });
});
