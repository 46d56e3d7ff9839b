/**
 * The shape of `aws iam get-account-authorization-details` output: its keys, the top-level checks and
 * one reader of its four lists (policies, groups, users, roles), each entry checked for unknown and
 * missing keys. Problems are pushed to the importer's issues, in the order the lists are read.
 */
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { fileIssue, type ParsedDocument, type PathSegment } from '../scenario/document.js';
import { inputIssue, isRecord, unknownKeys } from './input.js';

const TOP_KEYS = new Set(['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies', 'IsTruncated', 'Marker']);
const USER_KEYS = new Set([
  'Path',
  'UserName',
  'UserId',
  'Arn',
  'CreateDate',
  'UserPolicyList',
  'GroupList',
  'AttachedManagedPolicies',
  'PermissionsBoundary',
  'Tags',
]);
const GROUP_KEYS = new Set(['Path', 'GroupName', 'GroupId', 'Arn', 'CreateDate', 'GroupPolicyList', 'AttachedManagedPolicies']);
const ROLE_KEYS = new Set([
  'Path',
  'RoleName',
  'RoleId',
  'Arn',
  'CreateDate',
  'AssumeRolePolicyDocument',
  'Description',
  'MaxSessionDuration',
  'InstanceProfileList',
  'RolePolicyList',
  'AttachedManagedPolicies',
  'PermissionsBoundary',
  'Tags',
  'RoleLastUsed',
]);
const POLICY_KEYS = new Set([
  'PolicyName',
  'PolicyId',
  'Arn',
  'Path',
  'DefaultVersionId',
  'AttachmentCount',
  'PermissionsBoundaryUsageCount',
  'IsAttachable',
  'Description',
  'CreateDate',
  'UpdateDate',
  'PolicyVersionList',
  'Tags',
]);

/** Each list of the export: the keys its entries may have and the string keys they must have. */
const LISTS = {
  Policies: { known: POLICY_KEYS, required: ['Arn'] },
  GroupDetailList: { known: GROUP_KEYS, required: ['GroupName'] },
  UserDetailList: { known: USER_KEYS, required: ['UserName', 'Arn'] },
  RoleDetailList: { known: ROLE_KEYS, required: ['RoleName', 'Arn'] },
} as const;

/** One entry of a list, with its path for issues. */
export interface ExportEntry {
  readonly entry: Record<string, unknown>;
  readonly path: PathSegment[];
}

/**
 * Checks the export's top level (throws ScenarioError when it is not an object; pushes the other
 * problems to `issues`) and returns the reader of its lists: the well-formed entries of one list.
 */
export function openExport(parsed: ParsedDocument, issues: ScenarioIssue[]): (key: keyof typeof LISTS) => ExportEntry[] {
  const { file } = parsed;
  const data = parsed.data;
  if (!isRecord(data))
    throw new ScenarioError([
      fileIssue(file, 'expected the JSON object written by aws iam get-account-authorization-details', 'not-an-iam-export'),
    ]);
  unknownKeys(parsed, [], data, TOP_KEYS, issues);
  if (data['IsTruncated'] === true)
    issues.push(
      inputIssue(
        parsed,
        ['IsTruncated'],
        'the export is one truncated page (IsTruncated: true): export every page (the AWS CLI paginates by itself)',
        'truncated-export',
      ),
    );
  if (!['UserDetailList', 'RoleDetailList'].some((k) => Array.isArray(data[k])))
    issues.push(
      fileIssue(file, 'no UserDetailList or RoleDetailList: not a get-account-authorization-details export', 'not-an-iam-export'),
    );

  return (key) => {
    const { known, required } = LISTS[key];
    const list = data[key];
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      issues.push(inputIssue(parsed, [key], `${key} must be a list`, 'wrong-type'));
      return [];
    }
    const out: ExportEntry[] = [];
    list.forEach((entry, i) => {
      const path = [key, i];
      if (!isRecord(entry)) {
        issues.push(inputIssue(parsed, path, 'must be an object', 'wrong-type'));
        return;
      }
      unknownKeys(parsed, path, entry, known, issues);
      const missing = required.filter((k) => typeof entry[k] !== 'string');
      if (missing.length > 0) {
        issues.push(inputIssue(parsed, path, `missing ${missing.map((k) => JSON.stringify(k)).join(', ')}`, 'missing-key'));
        return;
      }
      out.push({ entry, path });
    });
    return out;
  };
}
