import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { estateToDocument } from '../../src/estate/document.js';
import { generateEstate } from '../../src/estate/synthetic.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import type { NodeKind, Scenario } from '../../src/domain/scenario.js';
import { plainEdges } from '../arbitraries/build.js';
import { runs } from '../runs.js';

/** SPEC §1: which kinds each edge kind may join. */
const ALLOWED: Record<string, { from: readonly NodeKind[]; to: readonly NodeKind[] }> = {
  holds: { from: ['agent', 'tool', 'resource'], to: ['credential'] },
  grants: { from: ['credential'], to: ['resource', 'tool', 'agent'] },
  invokes: { from: ['agent', 'tool'], to: ['tool'] },
  assumes: { from: ['credential'], to: ['credential'] },
};

function kinds(s: Scenario): Map<string, NodeKind> {
  return new Map(s.nodes.map((n) => [n.id, n.kind]));
}

describe('estate synthetic', () => {
  it('should give the same estate for the same options and a different one for another seed', () => {
    const a = generateEstate({ agents: 30, seed: 5 });
    expect(generateEstate({ agents: 30, seed: 5 })).toEqual(a);
    expect(generateEstate({ agents: 30, seed: 6 }).edges).not.toEqual(a.edges);
  });

  it('should only join kinds SPEC §1 allows, with unique keys, no self-loops and actions on grants only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(), (agents, seed) => {
        const s = generateEstate({ agents, seed });
        const kindOf = kinds(s);
        expect(kindOf.size).toBe(s.nodes.length);
        expect(new Set(s.edges.map((e) => e.key)).size).toBe(s.edges.length);
        const bad = s.edges.filter((e) => {
          const rule = ALLOWED[e.kind]!;
          const from = kindOf.get(e.from);
          const to = kindOf.get(e.to);
          return (
            from === undefined ||
            to === undefined ||
            !rule.from.includes(from) ||
            !rule.to.includes(to) ||
            e.from === e.to ||
            e.key !== `${e.kind}:${e.from}->${e.to}#0` ||
            e.actions.length > 0 !== (e.kind === 'grants')
          );
        });
        expect(bad).toEqual([]);
      }),
      runs(40),
    );
  });

  it('should give every task step a credential its actor holds that grants the step', () => {
    const s = generateEstate({ agents: 80, seed: 11 });
    const holds = new Set(s.edges.filter((e) => e.kind === 'holds').map((e) => `${e.from}|${e.to}`));
    const invokes = new Set(s.edges.filter((e) => e.kind === 'invokes').map((e) => `${e.from}|${e.to}`));
    const grants = new Map(s.edges.filter((e) => e.kind === 'grants').map((e) => [`${e.from}|${e.to}`, e.actions]));
    expect(s.workload.length).toBe(80);
    for (const task of s.workload) {
      expect(task.id).toBe(`${task.agent}#${task.index}`);
      for (const step of task.steps) {
        if (step.via !== null) expect(invokes.has(`${task.agent}|${step.via}`)).toBe(true);
        expect(holds.has(`${step.via ?? task.agent}|${step.credential}`)).toBe(true);
        expect(grants.get(`${step.credential}|${step.target}`)).toContain(step.action);
      }
    }
  });

  it('should scale nodes and edges with the agent count (≥ 10 nodes and ≥ 100 edges per agent by default)', () => {
    const small = generateEstate({ agents: 100, seed: 1 });
    const large = generateEstate({ agents: 400, seed: 1 });
    expect(small.nodes.length).toBeGreaterThanOrEqual(1000);
    expect(small.edges.length).toBeGreaterThanOrEqual(10_000);
    expect(large.nodes.length).toBe(4 * small.nodes.length);
    expect(large.edges.length / small.edges.length).toBeGreaterThan(3.8);
    expect(large.edges.length / small.edges.length).toBeLessThan(4.2);
  });

  it('should carry two attacks and three policies that reference existing nodes', () => {
    const s = generateEstate({ agents: 40, seed: 3 });
    const kindOf = kinds(s);
    expect(s.attacks.map((a) => a.pattern)).toEqual(['secret-replay', 'lateral-movement']);
    expect(s.policies.map((p) => p.kind)).toEqual(['persistent', 'ephemeral', 'hybrid']);
    const replay = s.attacks[0]!;
    if (replay.pattern !== 'secret-replay') throw new Error('unreachable');
    expect(kindOf.get(replay.credential)).toBe('credential');
    expect(s.edges.some((e) => e.kind === 'holds' && e.from === replay.from && e.to === replay.credential)).toBe(true);
  });

  it('should reject bad options with the option name in the message', () => {
    expect(() => generateEstate({ agents: 0, seed: 1 })).toThrow(/agents/);
    expect(() => generateEstate({ agents: 2, seed: 1, legacyRate: 2 })).toThrow(/legacyRate/);
  });

  it('should write a document that loads and resolves to the generated scenario', () => {
    for (const seed of [1, 2]) {
      const opts = { agents: 8, seed, teamSize: 5, grantsPerCredential: 6 };
      const expected = generateEstate(opts);
      const text = stringify(estateToDocument(opts));
      const result = parseScenarioText(text, 'estate.yaml');
      if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
      const { source: _loaded, ...loaded } = result.scenario;
      const { source: _generated, ...generated } = expected;
      expect({ ...loaded, edges: plainEdges(loaded.edges) }).toEqual({ ...generated, edges: plainEdges(generated.edges) });
    }
  });
});
