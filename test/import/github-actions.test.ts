/** `import github-actions` over a repository written from GitHub's workflow syntax docs. */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/errors.js';
import { importGithubActions } from '../../src/import/github-actions.js';
import { cronPeriodMinutes, pinOf } from '../../src/import/github-actions-workflow.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { stringify } from 'yaml';
import { tempDir } from '../e2e/helpers.js';
import { issuesOf } from '../issues.js';

const REPO = join(import.meta.dirname, '../fixtures/import/gha-repo');
const BAD = join(import.meta.dirname, '../fixtures/import/gha-bad');
const result = importGithubActions(REPO, { repo: 'example-org/web' });
const doc = result.scenario;
const node = (id: string) => doc.nodes.find((n) => n.id === id);
const edges = (kind: string, from?: string, to?: string) =>
  (doc.edges ?? []).filter(
    (e) => e.kind === kind && (from === undefined || e.from === from) && (to === undefined || e.to === to),
  );
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('import/github-actions', () => {
  it('should produce a scenario that loads like any scenario file', () => {
    const loaded = parseScenarioText(stringify(doc, { aliasDuplicateObjects: false }), 'ci.yaml');
    expect(loaded.ok ? loaded.scenario.policies.map((p) => p.name) : loaded.issues).toEqual(['as-is', 'ephemeral', 'hybrid']);
  });

  it('should make each job an agent with its identity: workload only when it logs in with OIDC', () => {
    expect(node('gha:release/publish')).toMatchObject({
      kind: 'agent',
      environment: 'github-actions',
      identity: 'workload',
      provenance: { source: 'github-actions', id: '.github/workflows/release.yml#jobs.publish' },
    });
    expect(node('gha:ci/test')).toMatchObject({ identity: 'shared-secret' });
    // A job calling a local reusable workflow is not an agent; the callee's jobs are.
    expect(node('gha:nightly/audit')).toBeUndefined();
    expect(node('gha:reusable-audit/scan')).toMatchObject({ kind: 'agent' });
  });

  it('should give each referenced secret a credential held by the job, targeted from the catalog', () => {
    expect(edges('holds', 'gha:release/publish').map((e) => e.to)).toEqual(
      expect.arrayContaining(['secret:NPM_TOKEN', 'secret:DOCKERHUB_TOKEN', 'github-token:release/publish']),
    );
    expect(node('secret:NPM_TOKEN')).toMatchObject({ type: 'npm-token', ephemeralCapable: true });
    expect(edges('grants', 'secret:NPM_TOKEN')).toEqual([
      { from: 'secret:NPM_TOKEN', to: 'registry:npm', kind: 'grants', actions: ['write'] },
    ]);
  });

  it('should give all secrets to toJSON(secrets) and to secrets: inherit, and only named ones otherwise', () => {
    const all = [
      'secret:AWS_ACCESS_KEY_ID',
      'secret:AWS_SECRET_ACCESS_KEY',
      'secret:BOT_TOKEN',
      'secret:CODECOV_TOKEN',
      'secret:DOCKERHUB_TOKEN',
      'secret:NPM_TOKEN',
      'secret:SLACK_WEBHOOK_URL',
    ];
    const secretsOf = (job: string) =>
      edges('holds', job)
        .map((e) => e.to)
        .filter((c) => c.startsWith('secret:'))
        .sort();
    expect(secretsOf('gha:nightly/debug')).toEqual(all);
    expect(secretsOf('gha:reusable-audit/scan')).toEqual(all);
    expect(secretsOf('gha:ci/test')).toEqual(['secret:CODECOV_TOKEN']);
    expect(secretsOf('gha:ci/lint')).toEqual([]);
  });

  it('should let the repository run every job, so write on it gives control of the job (runs edges)', () => {
    const jobs = doc.nodes
      .filter((n) => n.kind === 'agent')
      .map((n) => n.id)
      .sort();
    expect(jobs.length).toBeGreaterThan(3);
    expect(
      edges('runs', 'repo:example-org/web')
        .map((e) => e.to)
        .sort(),
    ).toEqual(jobs);
    expect(node('repo:example-org/web')).toMatchObject({ kind: 'resource' });
  });

  it('should let every action of a job hold every credential of the job (the runner memory)', () => {
    const tj = 'action:tj-actions/changed-files@v45';
    expect(node(tj)).toMatchObject({ kind: 'tool', provenance: { id: 'tj-actions/changed-files@v45' } });
    expect(edges('invokes', 'gha:ci/test', tj)).toHaveLength(1);
    expect(
      edges('holds', tj)
        .map((e) => e.to)
        .sort(),
    ).toEqual(['github-token:ci/test', 'secret:CODECOV_TOKEN']);
    // Composite actions of the repository are expanded: their actions run in the same job.
    expect(edges('invokes', 'gha:ci/test', 'action:actions/setup-node@v4')).toHaveLength(1);
  });

  it('should turn permissions (and GitHub defaults) into GITHUB_TOKEN grants with the job as native lifetime', () => {
    expect(node('github-token:ci/test')).toMatchObject({ type: 'github-token', nativeTtl: '30m' });
    expect(edges('grants', 'github-token:ci/test').map((e) => [e.to, e.actions])).toEqual([['repo:example-org/web', ['read']]]);
    expect(edges('grants', 'github-token:release/notify')).toEqual([]); // permissions: {}
    // No permissions anywhere: the permissive default writes every scope.
    expect(edges('grants', 'github-token:nightly/debug', 'repo:example-org/web')[0]!.actions).toEqual(['read', 'write']);
    const restricted = importGithubActions(REPO, { repo: 'example-org/web', defaultPermissions: 'restricted' }).scenario;
    expect(
      (restricted.edges ?? [])
        .filter((e) => e.kind === 'grants' && e.from === 'github-token:nightly/debug')
        .map((e) => [e.to, e.actions]),
    ).toEqual([
      ['packages:example-org/web', ['read']],
      ['repo:example-org/web', ['read']],
    ]);
  });

  it('should turn id-token: write and the AWS login action into an OIDC token that assumes the role', () => {
    expect(node('oidc:release/publish')).toMatchObject({ kind: 'credential', type: 'github-oidc-token' });
    expect(node('iam-role:deploy-role')).toMatchObject({
      type: 'aws-session',
      nativeTtl: '1h',
      provenance: { id: 'arn:aws:iam::111122223333:role/deploy-role' },
    });
    expect(edges('assumes', 'oidc:release/publish', 'iam-role:deploy-role')).toHaveLength(1);
  });

  it('should schedule crons as task periods and events at --runs-per-day, with credential-using steps as intent', () => {
    const nightly = doc.workload!.filter((t) => t.agent === 'gha:nightly/debug').map((t) => t.every);
    expect(nightly).toEqual(['1d', '6h']);
    const ci = importGithubActions(REPO, { runsPerDay: 24 }).scenario.workload!.find((t) => t.agent === 'gha:ci/test')!;
    expect(ci.every).toBe('1h');
    expect(ci.steps).toEqual([
      { target: 'repo:gha-repo', action: 'read', credential: 'github-token:ci/test' },
      { target: 'saas:codecov', action: 'write', credential: 'secret:CODECOV_TOKEN' },
    ]);
  });

  it('should attack unpinned third-party actions and untrusted checkouts, but not SHA-pinned or first-party actions', () => {
    const lateral = doc.attacks
      .filter((a) => a.pattern === 'lateral-movement')
      .map((a) => (a.pattern === 'lateral-movement' ? a.entry : ''));
    expect(lateral).toContain('action:tj-actions/changed-files@v45');
    expect(lateral).toContain('gha:pr-labeler/label');
    expect(lateral).not.toContain('action:some-org/cloud-audit-action@2f1e0c4d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e');
    expect(lateral).not.toContain('action:actions/checkout@v4');
  });

  it('should not depend on the order of workflow files or map keys', () => {
    const dir = tempDir('blastlab-gha-');
    temps.push(dir);
    cpSync(REPO, dir, { recursive: true });
    // Same content under other file names sorts differently on disk.
    rmSync(join(dir, '.github/workflows/ci.yml'));
    cpSync(join(REPO, '.github/workflows/ci.yml'), join(dir, '.github/workflows/zz-ci.yml'));
    const renamed = importGithubActions(dir, { repo: 'example-org/web' }).scenario;
    const ids = (d: typeof doc) => d.nodes.map((n) => n.id).filter((id) => !id.includes('ci/') && !id.includes('zz-ci/'));
    expect(ids(renamed)).toEqual(ids(doc));
  });

  it('should report YAML errors and unknown keys with file, line and path, and a hint', () => {
    let error: unknown;
    try {
      importGithubActions(BAD);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const issues = (error as ScenarioError).issues;
    expect(issues.find((i) => i.file.endsWith('broken.yml'))).toMatchObject({ code: 'syntax-error', line: 10 });
    expect(issues.find((i) => i.file.endsWith('typo.yml'))).toMatchObject({
      code: 'unknown-key',
      line: 6,
      path: 'jobs.build.permisions',
      hint: 'did you mean "permissions"?',
    });
  });

  it('should reject a missing workflows folder, a bad cron and an action without a ref', () => {
    const dir = tempDir('blastlab-gha-');
    temps.push(dir);
    expect(issuesOf(() => importGithubActions(dir))).toMatchObject([{ code: 'not-a-repository', file: dir }]);
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(
      join(dir, '.github/workflows/x.yml'),
      'on:\n  schedule:\n    - cron: "every day"\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: foo/bar\n',
    );
    expect(issuesOf(() => importGithubActions(dir)).map((i) => [i.path, i.line, i.code])).toEqual([
      ['on.schedule[0].cron', 3, 'bad-format'],
      ['jobs.a.steps[0].uses', 8, 'bad-format'],
    ]);
  });

  it('should give every problem of a workflow its code', () => {
    const dir = tempDir('blastlab-gha-codes-');
    temps.push(dir);
    const workflows = join(dir, '.github/workflows');
    mkdirSync(workflows, { recursive: true });
    const write = (name: string, value: unknown) => writeFileSync(join(workflows, name), stringify(value));
    write('a-list.yml', ['on', 'jobs']);
    write('b-shape.yml', { jobs: 'build' });
    write('c-jobs.yml', {
      on: { push: null, schedule: 'daily' },
      permissions: 'read-some',
      jobs: {
        scalar: 5,
        empty: { 'runs-on': 'x' },
        call: { uses: './.github/workflows/gone.yml' },
        perms: {
          'runs-on': 'x',
          permissions: { contents: 'admin', secretz: 'read' },
          steps: [5, { uses: './missing-action' }],
        },
        numeric: { 'runs-on': 'x', permissions: 7, steps: [] },
      },
    });
    const got = issuesOf(() => importGithubActions(dir)).map((i) => `${basename(i.file)} ${i.path}: ${i.code}`);
    expect(got.sort()).toEqual(
      [
        'a-list.yml : not-a-workflow',
        'b-shape.yml : missing-key',
        'b-shape.yml jobs: wrong-type',
        'c-jobs.yml on.schedule: wrong-type',
        'c-jobs.yml permissions: unknown-value',
        'c-jobs.yml jobs.scalar: wrong-type',
        'c-jobs.yml jobs.empty: missing-key',
        'c-jobs.yml jobs.call.uses: not-in-repository',
        'c-jobs.yml jobs.perms.permissions.contents: unknown-value',
        'c-jobs.yml jobs.perms.permissions.secretz: unknown-key',
        'c-jobs.yml jobs.perms.steps[0]: wrong-type',
        'c-jobs.yml jobs.perms.steps[1].uses: not-in-repository',
        'c-jobs.yml jobs.numeric.permissions: wrong-type',
      ].sort(),
    );
  });

  it('should classify pins and cron periods', () => {
    expect([pinOf('11bd71901bbe5b1630ceea73d27597364c9af683'), pinOf('v4'), pinOf('v4.2.2'), pinOf('main')]).toEqual([
      'sha',
      'tag',
      'tag',
      'branch',
    ]);
    expect([
      cronPeriodMinutes('0 * * * *'),
      cronPeriodMinutes('*/15 * * * *'),
      cronPeriodMinutes('30 2 * * *'),
      cronPeriodMinutes('0 9 * * 1-5'),
      cronPeriodMinutes('0 0 1 * *'),
    ]).toEqual([60, 15, 1440, 2016, 43200]);
    expect(cronPeriodMinutes('daily')).toBeNull();
  });
});

describe('import/yaml-out', () => {
  it('should write YAML that parses back to the same data, quoting what YAML would misread', async () => {
    const { toYaml } = await import('../../src/import/yaml-out.js');
    const { parse } = await import('yaml');
    const data = {
      name: 'x',
      s: ['true', 'null', '1d', 'a: b', '#c', '-d', 'ok/id@v1', "it's"],
      n: 3,
      b: false,
      nested: { deep: [{ a: 1, list: ['x'] }], empty: [] },
      long: [{ text: 'y'.repeat(300) }],
    };
    expect(parse(toYaml(data))).toEqual(data);
    expect(parse(toYaml(doc as unknown as Record<string, unknown>))).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
