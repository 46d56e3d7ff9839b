/**
 * `blastlab import aws-iam <authorization-details.json> [--credential-report report.csv]`: the output of
 * `aws iam get-account-authorization-details` (and the IAM credential report) → a plain scenario.
 *
 * Mapping (docs/import.md "AWS IAM"):
 * - user → agent `iam-user:<name>` (identity shared-secret) holding one credential per active access
 *   key `iam-key:<name>:<n>` (type aws-access-key; createdAt = lastRotatedAt = the report's
 *   `access_key_<n>_last_rotated`, lastUsedAt = `…_last_used_date`); without a report, one key of
 *   unknown age per user;
 * - role → credential `iam-role:<name>` (type aws-sts-session, nativeTtl 1h, lastUsedAt =
 *   RoleLastUsed.LastUsedDate); a role trusted by a service principal is held by a workload agent
 *   `workload:<name>` (identity workload);
 * - trust policies → `assumes`: from the named users' keys and roles' sessions; from principals of the
 *   same account whose policies allow sts:AssumeRole on it when the account is trusted; from an
 *   external principal (`external:<account>`, `external:anyone`) or a federated identity provider;
 * - Allow statements (inline, attached managed at their default version, and the user's groups') →
 *   `grants` on one resource per ARN (`bucket/*` → the bucket), `*` collapsing to `aws:<service>:<account>`;
 *   actions classed read (List/Get/Describe…), write (everything else, Tag/Untag), admin (`*`,
 *   `service:*`, policy and permission changes, iam:PassRole, access-key and login-profile creation),
 *   overridable by `--map` `actions:`.
 * Not evaluated (counted in the summary): Deny, NotAction, NotResource, Condition, permission
 * boundaries, SCPs, resource policies.
 */
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import type { PathSegment } from '../scenario/document.js';
import { fileIssue } from '../scenario/document.js';
import type { AttackInput, TaskInput } from '../scenario/schema.js';
import type { Action } from '../domain/scenario.js';
import { autoAttacks, estatePolicies } from './auto.js';
import { newestTimestamp, ScenarioBuilder, toId, toScenarioName, type ImportResult } from './builder.js';
import { openExport } from './aws-iam-export.js';
import { inputIssue, isRecord, readDocument, type ImportMap } from './input.js';
import {
  accountOf,
  ACTION_ORDER,
  asList,
  globMatch,
  policyReader,
  SOURCE,
  type ManagedPolicy,
  type Principal,
} from './aws-iam-policy.js';
import { normaliseDate, readCredentialReport } from './aws-iam-report.js';

/** Options of the AWS IAM importer. */
export interface AwsIamOptions {
  readonly credentialReport?: string;
  /** Declared intent: every grant, or only grants of credentials used within staleAfter (default all-grants). */
  readonly intent?: 'all-grants' | 'observed';
  readonly map?: ImportMap;
  readonly asOf?: string;
  readonly attacks?: boolean;
  readonly name?: string;
  readonly trials?: number;
}

const STALE_MS = 90 * 86_400_000;

