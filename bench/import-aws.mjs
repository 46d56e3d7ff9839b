// Import speed (issue 11): `blastlab import aws-iam` of a generated 5,000-role / 2,000-user export with
// a credential report (goal ≤ 10 s), and `import github-actions` of a generated 100-workflow
// repository (goal ≤ 2 s). Each is timed as the user runs it: the CLI in a child process, wall clock,
// output validated and written. Inputs are generated deterministically into a temp folder.
// Usage: npm run build && node bench/import-aws.mjs [roles] [users] [workflows]
// A measurement, not a test: run it on a quiet machine, a few times.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROLES = Number(process.argv[2] ?? 5000);
const USERS = Number(process.argv[3] ?? 2000);
const WORKFLOWS = Number(process.argv[4] ?? 100);
const ACCT = '111122223333';
const BIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'blastlab-bench-import-'));

// A seeded generator (mulberry32) so every run measures the same input.
let state = 42;
const rand = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(rand() * list.length)];
const arn = (kind, name) => `arn:aws:iam::${ACCT}:${kind}/${name}`;
const doc = (...Statement) => ({ Version: '2012-10-17', Statement });
const date = (daysAgo) => new Date(Date.UTC(2026, 11, 1) - daysAgo * 86_400_000).toISOString().replace('.000Z', 'Z');
const SERVICES = ['s3', 'dynamodb', 'sqs', 'sns', 'lambda', 'kms', 'secretsmanager', 'logs', 'ec2', 'rds'];
const VERBS = ['Get', 'Put', 'List', 'Describe', 'Delete', 'Update', 'Create'];
const statement = (team) => {
  const svc = pick(SERVICES);
  const actions = Array.from(
    { length: 3 },
    () => `${svc}:${pick(VERBS)}${pick(['Object', 'Item', 'Queue', 'Function', 'Key', 'Secret', 'Bucket'])}`,
  );
  const resource =
    rand() < 0.2 ? '*' : `arn:aws:${svc}:us-east-1:${ACCT}:${svc === 's3' ? '' : 'res/'}team-${team}-${Math.floor(rand() * 20)}`;
  return {
    Effect: 'Allow',
    Action: actions,
    Resource: resource,
    ...(rand() < 0.1 ? { Condition: { Bool: { 'aws:SecureTransport': 'true' } } } : {}),
  };
};

function generateAws() {
  const teams = 50;
  const Policies = Array.from({ length: 200 }, (_, i) => ({
    PolicyName: `managed-${i}`,
    PolicyId: `ANPA${String(i).padStart(17, '0')}`,
    Arn: arn('policy', `managed-${i}`),
    Path: '/',
    DefaultVersionId: 'v1',
    AttachmentCount: 1,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: date(900),
    UpdateDate: date(300),
    PolicyVersionList: [
      {
        VersionId: 'v1',
        IsDefaultVersion: true,
        CreateDate: date(300),
        Document: doc(statement(i % teams), statement(i % teams)),
      },
    ],
  }));
  const GroupDetailList = Array.from({ length: teams }, (_, t) => ({
    Path: '/',
    GroupName: `team-${t}`,
    GroupId: `AGPA${String(t).padStart(17, '0')}`,
    Arn: arn('group', `team-${t}`),
    CreateDate: date(1000),
    GroupPolicyList: [
      {
        PolicyName: 'team',
        PolicyDocument: doc(statement(t), { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arn('role', `team-${t}-*`) }),
      },
    ],
    AttachedManagedPolicies: [{ PolicyName: `managed-${t}`, PolicyArn: arn('policy', `managed-${t}`) }],
  }));
  const UserDetailList = Array.from({ length: USERS }, (_, i) => ({
    Path: '/',
    UserName: `user-${i}`,
    UserId: `AIDA${String(i).padStart(17, '0')}`,
    Arn: arn('user', `user-${i}`),
    CreateDate: date(100 + (i % 1500)),
    UserPolicyList: rand() < 0.3 ? [{ PolicyName: 'inline', PolicyDocument: doc(statement(i % teams)) }] : [],
    GroupList: [`team-${i % teams}`],
    AttachedManagedPolicies: [],
    Tags: [],
  }));
  const RoleDetailList = Array.from({ length: ROLES }, (_, i) => {
    const team = i % teams;
    const r = rand();
    const principal =
      r < 0.6
        ? { Service: pick(['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']) }
        : r < 0.9
          ? { AWS: `arn:aws:iam::${ACCT}:root` }
          : { AWS: arn('user', `user-${Math.floor(rand() * USERS)}`) };
    return {
      Path: '/',
      RoleName: `team-${team}-role-${i}`,
      RoleId: `AROA${String(i).padStart(17, '0')}`,
      Arn: arn('role', `team-${team}-role-${i}`),
      CreateDate: date(50 + (i % 1200)),
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }),
      InstanceProfileList: [],
      RolePolicyList: [{ PolicyName: 'inline', PolicyDocument: doc(statement(team), statement(team), statement(team)) }],
      AttachedManagedPolicies: [{ PolicyName: `managed-${(i * 7) % 200}`, PolicyArn: arn('policy', `managed-${(i * 7) % 200}`) }],
      Tags: [],
      RoleLastUsed: rand() < 0.8 ? { LastUsedDate: date(Math.floor(rand() * 400)), Region: 'us-east-1' } : {},
    };
  });
  writeFileSync(join(dir, 'auth.json'), JSON.stringify({ UserDetailList, GroupDetailList, RoleDetailList, Policies }));
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const rows = UserDetailList.map((u, i) => {
    const two = rand() < 0.2;
    const used = rand() < 0.85 ? `${date(Math.floor(rand() * 300))},us-east-1,${pick(SERVICES)}` : 'N/A,N/A,N/A';
    return `${u.UserName},${u.Arn},${u.CreateDate},false,N/A,N/A,N/A,false,true,${date(30 + (i % 1400))},${used},${two},${two ? date(10) : 'N/A'},N/A,N/A,N/A,false,N/A,false,N/A`;
  });
  writeFileSync(join(dir, 'report.csv'), `${header}\n${rows.join('\n')}\n`);
}

