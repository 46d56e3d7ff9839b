/**
 * IAM policy documents for the AWS IAM importer: Allow statements → grants of a principal (one resource
 * per ARN, wildcards collapsed per service and account) and the sts:AssumeRole patterns it may use;
 * actions classed read, write or admin (docs/import.md "AWS IAM").
 */
import type { ScenarioIssue } from '../errors.js';
import type { Action, Sensitivity } from '../domain/scenario.js';
import type { ParsedDocument, PathSegment } from '../scenario/document.js';
import { toId, type ScenarioBuilder } from './builder.js';
import { inputIssue, isRecord, type ImportMap } from './input.js';

/** The importer's name in provenance and summaries. */
export const SOURCE = 'aws-iam';

const READ_VERBS =
  /^(List|Get|Describe|Read|Search|Select|Query|Scan|BatchGet|Head|View|Lookup|Check|Preview|Detect|Estimate|Validate|Verify|Test)/;
const ADMIN_ACTIONS =
  /^(\*|[a-z0-9-]+:\*|iam:PassRole|iam:Create(AccessKey|LoginProfile|PolicyVersion)|iam:Update(LoginProfile|AssumeRolePolicy)|iam:AddUserToGroup|iam:SetDefaultPolicyVersion|[a-z0-9-]+:(Put|Attach|Detach|Delete|Create|Set|Update)\w*Policy\w*|[a-z0-9-]+:(Add|Remove)Permission\w*|[a-z0-9-]+:\w*Acl)$/;
export const CONFIDENTIAL_SERVICES = new Set([
  'iam',
  'kms',
  'secretsmanager',
  'ssm',
  'sts',
  'organizations',
  's3',
  'dynamodb',
  'rds',
]);
export const ACTION_ORDER: Readonly<Record<Action, number>> = { read: 1, write: 2, admin: 4 };

/** read / write / admin of an IAM action (AWS access levels, approximated from the action name), or the map's class. */
export function classifyAction(action: string, map?: ImportMap): Action {
  const overrides = map?.actions;
  if (overrides !== undefined) {
    const exact = overrides[action] ?? overrides[action.toLowerCase()];
    if (exact !== undefined) return exact;
    for (const [pattern, cls] of Object.entries(overrides))
      if (pattern.includes('*') && globMatch(pattern.toLowerCase(), action.toLowerCase())) return cls;
  }
  const [service = '', name = ''] = action.split(':');
  const normal = `${service.toLowerCase()}:${name}`;
  if (action === '*' || ADMIN_ACTIONS.test(normal)) return 'admin';
  if (/^(Tag|Untag)/.test(name)) return 'write';
  // A wildcard name reads when everything it can match starts with a read verb (Get*, Describe*).
  if (READ_VERBS.test(name)) return 'read';
  return 'write';
}

const globCache = new Map<string, RegExp>();
/** IAM glob match (`*` any run, `?` one character), case-sensitive as ARNs. */
export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let re = globCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    globCache.set(pattern, re);
  }
  return re.test(value);
}

export const accountOf = (arn: string): string => arn.split(':')[4] ?? '';
export const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** One principal being built. */
export interface Principal {
  readonly arn: string;
  readonly account: string;
  /** Its credentials (keys or the role session). */
  readonly credentials: string[];
  /** Agent that holds them, or null (a role assumed only by others). */
  agent: string | null;
  /** target → action bits. */
  readonly grants: Map<string, number>;
  /** sts:AssumeRole resource patterns its policies allow. */
  readonly assumePatterns: string[];
  /** Service of the last use (credential report), for --intent observed. */
  readonly usedServices: Map<string, string | null>;
}

/** A managed policy of the export: its default version's document and where it sits. */
export interface ManagedPolicy {
  readonly doc: unknown;
  readonly path: PathSegment[];
}

/**
 * Reads the policies of one export: `parseDoc` one document (JSON or URL-encoded), `attached` an entry's
 * inline and managed policies into a principal's grants and assume patterns.
 */
export interface PolicyReader {
  readonly parseDoc: (doc: unknown, path: PathSegment[]) => Record<string, unknown> | null;
  readonly attached: (p: Principal, entry: Record<string, unknown>, path: PathSegment[], inlineKey: string) => void;
}

