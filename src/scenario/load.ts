/**
 * The scenario boundary, end to end: file → parsed document with positions → schema → reference
 * checks → defaults resolved → frozen Scenario, or the full list of issues (DESIGN §1, §4).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { fileIssue, issueAt, maxBytesFor, parseText, type ParsedDocument } from './document.js';
import { mapZodIssues } from './issues.js';
import { expandPolicyEntry } from './presets.js';
import { attackNames, checkReferences, type ReferenceInput } from './references.js';
import { recordIssues } from './record.js';
import { FRAMEWORK_ID_KEYS, FRAMEWORK_IDS, isKnownFrameworkId, type FrameworkKey } from './frameworks.js';
import { didYouMean } from './hints.js';
import { resolveScenario, SCENARIO_DEFAULTS } from './resolve.js';
import {
  attackSchema,
  durationSchema,
  edgeSchema,
  nodeSchema,
  policyEntrySchema,
  scenarioInputSchema,
  taskSchema,
  type PolicyInput,
  type ScenarioInput,
} from './schema.js';
import type { Scenario } from './types.js';

type ParseResult = { scenario: Scenario; parsed: ParsedDocument } | { issues: ScenarioIssue[] };

/** Validates and resolves scenario text; `file` is only used to label issues and `source.file`. */
export function parseScenarioText(text: string, file: string): { scenario: Scenario } | { issues: ScenarioIssue[] } {
  const result = parseScenario(Buffer.from(text, 'utf8'), file);
  return 'issues' in result ? { issues: result.issues } : { scenario: result.scenario };
}

/** Loads one scenario file; throws ScenarioError carrying every issue found. */
export function loadScenarioFile(path: string): Scenario {
  const result = readAndParse(path);
  if ('issues' in result) throw new ScenarioError(result.issues);
  return result.scenario;
}

/**
 * Loads files and folders (recursively: `*.yaml`, `*.yml`, `*.json`, skipping folders named
 * `policies`), sorted by path. Returns the valid scenarios and every issue, including scenario names
 * used by more than one file.
 */
