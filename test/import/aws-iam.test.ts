/** `import aws-iam` over an authorization-details export and a credential report written from AWS's docs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { importAwsIam } from '../../src/import/aws-iam.js';
import { classifyAction } from '../../src/import/aws-iam-policy.js';
import { readCredentialReport } from '../../src/import/aws-iam-report.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { issuesOf } from '../issues.js';

const DIR = join(import.meta.dirname, '../fixtures/import');
const DETAILS = join(DIR, 'aws/authorization-details.json');
const REPORT = join(DIR, 'aws/credential-report.csv');
const { scenario: doc, summary } = importAwsIam(DETAILS, { credentialReport: REPORT, asOf: '2026-12-01T12:00:00Z' });
const node = (id: string) => doc.nodes.find((n) => n.id === id);
const edges = (kind: string, from?: string, to?: string) =>
  (doc.edges ?? []).filter(
    (e) => e.kind === kind && (from === undefined || e.from === from) && (to === undefined || e.to === to),
  );

describe('import/aws-iam', () => {
  it('should produce a scenario that loads, with the given asOf', () => {
    const loaded = parseScenarioText(stringify(doc, { aliasDuplicateObjects: false }), 'aws.yaml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    expect(loaded.scenario.asOf).toBe('2026-12-01T12:00:00Z');
  });

  it("should make users agents holding one credential per active key with the report's real dates", () => {
    expect(node('iam-user:legacy-backup')).toMatchObject({
      kind: 'agent',
      identity: 'shared-secret',
      provenance: { id: 'arn:aws:iam::111122223333:user/service/legacy-backup' },
    });
    expect(node('iam-key:legacy-backup:1')).toMatchObject({
      type: 'aws-access-key',
      createdAt: '2022-05-10T09:05:00+00:00',
      lastRotatedAt: '2022-05-10T09:05:00+00:00',
      lastUsedAt: '2026-04-20T02:00:00+00:00',
    });
    // Key 2 is active but never used (N/A): its last use is unknown, not an error.
    expect(node('iam-key:legacy-backup:2')).not.toHaveProperty('lastUsedAt');
    // no_information also means unknown.
    expect(node('iam-key:analytics-reader:1')).not.toHaveProperty('lastUsedAt');
    expect(edges('holds', 'iam-user:legacy-backup').map((e) => e.to)).toEqual([
      'iam-key:legacy-backup:1',
      'iam-key:legacy-backup:2',
    ]);
  });

  it('should make roles STS sessions with RoleLastUsed, held by a workload agent when a service is trusted', () => {
    expect(node('iam-role:lambda-exec')).toMatchObject({
      type: 'aws-sts-session',
      nativeTtl: '1h',
      lastUsedAt: '2026-12-01T06:00:00Z',
    });
    expect(node('workload:lambda-exec')).toMatchObject({ kind: 'agent', identity: 'workload' });
    expect(edges('holds', 'workload:lambda-exec', 'iam-role:lambda-exec')).toHaveLength(1);
  });

  it('should turn trust policies into assumes: named users, the account root with an allowing identity policy, other accounts, OIDC providers', () => {
    expect(
      edges('assumes', undefined, 'iam-role:deploy-role')
        .map((e) => e.from)
        .sort(),
    ).toEqual(['federated:token.actions.githubusercontent.com/token', 'iam-key:ci-deployer:1']);
    // The account root is trusted: only principals whose policies allow sts:AssumeRole on it may.
    expect(edges('assumes', undefined, 'iam-role:break-glass-admin').map((e) => e.from)).toEqual(['iam-key:ci-deployer:1']);
    expect(edges('assumes', undefined, 'iam-role:vendor-monitoring').map((e) => e.from)).toEqual([
      'external:999988887777/credential',
    ]);
  });

  it('should grant on one resource per ARN, collapse * per service and account, and class actions', () => {
    expect(edges('grants', 'iam-key:legacy-backup:1').map((e) => [e.to, e.actions])).toEqual([
      ['arn:aws:s3:::prod-backups', ['read', 'write']],
      ['aws:kms:111122223333', ['write']],
    ]);
    expect(edges('grants', 'iam-role:break-glass-admin').map((e) => [e.to, e.actions])).toEqual([
      ['aws:all:111122223333', ['admin']],
    ]);
    expect(node('aws:all:111122223333')).toMatchObject({ sensitivity: 'regulated' });
    // A URL-encoded policy document (raw API form) is read too.
    expect(edges('grants', 'iam-key:analytics-reader:1').map((e) => e.to)).toEqual([
      'aws:athena:111122223333',
      'aws:s3:111122223333',
    ]);
  });

  it('should say what it did not evaluate, with counts', () => {
    expect(summary.ignored).toMatchObject({
      'Deny statements (not evaluated: grants may be overstated)': 1,
      'statements with NotAction / NotResource (not evaluated, skipped)': 1,
      'statements with Condition (granted as if the condition held)': 1,
      'credential report root-account row (not modelled)': 1,
    });
  });

  it('should class actions read / write / admin, overridable by the map', () => {
    expect(
      [
        's3:GetObject',
        'ec2:Describe*',
        's3:PutObject',
        'ec2:CreateTags',
        'iam:PassRole',
        's3:*',
        '*',
        'iam:PutRolePolicy',
        'iam:CreateAccessKey',
      ].map((a) => classifyAction(a)),
    ).toEqual(['read', 'read', 'write', 'write', 'admin', 'admin', 'admin', 'admin', 'admin']);
    expect(classifyAction('s3:GetObject', { actions: { 's3:Get*': 'write' } })).toBe('write');
  });

  it('should take only recently used credentials as intent with --intent observed', () => {
    const observed = importAwsIam(DETAILS, {
      credentialReport: REPORT,
      intent: 'observed',
      asOf: '2026-12-01T12:00:00Z',
    }).scenario;
    const agents = (d: typeof doc) => (d.workload ?? []).map((t) => t.agent).sort();
    expect(agents(doc)).toEqual([
      'iam-user:analytics-reader',
      'iam-user:ci-deployer',
      'iam-user:legacy-backup',
      'workload:lambda-exec',
    ]);
    // legacy-backup last used 225 days ago; analytics-reader's key has no information; ci-deployer's key
    // was last used on sts (assuming its role), so none of its own grants are observed intent.
    expect(agents(observed)).toEqual(['workload:lambda-exec']);
  });

  it('should write an orphaned-credential attack for the stale key and replay the standing ones', () => {
    expect(doc.attacks.filter((a) => a.pattern === 'orphaned-credential').map((a) => a.name)).toEqual([
      'orphaned-iam-key-legacy-backup-1',
    ]);
    expect(
      doc.attacks.filter((a) => a.pattern === 'secret-replay').map((a) => (a.pattern === 'secret-replay' ? a.credential : ''))[0],
    ).toBe('iam-key:legacy-backup:1');
  });

  it('should default asOf to the newest timestamp in the inputs', () => {
    expect(importAwsIam(DETAILS, { credentialReport: REPORT }).scenario.asOf).toBe('2026-12-01T06:00:00Z');
  });

  it('should name the file and line of a truncated export, and the path of an unknown key', () => {
    const truncated = issuesOf(() => importAwsIam(join(DIR, 'aws-bad-truncated.json')));
    expect(truncated[0]).toMatchObject({
      file: expect.stringContaining('aws-bad-truncated.json'),
      message: expect.stringContaining('syntax error'),
    });
    expect(truncated[0]!.line).toBeGreaterThan(1);
    const unknown = issuesOf(() => importAwsIam(join(DIR, 'aws-bad-unknown-key.json')));
    expect(unknown.map((i) => i.path)).toEqual(['UserDetailList[0].UserNmae', 'UserDetailList[0]']);
    expect(unknown[0]!.hint).toBe('did you mean "UserName"?');
  });

  it('should read sentinel cells as unknown but reject a bad date or a short row with its line', () => {
    const report = readCredentialReport(REPORT);
    expect(report.root).toBe(true);
    expect(report.byArn.get('arn:aws:iam::111122223333:user/analytics-reader')!.keys).toEqual([
      { n: 1, lastRotated: '2025-03-01T00:10:00+00:00', lastUsed: null, lastUsedService: null },
    ]);
    const issues = issuesOf(() => readCredentialReport(join(DIR, 'aws-bad-report.csv')));
    expect(issues.map((i) => [i.line, i.path, i.code])).toEqual([
      [3, 'access_key_1_last_used_date', 'bad-format'],
      [4, '', 'bad-row'],
    ]);
  });

  describe('bad input codes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blastlab-aws-codes-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const codesOf = (fn: () => unknown) => issuesOf(fn).map((i) => `${i.path}: ${i.code}`);
    const user = { UserName: 'u', Arn: 'arn:aws:iam::111122223333:user/u' };

    it('should refuse what is not an authorization-details export', () => {
      expect(codesOf(() => importAwsIam(file('list.json', '[]')))).toEqual([': not-an-iam-export']);
      expect(codesOf(() => importAwsIam(file('policies.json', '{"Policies": []}')))).toEqual([': not-an-iam-export']);
      expect(codesOf(() => importAwsIam(file('empty.json', '{"UserDetailList": []}')))).toEqual([': nothing-to-model']);
    });

    it('should give each problem of the lists, the groups and the policy documents its code', () => {
      const details = {
        IsTruncated: true,
        Marker: 'next',
        RoleDetailList: 'none',
        Policies: [{ Arn: 'arn:aws:iam::111122223333:policy/p', PolicyVersionList: [{ IsDefaultVersion: false }] }],
        UserDetailList: [
          5,
          { UserName: 'no-arn' },
          {
            ...user,
            GroupList: ['ghost'],
            UserPolicyList: [
              { PolicyName: 'a', PolicyDocument: '%7B' },
              { PolicyName: 'b', PolicyDocument: 5 },
              { PolicyName: 'c', PolicyDocument: { Statement: [5] } },
            ],
          },
        ],
      };
      expect(codesOf(() => importAwsIam(file('bad.json', JSON.stringify(details, null, 2))))).toEqual([
        'IsTruncated: truncated-export',
        'Policies[0].PolicyVersionList: no-default-version',
        'UserDetailList[0]: wrong-type',
        'UserDetailList[1]: missing-key',
        'UserDetailList[2].UserPolicyList[0].PolicyDocument: syntax-error',
        'UserDetailList[2].UserPolicyList[1].PolicyDocument: wrong-type',
        'UserDetailList[2].UserPolicyList[2].PolicyDocument.Statement[0]: wrong-type',
        'UserDetailList[2].GroupList[0]: unknown-reference',
        'RoleDetailList: wrong-type',
      ]);
    });

    it('should refuse a credential report without its columns or with a key state other than true or false', () => {
      expect(codesOf(() => readCredentialReport(file('columns.csv', 'user,arn\nu,arn:x\n')))).toEqual([': missing-column']);
      const [header, row] = readFileSync(join(DIR, 'aws-bad-report.csv'), 'utf8').split('\n');
      const active = header!.split(',').indexOf('access_key_1_active');
      const cells = row!.split(',');
      cells[active] = 'yes';
      expect(codesOf(() => readCredentialReport(file('active.csv', `${header}\n${cells.join(',')}\n`)))).toEqual([
        'access_key_1_active: unknown-value',
      ]);
    });
  });
});

describe('import/aws-iam order independence', () => {
  it('should write the same scenario whatever the order of users, roles, groups, policies and report rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blastlab-aws-order-'));
    try {
      const data = JSON.parse(readFileSync(DETAILS, 'utf8')) as Record<string, unknown[]>;
      for (const key of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'])
        data[key] = [...data[key]!].reverse();
      writeFileSync(join(dir, 'auth.json'), JSON.stringify(data));
      const [header, ...rows] = readFileSync(REPORT, 'utf8').trim().split('\n');
      writeFileSync(join(dir, 'report.csv'), `${[header, ...rows.reverse()].join('\n')}\n`);
      const reversed = importAwsIam(join(dir, 'auth.json'), {
        credentialReport: join(dir, 'report.csv'),
        asOf: '2026-12-01T12:00:00Z',
      });
      expect(reversed.scenario).toEqual(doc);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
