/**
 * Checks an imported scenario object the way the loader checks a file (schema, references,
 * timestamps), in memory: the importer's output is validated before anything is written, without
 * serialising and re-parsing it. Presets are not used by importers, so policies are taken as written.
 */
import { ScenarioError, type IssueCode, type ScenarioIssue } from '../errors.js';
import { formatPath } from '../scenario/document.js';
import { checkReferences } from '../scenario/references.js';
import { scenarioInputSchema } from '../scenario/schema.js';
import { checkTimestamps } from '../scenario/timestamps.js';
import type { ScenarioDoc } from './builder.js';

/** Throws ScenarioError (labelled with `file`, paths inside the scenario) when `doc` is not a valid scenario. */
export function validateScenarioDoc(doc: ScenarioDoc, file: string): void {
  const issue = (path: readonly (string | number)[], message: string, code: IssueCode): ScenarioIssue => ({
    code,
    file,
    line: null,
    column: null,
    path: formatPath(path),
    message,
  });
  const checked = scenarioInputSchema.safeParse(doc);
  if (!checked.success)
    throw new ScenarioError(
      checked.error.issues.slice(0, 20).map((i) => issue(i.path as (string | number)[], i.message, 'invalid')),
    );
  const valid = checked.data;
  const problems = [
    ...checkReferences({
      horizon: valid.horizon ?? '30d',
      nodes: valid.nodes,
      unverifiedIds: new Set(),
      uncertainEdgeEnds: new Set(),
      edges: valid.edges ?? [],
      workload: valid.workload ?? [],
      attacks: valid.attacks,
      policies: Object.entries(valid.policies).map(([name, policy]) => ({
        name,
        policy: typeof policy === 'string' || 'preset' in policy ? null : policy,
      })),
    }).map((i) => issue(i.path, i.message, i.code)),
    ...checkTimestamps(valid).map((i) => issue(i.path, i.message, i.code)),
  ];
  if (problems.length > 0) throw new ScenarioError(problems.slice(0, 20));
}