/** The policy reader of one export: resources go to `b`, problems to `issues`. */
export function policyReader(
  b: ScenarioBuilder,
  parsed: ParsedDocument,
  issues: ScenarioIssue[],
  managed: ReadonlyMap<string, ManagedPolicy>,
  map: ImportMap | undefined,
): PolicyReader {
  const resourceFor = (service: string, resource: string, account: string): string => {
    let arn = resource;
    if (arn !== '*' && /\/\*$/.test(arn)) arn = arn.slice(0, -2);
    if (arn === '*' || arn.includes('*') || arn.includes('?') || !arn.startsWith('arn:')) {
      const svc = service === '*' ? 'all' : service;
      const id = toId(`aws:${svc}:${account}`);
      if (!b.has(id)) {
        b.add({
          id,
          kind: 'resource',
          sensitivity: svc === 'all' ? 'regulated' : CONFIDENTIAL_SERVICES.has(svc) ? 'confidential' : 'internal',
          provenance: { source: SOURCE, id: `${svc === 'all' ? '*' : `${svc}:*`} in ${account}` },
        });
        b.mapped('resources (wildcards collapsed per service and account)');
      }
      return id;
    }
    const id = toId(arn);
    if (!b.has(id)) {
      const svc = arn.split(':')[2] ?? '';
      const sensitivity: Sensitivity = CONFIDENTIAL_SERVICES.has(svc) ? 'confidential' : 'internal';
      b.add({ id, kind: 'resource', sensitivity, provenance: { source: SOURCE, id: arn } });
      b.mapped('resources (one per ARN)');
    }
    return id;
  };

  const parseDoc = (doc: unknown, path: PathSegment[]): Record<string, unknown> | null => {
    let value = doc;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(decodeURIComponent(value));
      } catch {
        issues.push(inputIssue(parsed, path, 'policy document is neither JSON nor URL-encoded JSON', 'syntax-error'));
        return null;
      }
    }
    if (!isRecord(value)) {
      issues.push(inputIssue(parsed, path, 'policy document must be an object with Statement', 'wrong-type'));
      return null;
    }
    return value;
  };

  const applyPolicy = (p: Principal, doc: unknown, path: PathSegment[]): void => {
    const policy = parseDoc(doc, path);
    if (policy === null) return;
    asList(policy['Statement']).forEach((st, i) => {
      if (!isRecord(st)) {
        issues.push(inputIssue(parsed, [...path, 'Statement', i], 'a statement must be an object', 'wrong-type'));
        return;
      }
      if (st['Effect'] !== 'Allow') {
        b.ignored(
          st['Effect'] === 'Deny'
            ? 'Deny statements (not evaluated: grants may be overstated)'
            : 'statements without Effect Allow',
        );
        return;
      }
      if (st['NotAction'] !== undefined || st['NotResource'] !== undefined) {
        b.ignored('statements with NotAction / NotResource (not evaluated, skipped)');
        return;
      }
      if (st['Condition'] !== undefined) b.ignored('statements with Condition (granted as if the condition held)');
      const resources = asList(st['Resource']).filter((r): r is string => typeof r === 'string');
      for (const action of asList(st['Action']).filter((a): a is string => typeof a === 'string')) {
        const service = action === '*' ? '*' : (action.split(':')[0] ?? '').toLowerCase();
        if (/^sts:(AssumeRole\w*|\*)$/i.test(action) || action === '*') p.assumePatterns.push(...resources);
        if (/^sts:AssumeRole/i.test(action)) continue;
        const bit = ACTION_ORDER[classifyAction(action, map)];
        for (const resource of resources) {
          const target = resourceFor(service, resource, p.account);
          p.grants.set(target, (p.grants.get(target) ?? 0) | bit);
        }
      }
    });
  };
  const attached = (p: Principal, entry: Record<string, unknown>, path: PathSegment[], inlineKey: string): void => {
    asList(entry[inlineKey]).forEach((pol, i) => {
      if (isRecord(pol)) applyPolicy(p, pol['PolicyDocument'], [...path, inlineKey, i, 'PolicyDocument']);
    });
    asList(entry['AttachedManagedPolicies']).forEach((a, i) => {
      const arn = isRecord(a) ? a['PolicyArn'] : undefined;
      const policy = typeof arn === 'string' ? managed.get(arn) : undefined;
      if (policy !== undefined) applyPolicy(p, policy.doc, policy.path);
      else {
        b.ignored('attached managed policies missing from the export (AWS-managed policies need --filter AWSManagedPolicy)');
        void i;
      }
    });
    if (entry['PermissionsBoundary'] !== undefined) b.ignored('permission boundaries (not evaluated)');
  };
  return { parseDoc, attached };
}
