import { describe, expect, it } from 'vitest';
import { basename } from 'node:path';
import { breaches, nodesOf, suiteFiles, type SuiteFile } from './suites.js';

const files = suiteFiles();
const bySuite = (suite: SuiteFile['suite']): SuiteFile[] => files.filter((f) => f.suite === suite);
const policiesOf = (f: SuiteFile): [string, Record<string, unknown>][] =>
  Object.entries((f.doc['policies'] ?? {}) as Record<string, Record<string, unknown>>);
const patternsOf = (f: SuiteFile): string[] => ((f.doc['attacks'] ?? []) as { pattern: string }[]).map((a) => a.pattern);
const kinds = (f: SuiteFile): string[] => policiesOf(f).map(([, p]) => String(p['kind']));

describe('scenario suites', () => {
  it('should name every file after its scenario', () => {
    for (const f of files) expect(basename(f.path).replace(/\.ya?ml$/, ''), f.path).toBe(f.doc['name']);
  });

  it('should give every scenario a description, references, 200 trials and a persistent, an ephemeral and a hybrid policy', () => {
    for (const f of files) {
      expect(typeof f.doc['description'] === 'string' ? f.doc['description'].length : 0, f.path).toBeGreaterThan(200);
      expect(f.doc['references'], f.path).toEqual(expect.arrayContaining([expect.stringMatching(/^https:\/\//)]));
      expect(f.doc['trials'], f.path).toBe(200);
      expect(kinds(f), f.path).toEqual(expect.arrayContaining(['persistent', 'ephemeral', 'hybrid']));
    }
  });

  it('should keep every scenario small (at most 40 nodes)', () => {
    for (const f of files) expect(nodesOf(f.doc).length, f.path).toBeLessThanOrEqual(40);
  });

  describe('built-in (scenarios/*.yaml)', () => {
    const top = bySuite('top');

    it('should ship at least the five documented built-ins', () => {
      expect(top.map((f) => f.doc['name'])).toEqual(
        expect.arrayContaining(['ci-deploy-key', 'support-agent', 'legacy-batch', 'stable-service-account', 'multi-cloud']),
      );
    });

    it('should use only the core patterns secret-replay and lateral-movement', () => {
      for (const f of top) for (const p of patternsOf(f)) expect(['secret-replay', 'lateral-movement'], f.path).toContain(p);
    });

    it('should stay fast: at most 20 nodes each', () => {
      for (const f of top) expect(nodesOf(f.doc).length, f.path).toBeLessThanOrEqual(20);
    });

    it('should include a non-refreshable task longer than 15 minutes in legacy-batch', () => {
      const f = top.find((x) => x.doc['name'] === 'legacy-batch');
      const tasks = (f?.doc['workload'] ?? []) as { refreshable?: boolean; duration: string }[];
      expect(tasks.some((t) => t.refreshable === false && /^\d+h$/.test(t.duration))).toBe(true);
    });
  });

  describe('breaches (scenarios/breaches/)', () => {
    const incidents = breaches();
    const files = bySuite('breaches');

    it('should read all twelve incidents from BREACHES.md', () => {
      expect(incidents).toHaveLength(12);
      for (const b of incidents) expect(b.sources.length, b.id).toBeGreaterThan(0);
    });

    it.each(incidents.map((b) => [b.id, b] as const))('should have a file for %s that cites its BREACHES.md sources', (id, b) => {
      const f = files.find((x) => x.doc['name'] === id);
      expect(f, `scenarios/breaches/${id}.yaml`).toBeDefined();
      expect(f?.doc['references']).toEqual(expect.arrayContaining([...b.sources]));
    });

    it('should put the as-was persistent policy first (it is the baseline)', () => {
      for (const f of files) {
        const [first] = policiesOf(f);
        expect(first?.[0], f.path).toBe('as-was');
        expect(first?.[1]['kind'], f.path).toBe('persistent');
      }
    });

    it('should say which figures are placeholders', () => {
      for (const f of files) {
        if (/placeholder/i.test(f.text)) expect(String(f.doc['description']), f.path).toMatch(/placeholder/i);
      }
    });

    it('should run a hard variant <attack>-hard beside every incident attack, and nothing else named -hard', () => {
      for (const f of files) {
        const names = ((f.doc['attacks'] ?? []) as { name?: string }[]).map((a) => a.name ?? '');
        const normal = names.filter((n) => !n.endsWith('-hard'));
        expect(normal.length, f.path).toBeGreaterThan(0);
        expect(names.filter((n) => n.endsWith('-hard')).sort(), f.path).toEqual(normal.map((n) => `${n}-hard`).sort());
      }
    });

    it('should give every incident a record naming its as-recorded replays, sourced from its references', () => {
      for (const f of files) {
        const record = f.doc['record'] as { source?: string; attacks?: string[] } | undefined;
        const refs = f.doc['references'] as string[];
        expect(record, f.path).toBeDefined();
        expect(refs, f.path).toContain(record?.source);
        for (const a of record?.attacks ?? []) expect(a.endsWith('-hard'), `${f.path} ${a}`).toBe(false);
      }
    });

    it('should source every confirmed or denied resource from the scenario references', () => {
      for (const f of files) {
        const refs = f.doc['references'] as string[];
        for (const n of nodesOf(f.doc)) {
          const r = n['record'] as { reached: string; source?: string } | undefined;
          if (r !== undefined && r.reached !== 'potential') expect(refs, `${f.path} ${String(n['id'])}`).toContain(r.source);
        }
      }
    });

    it('should tag AI RMF and OWASP agentic ids only on incidents that involve an AI system (a re-planning agent)', () => {
      for (const f of files) {
        const frameworks = (f.doc['frameworks'] ?? {}) as Record<string, string[]>;
        const aiTags = [...(frameworks['nist-ai-rmf'] ?? []), ...(frameworks['owasp-agentic'] ?? [])];
        const aiSystem = nodesOf(f.doc).some((n) => n['kind'] === 'agent' && n['replans'] === true);
        if (aiTags.length > 0) expect(aiSystem, `${f.path}: ${aiTags.join(', ')}`).toBe(true);
      }
    });

    it('should carry the framework corrections of the incident audit', () => {
      const tags = (name: string, key: string): string[] => ((files.find((f) => f.doc['name'] === name)?.doc['frameworks'] ?? {}) as Record<string, string[]>)[key] ?? [];
      expect(tags('midnight-blizzard-2024', 'owasp-nhi')).toContain('NHI1:2025');
      expect(tags('tj-actions-2025', 'owasp-nhi')).toEqual(expect.arrayContaining(['NHI5:2025', 'NHI6:2025']));
      expect(tags('cloudflare-2023', 'owasp-nhi')).toContain('NHI5:2025');
      expect(tags('cloudflare-2023', 'nist-ai-rmf')).toEqual([]);
    });

    it('should give agents legitimate work so ephemeral tokens exist', () => {
      for (const f of files) expect(((f.doc['workload'] ?? []) as unknown[]).length, f.path).toBeGreaterThan(0);
    });
  });

  describe('agents (scenarios/agents/)', () => {
    const agents = bySuite('agents');

    it('should ship at least four agentic scenarios with re-planning agents', () => {
      expect(agents.length).toBeGreaterThanOrEqual(4);
      for (const f of agents) expect(nodesOf(f.doc).some((n) => n['kind'] === 'agent' && n['replans'] === true), f.path).toBe(true);
    });

    it('should exercise tool-chaining and intent-drift between them', () => {
      const patterns = new Set(agents.flatMap(patternsOf));
      expect([...patterns]).toEqual(expect.arrayContaining(['tool-chaining', 'intent-drift', 'secret-replay']));
    });

    it('should show the costs: a non-refreshable task and several environments with different revocation latencies', () => {
      const tasks = agents.flatMap((f) => (f.doc['workload'] ?? []) as { refreshable?: boolean }[]);
      expect(tasks.some((t) => t.refreshable === false)).toBe(true);
      const latencies = agents.flatMap((f) => policiesOf(f).map(([, p]) => Object.keys((p['revocationLatency'] ?? {})).length));
      expect(Math.max(...latencies)).toBeGreaterThanOrEqual(3);
    });
  });
});
