import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.js';

/** A small valid graph; `extra` appends YAML under the given top-level sections. */
function scenario(parts: { nodes?: string; edges?: string; workload?: string; attacks?: string; policies?: string }): string {
  return [
    'name: refs',
    'nodes:',
    '  - { id: bot, kind: agent }',
    '  - { id: mcp, kind: tool }',
    '  - { id: db, kind: resource }',
    '  - { id: key, kind: credential }',
    '  - { id: tool-key, kind: credential }',
    parts.nodes ?? '',
    'edges:',
    '  - { from: bot, to: key, kind: holds }',
    '  - { from: key, to: db, kind: grants, actions: [read] }',
    '  - { from: mcp, to: tool-key, kind: holds }',
    '  - { from: tool-key, to: db, kind: grants, actions: [write] }',
    parts.edges ?? '',
    'workload:',
    parts.workload ?? '  []',
    'attacks:',
    parts.attacks ?? '  - { pattern: lateral-movement, entry: bot, at: 1h }',
    'policies:',
    parts.policies ?? '  p: persistent-90d',
    '',
  ].join('\n');
}

const issues = (text: string) => {
  const result = parseScenarioText(text, 'r.yaml');
  return result.ok ? [] : result.issues.map((i) => ({ code: i.code, path: i.path, line: i.line }));
};

describe('scenario/references', () => {
  it('should accept the base graph', () => {
    expect(issues(scenario({}))).toEqual([]);
  });

  it('should reject an invokes edge to a resource or a credential (only tools are invoked)', () => {
    expect(issues(scenario({ edges: '  - { from: bot, to: db, kind: invokes }' }))).toEqual([
      { code: 'wrong-kind', path: 'edges[4].to', line: 14 },
    ]);
    expect(issues(scenario({ edges: '  - { from: bot, to: key, kind: invokes }' }))).toEqual([
      { code: 'wrong-kind', path: 'edges[4].to', line: 14 },
    ]);
  });

  it('should require a via tool to be invoked by the agent', () => {
    const text = scenario({
      workload: '  - { agent: bot, at: 0ms, duration: 1m, steps: [{ target: db, action: write, via: mcp }] }',
    });
    expect(issues(text)).toEqual([{ code: 'not-invoked', path: 'workload[0].steps[0].via', line: 16 }]);
  });

  it('should infer a via step credential from the tool once the agent invokes it', () => {
    const text = scenario({
      edges: '  - { from: bot, to: mcp, kind: invokes }',
      workload: '  - { agent: bot, at: 0ms, duration: 1m, steps: [{ target: db, action: write, via: mcp }] }',
    });
    const result = parseScenarioText(text, 'r.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario.workload[0]?.steps[0]?.credential).toBe('tool-key');
  });

  it('should infer the same credential whatever order the edges are listed in (the first by id)', () => {
    const resolved = (edges: string): string | undefined => {
      const text = scenario({
        nodes: '  - { id: another-key, kind: credential }',
        edges,
        workload: '  - { agent: bot, at: 0ms, duration: 1m, steps: [{ target: db, action: read }] }',
      });
      const result = parseScenarioText(text, 'r.yaml');
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.scenario.workload[0]?.steps[0]?.credential;
    };
    // `key` (listed first in the base graph) and `another-key` both let bot read db.
    const extra = [
      '  - { from: bot, to: another-key, kind: holds }',
      '  - { from: another-key, to: db, kind: grants, actions: [read] }',
    ];
    expect(resolved(extra.join('\n'))).toBe('another-key');
    expect(resolved([...extra].reverse().join('\n'))).toBe('another-key');
  });

  it('should report a step no held credential can perform, and a named credential that does not grant the action', () => {
    const text = scenario({
      workload:
        '  - { agent: bot, at: 0ms, duration: 1m, steps: [{ target: db, action: write }, { target: db, action: write, credential: key }] }',
    });
    expect(issues(text)).toEqual([
      { code: 'no-credential', path: 'workload[0].steps[0]', line: 16 },
      { code: 'not-granted', path: 'workload[0].steps[1].credential', line: 16 },
    ]);
  });

  it('should require a secret-replay holder to hold the credential', () => {
    const text = scenario({ attacks: '  - { pattern: secret-replay, credential: tool-key, from: bot, leakAt: 1d }' });
    expect(issues(text)).toEqual([{ code: 'not-held', path: 'attacks[0].from', line: 18 }]);
  });

  it('should not report a missing edge that may be an edge entry the schema rejected, and still report the others', () => {
    const text = scenario({
      nodes: '  - { id: k2, kind: credential }',
      edges: ['  - { from: bot, to: k2, kind: hold }', '  - { from: k2, to: db, kind: grants, actions: [write] }'].join('\n'),
      workload: '  - { agent: bot, at: 0ms, duration: 1m, steps: [{ target: db, action: write, credential: k2 }] }',
      attacks: [
        '  - { name: a, pattern: secret-replay, credential: k2, from: bot, leakAt: 1d }',
        '  - { name: b, pattern: orphaned-credential, agent: bot, credential: k2, retiredAt: 1d }',
        '  - { name: c, pattern: secret-replay, credential: tool-key, from: db, leakAt: 1d }',
      ].join('\n'),
    });
    // bot → k2 is the misspelled entry: the step and attacks a and b need exactly that edge. Attack c
    // lacks an edge between ids no rejected entry names.
    expect(issues(text)).toEqual([
      { code: 'unknown-value', path: 'edges[4].kind', line: 14 },
      { code: 'not-held', path: 'attacks[2].from', line: 21 },
    ]);
    // The same file with the entry missing instead of misspelled reports what it lacks.
    expect(issues(text.replace('  - { from: bot, to: k2, kind: hold }\n', '')).map((i) => i.path)).toEqual([
      'workload[0].steps[0].credential',
      'attacks[0].from',
      'attacks[1].credential',
      'attacks[2].from',
    ]);
  });

  it('should require hybrid exception ids to be credentials', () => {
    const text = scenario({ policies: '  h: { kind: hybrid, exceptions: [{ match: { ids: [db] }, rotation: 1d }] }' });
    expect(issues(text)).toEqual([{ code: 'wrong-kind', path: 'policies.h.exceptions[0].match.ids[0]', line: 20 }]);
  });

  it('should report explicit attack names that collide with default ones', () => {
    const text = scenario({
      attacks:
        '  - { pattern: tool-chaining, agent: bot, at: 1h }\n  - { pattern: tool-chaining, agent: bot, at: 1h, name: tool-chaining }',
    });
    expect(issues(text)).toEqual([{ code: 'duplicate-name', path: 'attacks[1].name', line: 19 }]);
  });

  it('should reject self-loops and actions on non-grants edges', () => {
    const text = scenario({ edges: '  - { from: key, to: key, kind: assumes, actions: [read] }' });
    expect(issues(text)).toEqual([
      { code: 'self-loop', path: 'edges[4]', line: 14 },
      { code: 'not-allowed', path: 'edges[4].actions', line: 14 },
    ]);
  });
});
