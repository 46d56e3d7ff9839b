/** Automatic attacks and estate policies over plain scenario documents (src/import/auto.ts). */
import { describe, expect, it } from 'vitest';
import { autoAttacks, estatePolicies } from '../../src/import/auto.js';
import type { ScenarioDoc } from '../../src/import/builder.js';

const doc = (extra: Partial<ScenarioDoc> = {}): ScenarioDoc => ({
  name: 't',
  asOf: '2026-12-01T00:00:00Z',
  nodes: [
    { id: 'job', kind: 'agent', environment: 'github-actions', identity: 'shared-secret' },
    { id: 'svc', kind: 'agent', identity: 'workload' },
    { id: 'tj', kind: 'tool', provenance: { source: 'github-actions', id: 'tj-actions/changed-files@v45' } },
    {
      id: 'pinned',
      kind: 'tool',
      provenance: { source: 'github-actions', id: 'tj-actions/changed-files@0123456789abcdef0123456789abcdef01234567' },
    },
    { id: 'checkout', kind: 'tool', provenance: { source: 'github-actions', id: 'actions/checkout@v4' } },
    { id: 'db', kind: 'resource' },
    { id: 'old', kind: 'credential', createdAt: '2024-01-01T00:00:00Z', lastUsedAt: '2026-01-01T00:00:00Z' },
    { id: 'new', kind: 'credential', createdAt: '2026-11-01T00:00:00Z', lastUsedAt: '2026-11-30T00:00:00Z' },
    { id: 'legacy', kind: 'credential', ephemeralCapable: false },
    { id: 'session', kind: 'credential', nativeTtl: '1h' },
  ],
  edges: [
    { from: 'job', to: 'old', kind: 'holds' },
    { from: 'job', to: 'new', kind: 'holds' },
    { from: 'job', to: 'legacy', kind: 'holds' },
    { from: 'svc', to: 'session', kind: 'holds' },
    { from: 'old', to: 'db', kind: 'grants', actions: ['read'] },
    { from: 'new', to: 'db', kind: 'grants', actions: ['read'] },
  ],
  workload: [{ agent: 'job', every: '1d', duration: '10m', steps: [{ target: 'db', action: 'read', credential: 'new' }] }],
  attacks: [],
  policies: {},
  ...extra,
});

describe('import/auto', () => {
  it('should replay each standing credential from a leak-prone holder, oldest first, never a session', () => {
    const replays = autoAttacks(doc()).filter((a) => a.pattern === 'secret-replay');
    expect(replays.map((a) => (a.pattern === 'secret-replay' ? [a.credential, a.from] : []))).toEqual([
      ['old', 'job'],
      ['new', 'job'],
      ['legacy', 'job'],
    ]);
  });

  it("should enter at unpinned third-party actions only, and at the importer's entries", () => {
    const entries = autoAttacks(doc(), { entries: [{ id: 'job', why: 'untrusted-checkout' }] }).filter(
      (a) => a.pattern === 'lateral-movement',
    );
    expect(entries.map((a) => a.name)).toEqual(['untrusted-checkout-job', 'unpinned-tj']);
  });

  it('should orphan the stale credentials and mass-leak holders of three or more', () => {
    const attacks = autoAttacks(doc());
    expect(attacks.filter((a) => a.pattern === 'orphaned-credential').map((a) => a.name)).toEqual(['orphaned-old']);
    expect(attacks.filter((a) => a.pattern === 'mass-leak').map((a) => (a.pattern === 'mass-leak' ? a.holder : ''))).toEqual([
      'job',
    ]);
    expect(autoAttacks(doc({ staleAfter: '400d' })).filter((a) => a.pattern === 'orphaned-credential')).toEqual([]);
  });

  it('should cap each kind and give unique names, independent of node order', () => {
    expect(autoAttacks(doc(), { maxPerKind: 1 }).filter((a) => a.pattern === 'secret-replay')).toHaveLength(1);
    const shuffled = doc();
    const reversed = { ...shuffled, nodes: [...shuffled.nodes].reverse(), edges: [...(shuffled.edges ?? [])].reverse() };
    expect(autoAttacks(reversed)).toEqual(autoAttacks(shuffled));
    const names = autoAttacks(doc()).map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('should keep secrets standing and mint sessions under as-is, and keep legacy ones standing under hybrid', () => {
    const policies = estatePolicies(doc());
    expect(policies['as-is']).toEqual({
      kind: 'hybrid',
      ttl: '1h',
      scope: 'role',
      exceptions: [{ match: { ids: ['legacy', 'new', 'old'] }, rotation: 'never' }],
    });
    expect(policies['ephemeral']).toMatchObject({ kind: 'ephemeral', scope: 'task', ttl: '15m' });
    // legacy: not ephemeral-capable; old: no declared intent. new is used by a workload step.
    expect(policies['hybrid']).toMatchObject({
      kind: 'hybrid',
      exceptions: [{ match: { ids: ['legacy', 'old'] }, rotation: '90d' }],
    });
    const noSessions = doc({
      nodes: doc().nodes.filter((n) => n.id !== 'session'),
      edges: (doc().edges ?? []).filter((e) => e.to !== 'session'),
    });
    expect(estatePolicies(noSessions)['as-is']).toEqual({ kind: 'persistent', rotation: 'never' });
  });
});
