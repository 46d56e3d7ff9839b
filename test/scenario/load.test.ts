import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ScenarioError, type ScenarioIssue } from '../../src/errors.js';
import { loadScenarioFile, loadScenarios, parseScenarioText } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';
import { brokered } from '../arbitraries/build.js';

afterAll(removeTempDirs);

const GOOD = 'test/fixtures/good/ci-deploy-key.yaml';
const bad = (name: string): string => `test/fixtures/bad/${name}`;

/** Loads a bad fixture and returns its issues (the load must fail). */
function issuesOf(file: string): ScenarioIssue[] {
  try {
    loadScenarioFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).name).toBe('ScenarioError');
    return [...(error as ScenarioError).issues];
  }
  throw new Error(`expected ${file} to be rejected`);
}

/** The only issue of a bad fixture, checked to name the file. */
function onlyIssue(file: string): ScenarioIssue {
  const issues = issuesOf(file);
  expect(issues).toHaveLength(1);
  const [issue] = issues;
  expect(issue?.file).toBe(file);
  return issue as ScenarioIssue;
}

describe('scenario/load', () => {
  describe('a valid file', () => {
    const s = loadScenarioFile(GOOD);

    it('should convert durations to integer milliseconds and apply scenario defaults', () => {
      expect(s.name).toBe('ci-deploy-key');
      expect(s.seed).toBe(7);
      expect(s.trials).toBe(200);
      expect(s.horizonMs).toBe(30 * 86_400_000);
      expect(s.defaultRotationMs).toBe(Infinity);
      expect(s.frameworks['owasp-nhi']).toEqual(['NHI2:2025', 'NHI7:2025']);
      expect(s.sensitivityWeights).toEqual({ public: 0, internal: 1, confidential: 3, regulated: 20 });
    });

    it('should resolve node defaults and sensitivity weights with overrides', () => {
      expect(s.nodes[0]).toEqual({
        kind: 'agent',
        id: 'ci-agent',
        replans: false,
        environment: 'aws',
        identity: 'workload',
        exposure: 'snapshot',
      });
      expect(s.nodes[1]).toEqual({ kind: 'tool', id: 'contractor-tool', environment: 'default', exposure: 'snapshot' });
      expect(s.nodes[3]).toMatchObject({ kind: 'resource', sensitivity: 'regulated', weight: 20, records: 2_000_000 });
      expect(s.nodes[4]).toEqual({
        kind: 'credential',
        id: 'deploy-key',
        type: 'api-key',
        ephemeralCapable: true,
        rotationMs: null,
      });
      expect(s.nodes[5]).toMatchObject({ type: 'secret', ephemeralCapable: false, rotationMs: 7 * 86_400_000 });
    });

    it('should key edges by kind, endpoints and repeat count, with deduplicated ordered actions', () => {
      expect(s.edges.map((e) => e.key)).toEqual([
        'holds:ci-agent->deploy-key#0',
        'holds:build-logs->deploy-key#0',
        'grants:deploy-key->prod-db#0',
        'grants:deploy-key->prod-db#1',
        'invokes:ci-agent->contractor-tool#0',
        'holds:contractor-tool->log-reader#0',
        'grants:log-reader->build-logs#0',
      ]);
      expect(s.edges[2]?.actions).toEqual(['read', 'write']);
      expect(s.edges[0]?.actions).toEqual([]);
    });

    it('should infer step credentials from the actor (the agent, or the via tool)', () => {
      const [periodic, oneOff] = s.workload;
      expect(periodic).toMatchObject({
        id: 'ci-agent#0',
        everyMs: 3_600_000,
        atMs: 0,
        durationMs: 600_000,
        timeoutMs: Infinity,
        refreshable: true,
      });
      expect(periodic?.steps[0]).toEqual({ target: 'prod-db', action: 'write', via: null, credential: 'deploy-key' });
      expect(oneOff).toMatchObject({
        everyMs: Infinity,
        atMs: 7_200_000,
        durationMs: 90_000,
        timeoutMs: 1_800_000,
        refreshable: false,
      });
      expect(oneOff?.steps[0]).toEqual({
        target: 'build-logs',
        action: 'read',
        via: 'contractor-tool',
        credential: 'log-reader',
      });
    });

    it('should name repeated patterns with -2 suffixes and resolve attack defaults', () => {
      expect(s.attacks.map((a) => a.name)).toEqual([
        'secret-replay',
        'lateral-movement',
        'secret-replay-2',
        'orphaned-credential',
      ]);
      expect(s.attacks[0]).toMatchObject({
        hopDelay: { kind: 'exponential', meanMs: 600_000 },
        maxHops: Infinity,
        leakAtMs: 172_800_000,
        replayDelay: { kind: 'lognormal', medianMs: 259_200_000, sigma: 1 },
      });
      expect(s.attacks[1]?.hopDelay).toEqual({ kind: 'exponential', meanMs: 7_200_000 });
      expect(s.attacks[2]).toMatchObject({ leakAtMs: 250, maxHops: 3, replayDelay: { kind: 'fixed', valueMs: 0 } });
      expect(s.attacks[3]).toMatchObject({
        credentials: ['deploy-key'],
        foundDelay: { kind: 'uniform', minMs: 86_400_000, maxMs: 432_000_000 },
      });
    });

    it('should resolve policies in file order, including presets and preset overrides', () => {
      expect(s.policies.map((p) => p.name)).toEqual(['persistent', 'ephemeral-15m', 'spiffe', 'sts-short', 'hybrid']);
      expect(s.policies[0]).toMatchObject({
        kind: 'persistent',
        rotationMs: 90 * 86_400_000,
        scope: 'all',
        detection: null,
      });
      // A persistent policy has no broker settings and no exceptions.
      expect(s.policies[0]).not.toHaveProperty('broker');
      expect(s.policies[0]).not.toHaveProperty('exceptions');
      expect(s.policies[1]).toMatchObject({
        broker: {
          ttlMs: 900_000,
          scope: 'task',
          revokeOn: { completion: true, failure: true, timeout: true },
          reevaluate: 'none',
          bindToWorkload: true,
        },
      });
      expect(s.policies[1]).not.toHaveProperty('exceptions');
      expect(s.policies[2]).toMatchObject({
        kind: 'ephemeral',
        broker: { ttlMs: 300_000, scope: 'step', reevaluate: 'every-step', bindToWorkload: true },
      });
      // Preset ephemeral-1h-sts with ttl and issuer overridden; the rest from the preset.
      expect(s.policies[3]).toMatchObject({
        broker: {
          ttlMs: 1_800_000,
          scope: 'role',
          revokeOn: { completion: false, failure: false, timeout: false },
          issuer: { latency: { kind: 'fixed', valueMs: 40 }, availability: 0.999 },
        },
      });
      expect(s.policies[4]).toMatchObject({
        kind: 'hybrid',
        detection: { probability: 0.2, delay: { kind: 'fixed', valueMs: 14_400_000 } },
        revocationLatency: {
          default: { kind: 'fixed', valueMs: 60_000 },
          byEnvironment: { aws: { kind: 'uniform', minMs: 300_000, maxMs: 3_600_000 } },
        },
        exceptions: [
          { match: { replans: null, maxSensitivity: null, environment: null, ids: ['log-reader'] }, rotationMs: 30 * 86_400_000 },
        ],
      });
    });

    it('should record the file as given and the sha256 of its bytes, and be frozen', () => {
      expect(s.source.file).toBe(GOOD);
      expect(s.source.sha256).toBe(createHash('sha256').update(readFileSync(GOOD)).digest('hex'));
      expect(Object.isFrozen(s)).toBe(true);
      expect(Object.isFrozen(brokered(s.policies[1]).broker.revokeOn)).toBe(true);
    });

    it('should resolve the same scenario from the equivalent JSON file', () => {
      const json = JSON.stringify(parse(readFileSync(GOOD, 'utf8')), null, 2);
      const result = parseScenarioText(json, 'same.json');
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect({ ...result.scenario, source: null }).toEqual({ ...s, source: null });
      expect(result.scenario.source.file).toBe('same.json');
    });
  });

  describe('hostile and malformed input', () => {
    it('should report a YAML syntax error with its position', () => {
      const issue = onlyIssue(bad('yaml-syntax.yaml'));
      expect(issue).toMatchObject({ code: 'syntax-error', line: 4, column: 1, path: '' });
    });

    it('should report an empty file', () => {
      expect(onlyIssue(bad('empty.yaml'))).toMatchObject({ code: 'empty-file', line: null, path: '' });
    });

    it('should refuse a YAML alias bomb without expanding it', () => {
      expect(onlyIssue(bad('alias-bomb.yaml')).code).toBe('too-many-aliases');
    });

    it('should refuse __proto__ and constructor keys anywhere', () => {
      const issues = issuesOf(bad('proto-keys.yaml'));
      expect(issues.map((i) => [i.code, i.path, i.line, i.column])).toEqual([
        ['forbidden-key', 'nodes[0].__proto__', 3, 33],
        ['forbidden-key', 'constructor', 13, 1],
      ]);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('should report a duplicate YAML key at the second occurrence', () => {
      expect(onlyIssue(bad('duplicate-yaml-key.yaml'))).toMatchObject({ code: 'duplicate-key', line: 3, column: 1 });
    });

    it('should reject files over 20 MB', () => {
      const result = parseScenarioText(`name: x\n#${'x'.repeat(20 * 1024 * 1024)}\n`, 'big.yaml');
      expect(result).toEqual({
        ok: false,
        issues: [
          expect.objectContaining({
            code: 'file-too-large',
            file: 'big.yaml',
            line: null,
            message: expect.stringMatching(/20 MB/),
          }),
        ],
      });
    });
  });

  describe('schema problems', () => {
    it('should report an unknown node kind with a hint', () => {
      expect(onlyIssue(bad('unknown-kind.yaml'))).toMatchObject({
        code: 'unknown-value',
        line: 4,
        column: 21,
        path: 'nodes[1].kind',
        hint: 'did you mean "resource"?',
      });
    });

    it('should report an unknown pattern with a hint', () => {
      expect(onlyIssue(bad('unknown-pattern.yaml'))).toMatchObject({
        code: 'unknown-value',
        line: 10,
        column: 16,
        path: 'attacks[0].pattern',
        hint: 'did you mean "lateral-movement"?',
      });
    });

    it('should report an unknown top-level key at the key, with a hint', () => {
      expect(onlyIssue(bad('unknown-top-level-key.yaml'))).toMatchObject({
        code: 'unknown-key',
        line: 2,
        column: 1,
        path: 'horizn',
        hint: 'did you mean "horizon"?',
      });
    });

    it('should report a malformed duration with the bad value', () => {
      const issue = onlyIssue(bad('bad-duration.yaml'));
      expect(issue).toMatchObject({ code: 'bad-duration', line: 2, column: 10, path: 'horizon' });
      // The message shows the bad value as written (the point of this message).
      expect(issue.message).toContain('"15 minutes"');
    });

    it('should report negative, fractional and absurd numbers', () => {
      const issues = issuesOf(bad('absurd-numbers.yaml'));
      expect(issues.map((i) => [i.code, i.path, i.line])).toEqual([
        ['out-of-range', 'trials', 2],
        ['wrong-type', 'seed', 3],
        ['bad-duration', 'horizon', 4],
        ['out-of-range', 'nodes[1].records', 7],
      ]);
    });

    it('should point a missing required key at its parent map', () => {
      const result = parseScenarioText(
        'name: x\nnodes:\n  - { id: a, kind: agent }\npolicies: { p: persistent-90d }\n',
        'm.yaml',
      );
      expect(result).toEqual({
        ok: false,
        issues: [expect.objectContaining({ code: 'missing-key', path: 'attacks', line: 1, column: 1 })],
      });
    });

    it('should hint misspelt keys and values inside policies and distributions', () => {
      const text =
        'name: x\nnodes:\n  - { id: a, kind: agent }\nattacks:\n  - { pattern: tool-chaining, agent: a, at: 1h, hopDelay: { exponential: { mean: 2 hours } } }\npolicies:\n  p: { kind: ephemeral, tll: 5m }\n  r: { kind: persistant }\n';
      const result = parseScenarioText(text, 'h.yaml');
      expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path, i.line, i.hint])).toEqual([
        ['bad-duration', 'attacks[0].hopDelay.exponential.mean', 5, undefined],
        ['unknown-key', 'policies.p.tll', 7, 'did you mean "ttl"?'],
        ['unknown-value', 'policies.r.kind', 8, 'did you mean "persistent"?'],
      ]);
    });

    it('should locate problems in JSON files too', () => {
      const issues = issuesOf(bad('bad-json.json'));
      expect(issues.map((i) => [i.code, i.path, i.line, i.hint])).toEqual([
        ['unknown-reference', 'attacks[0].agent', 4, 'did you mean "a"?'],
        ['bad-duration', 'policies.p.rotation', 5, undefined],
      ]);
    });
  });

  describe('reference problems', () => {
    it('should report an unknown reference with a hint', () => {
      expect(onlyIssue(bad('unknown-reference.yaml'))).toMatchObject({
        code: 'unknown-reference',
        line: 8,
        column: 22,
        path: 'edges[1].to',
        hint: 'did you mean "db"?',
      });
    });

    it('should report an edge between kinds SPEC §1 forbids', () => {
      const issue = onlyIssue(bad('forbidden-edge.yaml'));
      expect(issue).toMatchObject({ code: 'wrong-kind', line: 8, column: 13, path: 'edges[1].from' });
    });

    it('should report a duplicate node id at the second definition', () => {
      expect(onlyIssue(bad('duplicate-node-id.yaml'))).toMatchObject({
        code: 'duplicate-id',
        line: 6,
        column: 11,
        path: 'nodes[3].id',
      });
    });

    it('should report every problem of a file in one run, in reading order', () => {
      const issues = issuesOf(bad('many-problems.yaml'));
      expect(issues.map((i) => [i.code, i.path, i.line])).toEqual([
        ['out-of-range', 'trials', 3],
        ['unknown-key', 'nodes[0].replan', 5],
        ['unknown-value', 'nodes[1].sensitivity', 6],
        ['unknown-reference', 'edges[1].to', 10],
        ['missing-key', 'edges[2].actions', 11],
        ['after-horizon', 'attacks[0].leakAt', 15],
        ['wrong-kind', 'attacks[1].agent', 16],
        ['bad-duration', 'policies.ephemeral.ttl', 18],
        ['unknown-preset', 'policies.jit', 19],
        ['not-allowed', 'policies.persistent.exceptions', 20],
      ]);
      expect(issues.find((i) => i.path === 'nodes[0].replan')?.hint).toBe('did you mean "replans"?');
      expect(issues.find((i) => i.path === 'policies.jit')?.hint).toBe('did you mean "ephemeral-15m"?');
    });
  });

  describe('issue codes', () => {
    it('should give every issue of every bad fixture a machine code', () => {
      const files = readdirSync('test/fixtures/bad').map((name) => bad(name));
      const issues = files.flatMap((file) => issuesOf(file));
      expect(issues.length).toBeGreaterThan(files.length);
      expect(issues.filter((i) => i.code === undefined)).toEqual([]);
    });
  });

  describe('loadScenarios', () => {
    it('should walk folders sorted by path, skip policies/ and report duplicate names', () => {
      const dir = tempDir('blastlab-load-');
      const good = readFileSync(GOOD, 'utf8');
      mkdirSync(join(dir, 'b'));
      mkdirSync(join(dir, 'policies'));
      writeFileSync(join(dir, 'b', 'one.yml'), good.replace('name: ci-deploy-key', 'name: one'));
      writeFileSync(join(dir, 'a.yaml'), good.replace('name: ci-deploy-key', 'name: two'));
      writeFileSync(join(dir, 'c.yaml'), good.replace('name: ci-deploy-key', 'name: one'));
      writeFileSync(join(dir, 'policies', 'p.yaml'), 'kind: persistent\n');
      writeFileSync(join(dir, 'notes.txt'), 'not a scenario');
      const { scenarios, issues } = loadScenarios([dir]);
      expect(scenarios.map((s) => [s.name, s.source.file])).toEqual([
        ['two', join(dir, 'a.yaml')],
        ['one', join(dir, 'b', 'one.yml')],
      ]);
      expect(issues).toEqual([
        expect.objectContaining({ code: 'duplicate-name', file: join(dir, 'c.yaml'), path: 'name', line: 2 }),
      ]);
    });

    it('should report a missing path as an issue instead of throwing', () => {
      const { scenarios, issues } = loadScenarios(['does/not/exist.yaml']);
      expect(scenarios).toEqual([]);
      expect(issues).toEqual([expect.objectContaining({ code: 'unreadable', file: 'does/not/exist.yaml', line: null })]);
    });
  });
  describe('warnings', () => {
    it('should warn, at the key, for each broker key on a persistent policy, and load the file', () => {
      const dir = tempDir('blastlab-warn-');
      const file = join(dir, 'warn.yaml');
      const good = readFileSync(GOOD, 'utf8');
      writeFileSync(
        file,
        good.replace(
          '  persistent: { kind: persistent, rotation: 90d }',
          '  persistent: { kind: persistent, rotation: 90d, ttl: 15m, scope: intent, issuer: { latency: 40ms } }\n  quarterly: { preset: persistent-90d, revokeOn: [completion] }',
        ),
      );
      const line = good.split('\n').findIndex((l) => l.startsWith('  persistent: {')) + 1;
      const { scenarios, issues, warnings } = loadScenarios([file]);
      expect(issues).toEqual([]);
      expect(scenarios).toHaveLength(1);
      expect(warnings.map((w) => [w.code, w.path, w.line, w.file])).toEqual([
        ['ignored-key', 'policies.persistent.ttl', line, file],
        ['ignored-key', 'policies.persistent.issuer', line, file],
        ['ignored-key', 'policies.quarterly.revokeOn', line + 1, file],
      ]);
      expect(warnings[0]?.message).toContain('persistent policy ignores it');
    });

    it('should not warn for broker keys on ephemeral and hybrid policies or a standing scope', () => {
      expect(loadScenarios([GOOD]).warnings).toEqual([]);
    });
  });
});