function generateGha() {
  const wf = join(dir, 'repo/.github/workflows');
  mkdirSync(wf, { recursive: true });
  const actions = [
    'tj-actions/changed-files@v45',
    'codecov/codecov-action@v5',
    'docker/build-push-action@v6',
    'actions/setup-node@v4',
    'some-org/lint@8f4b7f84864484a7bf31766abe9204da3cbe65b3',
  ];
  for (let i = 0; i < WORKFLOWS; i++) {
    const jobs = Array.from(
      { length: 3 },
      (_, j) => `  job-${j}:
    runs-on: ubuntu-latest
    permissions: { contents: ${j === 0 ? 'write' : 'read'}, id-token: write }
    steps:
      - uses: actions/checkout@v4
      - uses: ${pick(actions)}
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: "arn:aws:iam::${ACCT}:role/deploy-${i % 20}" }
      - run: ./deploy.sh
        env: { NPM_TOKEN: "\${{ secrets.NPM_TOKEN }}", API_KEY_${i % 30}: "\${{ secrets.API_KEY_${i % 30} }}" }`,
    ).join('\n');
    writeFileSync(
      join(wf, `wf-${String(i).padStart(3, '0')}.yml`),
      `name: wf-${i}\non:\n  push:\n  schedule:\n    - cron: '${i % 60} * * * *'\njobs:\n${jobs}\n`,
    );
  }
}

// Wall clock of the child, and its CPU seconds (user + system, from /usr/bin/time when present): on a
// loaded machine wall time measures the queue, CPU time the work.
function time(label, args) {
  const runs = [];
  let output = '';
  const hasTime = existsSync('/usr/bin/time');
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    const r = hasTime
      ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, BIN, ...args], { encoding: 'utf8' })
      : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    const wall = performance.now() - start;
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
    runs.push({ wall, cpu: cpu === null ? null : Number(cpu[1]) + Number(cpu[2]) });
    output = r.stdout;
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[1];
  const out = args[args.indexOf('--out') + 1];
  const last = output.trim().split('\n').pop();
  const cpu = runs.every((r) => r.cpu !== null) ? `, CPU ${median(runs.map((r) => r.cpu)).toFixed(2)} s` : '';
  process.stdout.write(
    `${label}: wall ${(median(runs.map((r) => r.wall)) / 1000).toFixed(2)} s${cpu} (median of 3); ${(statSync(out).size / 1e6).toFixed(1)} MB; ${last}\n`,
  );
}

try {
  generateAws();
  generateGha();
  process.stdout.write(
    `inputs: auth.json ${(statSync(join(dir, 'auth.json')).size / 1e6).toFixed(1)} MB (${ROLES} roles, ${USERS} users), ${WORKFLOWS} workflows\n`,
  );
  time(`import aws-iam (${ROLES} roles, ${USERS} users)`, [
    'import',
    'aws-iam',
    join(dir, 'auth.json'),
    '--credential-report',
    join(dir, 'report.csv'),
    '--out',
    join(dir, 'aws.json'),
  ]);
  time(`import github-actions (${WORKFLOWS} workflows)`, [
    'import',
    'github-actions',
    join(dir, 'repo'),
    '--out',
    join(dir, 'gha.yaml'),
  ]);
} finally {
  if (process.env.KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`kept ${dir}\n`);
}
