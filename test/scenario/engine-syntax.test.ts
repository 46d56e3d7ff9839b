/** The syntax of SPEC §1 "What short-lived access does not stop": runs/issues edges, exposure, exchange steps, forbidCreation, detection.at. */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/domain/scenario.js';

function text(parts: { nodes?: string; edges?: string; workload?: string; policies?: string }): string {
  return [
    'name: syntax',
    'nodes:',
    '  - { id: repo, kind: resource, exposure: live }',
    '  - { id: ci, kind: agent }',
    '  - { id: laptop, kind: agent, exposure: live }',
    '  - { id: app, kind: tool }',
    '  - { id: db, kind: resource }',
    '  - { id: refresh, kind: credential }',
    '  - { id: access, kind: credential }',
    '  - { id: app-secret, kind: credential }',
    parts.nodes ?? '',
    'edges:',
    '  - { from: repo, to: ci, kind: runs }',
    '  - { from: app, to: app-secret, kind: issues }',
    '  - { from: laptop, to: refresh, kind: holds }',
    '  - { from: refresh, to: access, kind: assumes }',
    '  - { from: access, to: db, kind: grants, actions: [read] }',
    '  - { from: app-secret, to: db, kind: grants, actions: [write] }',
    parts.edges ?? '',
    'workload:',
    parts.workload ??
      '  - { agent: laptop, every: 1d, duration: 1h, steps: [{ exchange: { from: refresh, to: access } }, { target: db, action: read }] }',
    'attacks:',
    '  - { pattern: lateral-movement, entry: repo, at: 1h }',
    'policies:',
    parts.policies ?? '  p: { kind: persistent, forbidCreation: true, detection: { at: 2d } }',
    '',
  ].join('\n');
}

function load(source: string): Scenario {
  const result = parseScenarioText(source, 's.yaml');
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path} ${i.message}`).join('\n'));
  return result.scenario;
}
const issues = (source: string): { code: string | undefined; path: string }[] => {
  const result = parseScenarioText(source, 's.yaml');
  return result.ok ? [] : result.issues.map((i) => ({ code: i.code, path: i.path }));
};

describe('scenario syntax for the engine rules', () => {
  it('should resolve exposure (default snapshot), runs and issues edges, exchanges, forbidCreation and detection.at', () => {
    const s = load(text({}));
    expect(s.nodes.find((n) => n.id === 'repo')).toMatchObject({ exposure: 'live' });
    expect(s.nodes.find((n) => n.id === 'ci')).toMatchObject({ exposure: 'snapshot' });
    expect(s.edges.map((e) => e.key)).toContain('runs:repo->ci#0');
    expect(s.edges.map((e) => e.key)).toContain('issues:app->app-secret#0');
    const task = s.workload[0]!;
    expect(task.exchanges).toEqual([{ from: 'refresh', to: 'access' }]);
    // The read step's credential is inferred from the exchanged credential.
    expect(task.steps).toEqual([{ target: 'db', action: 'read', via: null, credential: 'access' }]);
    expect(s.policies[0]).toMatchObject({ forbidCreation: true, detection: { probability: 0, atMs: 2 * 86_400_000 } });
  });

  it('should default forbidCreation to false, detection.at to never and hopDelay to exponential 10m', () => {
    const s = load(text({ policies: '  p: { kind: persistent, detection: { probability: 0.5 } }' }));
    expect(s.policies[0]).toMatchObject({ forbidCreation: false, detection: { probability: 0.5, atMs: Infinity } });
    expect(s.attacks[0]?.hopDelay).toEqual({ kind: 'exponential', meanMs: 600_000 });
  });

  it('should reject a detection with neither probability nor at', () => {
    expect(issues(text({ policies: '  p: { kind: persistent, detection: { delay: 1h } }' }))).toEqual([
      { code: 'missing-key', path: 'policies.p.detection' },
    ]);
  });

  it('should reject runs and issues edges between the wrong kinds', () => {
    const found = issues(text({ edges: '  - { from: ci, to: repo, kind: runs }\n  - { from: db, to: ci, kind: issues }' }));
    expect(found).toEqual([
      { code: 'wrong-kind', path: 'edges[6].from' },
      { code: 'wrong-kind', path: 'edges[6].to' },
      { code: 'wrong-kind', path: 'edges[7].to' },
    ]);
  });

  it('should reject an exchange without an assumes edge, or from a credential the agent cannot have', () => {
    const found = issues(
      text({ workload: '  - { agent: ci, every: 1d, duration: 1h, steps: [{ exchange: { from: refresh, to: app-secret } }] }' }),
    );
    expect(found).toEqual([
      { code: 'not-held', path: 'workload[0].steps[0].exchange.from' },
      { code: 'no-assumes', path: 'workload[0].steps[0].exchange.to' },
    ]);
  });

  it('should accept an exchange chained from an earlier declared exchange', () => {
    const s = load(
      text({
        nodes: '  - { id: session, kind: credential }',
        edges: '  - { from: access, to: session, kind: assumes }',
        workload:
          '  - { agent: laptop, every: 1d, duration: 1h, steps: [{ exchange: { from: access, to: session } }, { exchange: { from: refresh, to: access } }] }',
      }),
    );
    expect(s.workload[0]?.exchanges).toHaveLength(2);
  });

  it('should name the unknown key of a malformed exchange step', () => {
    const found = issues(
      text({ workload: '  - { agent: laptop, every: 1d, duration: 1h, steps: [{ exchange: { from: refresh, too: access } }] }' }),
    );
    expect(found).toContainEqual({ code: 'unknown-key', path: 'workload[0].steps[0].exchange.too' });
  });
});