/** The importer. Throws ScenarioError (every problem, with file, path and line) on bad input. */
export function importAwsIam(file: string, opts: AwsIamOptions = {}): ImportResult {
  const read = readDocument(file);
  if (!read.ok) throw new ScenarioError(read.issues);
  const parsed = read.parsed;
  const issues: ScenarioIssue[] = [];
  const listAt = openExport(parsed, issues);

  const b = new ScenarioBuilder(SOURCE);
  // 1. Managed policies (default version) and groups.
  const managed = new Map<string, ManagedPolicy>();
  for (const { entry, path } of listAt('Policies')) {
    const versions = asList(entry['PolicyVersionList']);
    const index = versions.findIndex((v) => isRecord(v) && v['IsDefaultVersion'] === true);
    if (index < 0) {
      issues.push(
        inputIssue(parsed, [...path, 'PolicyVersionList'], 'no default version (IsDefaultVersion: true)', 'no-default-version'),
      );
      continue;
    }
    managed.set(entry['Arn'] as string, {
      doc: (versions[index] as Record<string, unknown>)['Document'],
      path: [...path, 'PolicyVersionList', index, 'Document'],
    });
  }
  b.mapped('managed policies (default version)', managed.size);
  const groups = new Map<string, { entry: Record<string, unknown>; path: PathSegment[] }>();
  for (const g of listAt('GroupDetailList')) groups.set(g.entry['GroupName'] as string, g);

  // 2. Policy statements → grants and assume patterns of a principal.
  const { parseDoc, attached } = policyReader(b, parsed, issues, managed, opts.map);

  // 3. Credential report: keys per user ARN.
  const report = opts.credentialReport === undefined ? null : readCredentialReport(opts.credentialReport);
  const principals = new Map<string, Principal>();
  const newPrincipal = (arn: string): Principal => ({
    arn,
    account: accountOf(arn),
    credentials: [],
    agent: null,
    grants: new Map(),
    assumePatterns: [],
    usedServices: new Map(),
  });

  // 4. Users.
  for (const { entry, path } of listAt('UserDetailList')) {
    const name = entry['UserName'] as string;
    const arn = entry['Arn'] as string;
    const p = newPrincipal(arn);
    principals.set(arn, p);
    const agent = toId(`iam-user:${name}`);
    p.agent = agent;
    b.add({ id: agent, kind: 'agent', environment: 'aws', identity: 'shared-secret', provenance: { source: SOURCE, id: arn } });
    b.mapped('users → agents');
    const keys = report?.byArn.get(arn);
    if (report === null) {
      const id = toId(`iam-key:${name}`);
      b.add({
        id,
        kind: 'credential',
        type: 'aws-access-key',
        ephemeralCapable: true,
        provenance: { source: SOURCE, id: `${arn}#access_keys` },
      });
      p.credentials.push(id);
      p.usedServices.set(id, null);
      b.mapped('users with access keys of unknown age (no --credential-report)');
    } else {
      for (const key of keys?.keys ?? []) {
        const id = toId(`iam-key:${name}:${key.n}`);
        b.add({
          id,
          kind: 'credential',
          type: 'aws-access-key',
          ephemeralCapable: true,
          ...(key.lastRotated === null ? {} : { createdAt: key.lastRotated, lastRotatedAt: key.lastRotated }),
          ...(key.lastUsed === null ? {} : { lastUsedAt: key.lastUsed }),
          provenance: { source: SOURCE, id: `${arn}#access_key_${key.n}` },
        });
        p.credentials.push(id);
        p.usedServices.set(id, key.lastUsedService);
        b.mapped('active access keys (credential report)');
      }
      if ((keys?.keys.length ?? 0) === 0) b.ignored('users without an active access key (console or unused)');
    }
    attached(p, entry, path, 'UserPolicyList');
    asList(entry['GroupList']).forEach((g, i) => {
      const group = typeof g === 'string' ? groups.get(g) : undefined;
      if (group === undefined)
        issues.push(
          inputIssue(
            parsed,
            [...path, 'GroupList', i],
            `group ${JSON.stringify(g)} is not in GroupDetailList`,
            'unknown-reference',
          ),
        );
      else attached(p, group.entry, group.path, 'GroupPolicyList');
    });
  }
  if (report !== null) {
    for (const arn of report.byArn.keys())
      if (!principals.has(arn)) b.ignored('credential report rows for users not in the export');
    if (report.root) b.ignored('credential report root-account row (not modelled)');
  }

  // 5. Roles.
  const roles: { entry: Record<string, unknown>; path: PathSegment[]; p: Principal; cred: string }[] = [];
  for (const { entry, path } of listAt('RoleDetailList')) {
    const name = entry['RoleName'] as string;
    const arn = entry['Arn'] as string;
    const p = newPrincipal(arn);
    principals.set(arn, p);
    const cred = toId(`iam-role:${name}`);
    const lastUsed = isRecord(entry['RoleLastUsed']) ? normaliseDate(entry['RoleLastUsed']['LastUsedDate']) : null;
    const created = normaliseDate(entry['CreateDate']);
    b.add({
      id: cred,
      kind: 'credential',
      type: 'aws-sts-session',
      ephemeralCapable: true,
      nativeTtl: '1h',
      ...(created === null ? {} : { createdAt: created }),
      ...(lastUsed === null ? {} : { lastUsedAt: lastUsed }),
      provenance: { source: SOURCE, id: arn },
    });
    p.credentials.push(cred);
    p.usedServices.set(cred, null);
    b.mapped('roles → STS session credentials');
    attached(p, entry, path, 'RolePolicyList');
    roles.push({ entry, path, p, cred });
  }

  // 6. Trust policies → assumes.
  const assumers = [...principals.values()].filter((p) => p.assumePatterns.length > 0);
  for (const { entry, path, p: role, cred } of roles) {
    const trust = parseDoc(entry['AssumeRolePolicyDocument'] ?? { Statement: [] }, [...path, 'AssumeRolePolicyDocument']);
    if (trust === null) continue;
    const from = new Set<string>();
    asList(trust['Statement']).forEach((st) => {
      if (!isRecord(st) || st['Effect'] !== 'Allow') return;
      if (st['Condition'] !== undefined) b.ignored('trust statements with Condition (trusted as if the condition held)');
      const principal = st['Principal'];
      const entries: [string, string][] =
        principal === '*'
          ? [['AWS', '*']]
          : isRecord(principal)
            ? Object.entries(principal).flatMap(([k, v]) =>
                asList(v)
                  .filter((x): x is string => typeof x === 'string')
                  .map((x): [string, string] => [k, x]),
              )
            : [];
      for (const [kind, value] of entries) {
        if (kind === 'Service') {
          const agent = toId(`workload:${entry['RoleName'] as string}`);
          b.add({
            id: agent,
            kind: 'agent',
            environment: 'aws',
            identity: 'workload',
            provenance: { source: SOURCE, id: `${value} as ${role.arn}` },
          });
          b.edge('holds', agent, cred);
          role.agent ??= agent;
          b.mapped('service-trusted roles → workload agents');
        } else if (kind === 'Federated') {
          const provider = value.includes(':oidc-provider/')
            ? value.split(':oidc-provider/')[1]!
            : value.includes(':saml-provider/')
              ? `saml:${value.split(':saml-provider/')[1]!}`
              : value;
          const id = toId(`federated:${provider}`);
          b.add({ id, kind: 'agent', environment: 'external', identity: 'workload', provenance: { source: SOURCE, id: value } });
          b.add({
            id: `${id}/token`,
            kind: 'credential',
            type: 'federated-token',
            ephemeralCapable: true,
            nativeTtl: '1h',
            provenance: { source: SOURCE, id: value },
          });
          b.edge('holds', id, `${id}/token`);
          from.add(`${id}/token`);
          b.mapped('federated trust (OIDC/SAML providers)');
        } else if (kind === 'AWS') {
          const account = /^\d{12}$/.test(value) ? value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1];
          const known = principals.get(value);
          if (known !== undefined) {
            for (const c of known.credentials) from.add(c);
          } else if (value === '*') {
            const id = 'external:anyone';
            b.add({
              id,
              kind: 'agent',
              environment: 'external',
              identity: 'shared-secret',
              provenance: { source: SOURCE, id: '*' },
            });
            b.add({
              id: `${id}/credential`,
              kind: 'credential',
              type: 'aws-principal',
              ephemeralCapable: false,
              provenance: { source: SOURCE, id: '*' },
            });
            b.edge('holds', id, `${id}/credential`);
            from.add(`${id}/credential`);
            b.mapped('roles trusting any AWS principal ("*")');
          } else if (account !== undefined && account === role.account) {
            for (const a of assumers)
              if (a.account === account && a.assumePatterns.some((pat) => globMatch(pat, role.arn)))
                for (const c of a.credentials) from.add(c);
          } else {
            const acct = account ?? accountOf(value);
            const id = toId(`external:${acct || value}`);
            b.add({
              id,
              kind: 'agent',
              environment: 'external',
              identity: 'shared-secret',
              provenance: { source: SOURCE, id: value },
            });
            b.add({
              id: `${id}/credential`,
              kind: 'credential',
              type: 'aws-principal',
              ephemeralCapable: false,
              provenance: { source: SOURCE, id: value },
            });
            b.edge('holds', id, `${id}/credential`);
            from.add(`${id}/credential`);
            b.mapped('cross-account trust (external principals)');
          }
        } else {
          b.ignored(`trust principals of kind ${kind}`);
        }
      }
    });
    for (const c of [...from].sort()) b.edge('assumes', c, cred);
  }

  // 7. Holds and grants edges; intent.
  const asOf =
    opts.asOf ??
    newestTimestamp(b.build({ name: 'x' }, { workload: [], attacks: [], policies: {} }).nodes) ??
    report?.newest ??
    undefined;
  const asOfMs = asOf === undefined ? Number.NaN : Date.parse(asOf);
  const tasks: TaskInput[] = [];
  const actionOf = (bits: number): Action[] =>
    (['read', 'write', 'admin'] as const).filter((a) => (bits & ACTION_ORDER[a]) !== 0);
  for (const p of [...principals.values()].sort((x, y) => (x.arn < y.arn ? -1 : 1))) {
    for (const c of p.credentials) {
      if (p.agent !== null && p.agent.startsWith('iam-user:')) b.edge('holds', p.agent, c);
      for (const [target, bits] of p.grants) b.edge('grants', c, target, actionOf(bits));
    }
    if (p.agent === null) continue;
    const steps: { target: string; action: Action; credential: string }[] = [];
    for (const c of p.credentials) {
      const node = b.node(c);
      const lastUsed = node?.kind === 'credential' && node.lastUsedAt !== undefined ? Date.parse(node.lastUsedAt) : Number.NaN;
      if (opts.intent === 'observed' && !(asOfMs - lastUsed <= STALE_MS)) continue;
      const service = p.usedServices.get(c) ?? null;
      for (const [target, bits] of [...p.grants].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        if (opts.intent === 'observed' && service !== null && !target.includes(`:${service}:`)) continue;
        const top = actionOf(bits);
        steps.push({ target, action: top[top.length - 1]!, credential: c });
      }
    }
    if (steps.length > 0) tasks.push({ agent: p.agent, every: '1d', duration: '10m', steps });
  }
  if (issues.length > 0) throw new ScenarioError(issues);

  const doc0 = b.build({ name: 'x', ...(asOf === undefined ? {} : { asOf }) }, { workload: tasks, attacks: [], policies: {} });
  const attacks: AttackInput[] = opts.attacks === false ? [] : autoAttacks(doc0);
  if (attacks.length === 0) {
    const first = doc0.nodes.find((n) => n.kind === 'agent');
    if (first === undefined)
      throw new ScenarioError([fileIssue(file, 'nothing to model: no users or roles', 'nothing-to-model')]);
    attacks.push({ pattern: 'lateral-movement', name: 'takeover-first-principal', entry: first.id, at: '1d' });
  }
  b.summary.notes.push(
    `intent: ${opts.intent ?? 'all-grants'} (${opts.intent === 'observed' ? 'grants of credentials used in the last 90 days, on the last-used service when the report names one' : 'every grant of every credential'})`,
  );
  b.summary.notes.push('not evaluated: Deny, NotAction, NotResource, Condition, permission boundaries, SCPs, resource policies');
  if (asOf !== undefined)
    b.summary.notes.push(`asOf ${asOf}${opts.asOf === undefined ? ' (the newest timestamp in the inputs; set --as-of)' : ''}`);
  return {
    scenario: {
      name: opts.name ?? toScenarioName(`aws-iam-${[...principals.values()][0]?.account ?? 'account'}`),
      description: `Imported from an AWS IAM authorization-details export${report === null ? '' : ' and credential report'} by blastlab import aws-iam.`,
      ...(asOf === undefined ? {} : { asOf }),
      trials: opts.trials ?? 100,
      horizon: '30d',
      nodes: doc0.nodes,
      edges: doc0.edges ?? [],
      workload: tasks,
      attacks,
      policies: estatePolicies(doc0),
    },
    summary: b.summary,
  };
}
