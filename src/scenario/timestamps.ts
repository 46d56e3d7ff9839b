/**
 * Cross-checks of real credential timestamps (docs/import.md "Timestamp rules") the schema cannot
 * see: a date-time needs the scenario's `asOf`; `createdAt`, `lastRotatedAt` and `lastUsedAt` cannot
 * lie after `asOf` (a credential cannot have been used in the future of the instant time 0 stands
 * for); `lastRotatedAt` cannot precede `createdAt`. Works on raw (possibly invalid) data so one run
 * reports everything; values the schema rejects are left to the schema.
 */
import type { IssueCode } from '../errors.js';
import type { PathSegment } from './document.js';
import { dateTimeSchema } from './schema-values.js';

/** A timestamp problem at a document path. */
export interface TimestampIssue {
  readonly code: IssueCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Credential attributes holding date-times. */
export const TIMESTAMP_KEYS = ['createdAt', 'lastRotatedAt', 'lastUsedAt', 'expiresAt'] as const;
/** Those that record the past and so cannot lie after `asOf`. */
const PAST_KEYS: ReadonlySet<string> = new Set(['createdAt', 'lastRotatedAt', 'lastUsedAt']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const dateOf = (value: unknown): number | null => (dateTimeSchema.safeParse(value).success ? Date.parse(value as string) : null);

/** Every timestamp problem in a scenario document. */
export function checkTimestamps(data: unknown): TimestampIssue[] {
  if (!isRecord(data) || !Array.isArray(data['nodes'])) return [];
  const issues: TimestampIssue[] = [];
  const asOfRaw = data['asOf'];
  const asOf = dateOf(asOfRaw);
  data['nodes'].forEach((node: unknown, index) => {
    if (!isRecord(node) || node['kind'] !== 'credential') return;
    const id = typeof node['id'] === 'string' ? JSON.stringify(node['id']) : `nodes[${index}]`;
    for (const key of TIMESTAMP_KEYS) {
      const value = node[key];
      const time = dateOf(value);
      if (time === null) continue;
      if (asOfRaw === undefined) {
        issues.push({
          code: 'needs-as-of',
          path: ['nodes', index, key],
          message: `credential ${id}: ${key} needs the scenario's asOf (the instant simulated time 0 stands for)`,
        });
      } else if (asOf !== null && typeof asOfRaw === 'string' && PAST_KEYS.has(key) && time > asOf) {
        issues.push({
          code: 'after-as-of',
          path: ['nodes', index, key],
          message: `credential ${id}: ${key} ${String(value)} is after asOf ${asOfRaw}`,
        });
      }
    }
    const created = dateOf(node['createdAt']);
    const rotated = dateOf(node['lastRotatedAt']);
    if (created !== null && rotated !== null && rotated < created) {
      issues.push({
        code: 'before-created',
        path: ['nodes', index, 'lastRotatedAt'],
        message: `credential ${id}: lastRotatedAt ${String(node['lastRotatedAt'])} is before createdAt ${String(node['createdAt'])}`,
      });
    }
  });
  return issues;
}
