/**
 * Reference check of a scenario's `record` (docs/incidents.md): the attacks it names as replaying the
 * incident must exist. Resource `record`s need no cross-reference (the schema checks their shape).
 */
import type { ScenarioIssue } from '../errors.js';
import { issueAt, type ParsedDocument } from './document.js';
import { didYouMean } from './hints.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Issues for `record.attacks` entries that name no attack of the file (`names`: resolved attack names). */
export function recordIssues(parsed: ParsedDocument, names: readonly (string | null)[]): ScenarioIssue[] {
  const record = isRecord(parsed.data) ? parsed.data['record'] : undefined;
  if (!isRecord(record) || !Array.isArray(record['attacks'])) return [];
  const known = names.filter((n): n is string => n !== null);
  const issues: ScenarioIssue[] = [];
  record['attacks'].forEach((name: unknown, index) => {
    if (typeof name !== 'string' || known.includes(name)) return;
    issues.push(
      issueAt(parsed, ['record', 'attacks', index], `unknown attack ${JSON.stringify(name)}`, {
        code: 'unknown-reference',
        hint: didYouMean(name, known),
      }),
    );
  });
  return issues;
}