export function loadScenarios(paths: readonly string[]): { scenarios: Scenario[]; issues: ScenarioIssue[] } {
  const issues: ScenarioIssue[] = [];
  const files = new Set<string>();
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) for (const file of walk(path)) files.add(file);
      else files.add(path);
    } catch (error) {
      issues.push(fileIssue(path, `cannot read: ${errorText(error)}`));
    }
  }
  const scenarios: Scenario[] = [];
  const byName = new Map<string, string>();
  for (const file of [...files].sort()) {
    const result = readAndParse(file);
    if ('issues' in result) {
      issues.push(...result.issues);
      continue;
    }
    const { scenario, parsed } = result;
    const first = byName.get(scenario.name);
    if (first !== undefined) {
      issues.push(issueAt(parsed, ['name'], `duplicate scenario name ${JSON.stringify(scenario.name)} (also in ${first})`));
      continue;
    }
    byName.set(scenario.name, file);
    scenarios.push(scenario);
  }
  return { scenarios, issues };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Presets live in policies/ folders; they are policies, not scenarios.
    if (entry.isDirectory()) {
      if (entry.name !== 'policies' && !entry.name.startsWith('.')) out.push(...walk(path));
    } else if (/\.(ya?ml|json)$/i.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

function readAndParse(path: string): ParseResult {
  let bytes: Buffer;
  try {
    // Check the size before reading so a huge file is never loaded into memory.
    const limit = maxBytesFor(path);
    if (statSync(path).size > limit) return { issues: [fileIssue(path, `file is larger than ${limit / 1024 / 1024} MB`)] };
    bytes = readFileSync(path);
  } catch (error) {
    return { issues: [fileIssue(path, `cannot read: ${errorText(error)}`)] };
  }
  return parseScenario(bytes, path);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseScenario(bytes: Buffer, file: string): ParseResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const text = parseText(bytes.toString('utf8'), file);
  if ('issues' in text) return text;
  const { parsed } = text;

  // 1. Schema: every shape problem in the file.
  const checked = scenarioInputSchema.safeParse(parsed.data);
  const issues = checked.success ? [] : mapZodIssues(checked.error.issues, { parsed, schema: scenarioInputSchema, data: parsed.data });

  // 2. Presets and references, on whatever parts of the file are valid, so one run reports everything.
  // A file that passed the schema is its own valid part: no second pass over a million edges.
  const salvaged = salvage(parsed, checked.success ? checked.data : null);
  issues.push(...salvaged.issues);
  for (const issue of checkReferences(salvaged.input)) {
    issues.push(issueAt(parsed, issue.path, issue.message, { hint: issue.hint }));
  }
  issues.push(...frameworkIssues(parsed));
  issues.push(...recordIssues(parsed, attackNames(salvaged.input.attacks)));
  if (!checked.success || issues.length > 0) return { issues: sortIssues(issues) };

  // 3. Defaults, on the validated copy: the raw data is not needed any more.
  parsed.release();
  const policies = salvaged.input.policies.map(({ name, policy }) => ({ name, policy: policy as PolicyInput }));
  return { scenario: resolveScenario(checked.data, policies, { file, sha256 }), parsed };
}

/**
 * Framework tags reach risk reviews, so they must be real identifiers (FRAMEWORKS.md): an unknown id
 * under a known key is an error with the closest real id as hint. (Unknown keys are the schema's.)
 */
function frameworkIssues(parsed: ParsedDocument): ScenarioIssue[] {
  const raw = isRecord(parsed.data) ? parsed.data['frameworks'] : undefined;
  if (!isRecord(raw)) return [];
  const issues: ScenarioIssue[] = [];
  for (const [key, ids] of Object.entries(raw)) {
    if (!(FRAMEWORK_ID_KEYS as readonly string[]).includes(key) || !Array.isArray(ids)) continue;
    ids.forEach((id: unknown, index) => {
      if (typeof id !== 'string' || isKnownFrameworkId(key, id)) return;
      const hint = didYouMean(id, FRAMEWORK_IDS[key as FrameworkKey]);
      issues.push(issueAt(parsed, ['frameworks', key, index], `unknown ${key} identifier ${JSON.stringify(id)} (see FRAMEWORKS.md)`, { hint }));
    });
  }
  return issues;
}

/** The valid parts of a (possibly invalid) file, entry by entry, with presets expanded. */
function salvage(parsed: ParsedDocument, valid: ScenarioInput | null): { input: ReferenceInput; issues: ScenarioIssue[] } {
  const issues: ScenarioIssue[] = [];
  const raw = isRecord(parsed.data) ? parsed.data : {};
  const list = <T>(value: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): (T | null)[] =>
    Array.isArray(value) ? value.map((item: unknown) => {
      const r = schema.safeParse(item);
      return r.success ? r.data : null;
    }) : [];
  const nodes = valid !== null ? valid.nodes : list(raw['nodes'], nodeSchema);
  const unverifiedIds = new Set<string>();
  if (valid === null && Array.isArray(raw['nodes'])) {
    raw['nodes'].forEach((node: unknown, i) => {
      if (nodes[i] === null && isRecord(node) && typeof node['id'] === 'string') unverifiedIds.add(node['id']);
    });
  }
  const horizonRaw = raw['horizon'] ?? SCENARIO_DEFAULTS.horizon;
  const horizon = durationSchema.safeParse(horizonRaw);

  const policies: { name: string; policy: PolicyInput | null }[] = [];
  if (isRecord(raw['policies'])) {
    for (const [name, entry] of Object.entries(raw['policies'])) {
      const r = policyEntrySchema.safeParse(entry);
      if (!r.success) {
        policies.push({ name, policy: null });
        continue;
      }
      const expanded = expandPolicyEntry(name, r.data, parsed);
      if ('issues' in expanded) issues.push(...expanded.issues);
      policies.push({ name, policy: 'policy' in expanded ? expanded.policy : null });
    }
  }
  return {
    input: {
      horizon: horizon.success ? horizon.data : undefined,
      nodes,
      unverifiedIds,
      edges: valid !== null ? (valid.edges ?? []) : list(raw['edges'], edgeSchema),
      workload: valid !== null ? (valid.workload ?? []) : list(raw['workload'], taskSchema),
      attacks: valid !== null ? valid.attacks : list(raw['attacks'], attackSchema),
      policies,
    },
    issues,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Issues in reading order (whole-file issues first), stable otherwise, without exact repeats. */
function sortIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((issue) => {
      const key = JSON.stringify(issue);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.order - b.order)
    .map(({ issue }) => issue);
}


