/**
 * The scenario boundary, end to end: file → parsed document with positions → schema → reference
 * checks → defaults resolved → frozen Scenario, or the full list of issues (DESIGN §1, §4).
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioError, type Checked, type ScenarioIssue } from '../errors.js';
import { readRegularFile } from '../io/read.js';
import { decodeText, fileIssue, issueAt, maxBytesFor, parseText, type ParsedDocument } from './document.js';
import { mapZodIssues } from './issues.js';
import { expandPolicyEntry, presetDirsFor, PRESETS_DIR } from './presets.js';
import { attackNames, checkReferences, type ReferenceInput } from './references.js';
import { recordIssues } from './record.js';
import { FRAMEWORK_ID_KEYS, FRAMEWORK_IDS, isKnownFrameworkId, type FrameworkKey } from './frameworks.js';
import { didYouMean } from './hints.js';
import { resolveScenario, SCENARIO_DEFAULTS } from './resolve.js';
import { checkTimestamps } from './timestamps.js';
import {
  attackSchema,
  edgeSchema,
  isSchemaEdge,
  nodeSchema,
  scenarioInputSchema,
  taskSchema,
  type PolicyInput,
  type ScenarioInput,
} from './schema.js';
import { BROKER_KEYS, policyEntrySchema } from './schema-policy.js';
import { durationSchema } from './schema-values.js';
import type { Scenario } from '../domain/scenario.js';

/** A scenario with its parsed document and its warnings (what loads but changes nothing), or every issue found. */
export type ParseResult = Checked<{ scenario: Scenario; parsed: ParsedDocument; warnings: ScenarioIssue[] }>;

/** Validates and resolves scenario text; `file` is only used to label issues and `source.file`. */
export function parseScenarioText(text: string, file: string): Checked<{ scenario: Scenario }> {
  const result = parseScenario(Buffer.from(text, 'utf8'), file);
  return result.ok ? { ok: true, scenario: result.scenario } : result;
}

/** Where presets come from: `presets` is a folder searched before the ones beside the file (`--presets`). */
export interface LoadOptions {
  readonly presets?: string | undefined;
}

/** Loads one scenario file; throws ScenarioError carrying every issue found. */
export function loadScenarioFile(path: string, options: LoadOptions = {}): Scenario {
  const result = readAndParse(path, options);
  if (!result.ok) throw new ScenarioError(result.issues);
  return result.scenario;
}

/**
 * Loads files and folders (recursively: `*.yaml`, `*.yml`, `*.json`, skipping folders named
 * `policies`), sorted by path. Returns the valid scenarios and every issue, including scenario names
 * used by more than one file.
 */
export function loadScenarios(
  paths: readonly string[],
  options: LoadOptions = {},
): { scenarios: Scenario[]; issues: ScenarioIssue[]; warnings: ScenarioIssue[] } {
  const issues: ScenarioIssue[] = [];
  const warnings: ScenarioIssue[] = [];
  const files = new Set<string>();
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) for (const file of walk(path)) files.add(file);
      else files.add(path);
    } catch (error) {
      issues.push(fileIssue(path, readErrorText(error), 'unreadable'));
    }
  }
  const scenarios: Scenario[] = [];
  const byName = new Map<string, string>();
  for (const file of [...files].sort()) {
    const result = readAndParse(file, options);
    if (!result.ok) {
      issues.push(...result.issues);
      continue;
    }
    const { scenario, parsed } = result;
    const first = byName.get(scenario.name);
    if (first !== undefined) {
      issues.push(
        issueAt(parsed, ['name'], `duplicate scenario name ${JSON.stringify(scenario.name)} (also in ${first})`, {
          code: 'duplicate-name',
        }),
      );
      continue;
    }
    byName.set(scenario.name, file);
    scenarios.push(scenario);
    warnings.push(...result.warnings);
  }
  return { scenarios, issues, warnings };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Presets live in policies/ folders; they are policies, not scenarios.
    if (entry.isDirectory()) {
      if (entry.name !== 'policies' && !entry.name.startsWith('.')) out.push(...walk(path));
    } else if (isScenarioFileName(entry.name) && entry.name !== 'run.json') {
      // run.json is the record of a results folder written inside a scenario folder, not a scenario.
      out.push(path);
    }
  }
  return out;
}

function readAndParse(path: string, options: LoadOptions): ParseResult {
  if (!isScenarioFileName(path))
    return {
      ok: false,
      issues: [fileIssue(path, 'not a scenario file (expected *.yaml, *.yml or *.json)', 'not-a-scenario-file')],
    };
  // Regular files only, and never more than the limit: devices, FIFOs and /proc files are refused.
  const read = readRegularFile(path, maxBytesFor(path));
  if (!read.ok)
    return { ok: false, issues: [fileIssue(path, read.message, read.code === 'too-large' ? 'file-too-large' : 'unreadable')] };
  return parseScenario(read.bytes, path, presetDirsFor(path, options.presets));
}

/** Scenario files are YAML or JSON, by name. */
function isScenarioFileName(path: string): boolean {
  return /\.(ya?ml|json)$/i.test(path);
}

/** Why a path cannot be read, in words (`not found`, `permission denied`), not a raw `ENOENT … stat`. */
function readErrorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read: permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
}

function parseScenario(bytes: Buffer, file: string, presetDirs: readonly URL[] = [PRESETS_DIR]): ParseResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) return decoded;
  const text = parseText(decoded.text, file);
  if (!text.ok) return text;
  return scenarioOfDocument(text.parsed, sha256, presetDirs);
}

/**
 * Validates and resolves a parsed document: schema, presets, references, framework tags, defaults.
 * The sweep passes its variants here (data built as an object, positions from the user's file).
 * @internal
 */
export function scenarioOfDocument(
  parsed: ParsedDocument,
  sha256: string,
  presetDirs: readonly URL[] = [PRESETS_DIR],
): ParseResult {
  // 1. Schema: every shape problem in the file.
  const checked = checkSchema(parsed.data);
  const issues = checked.success
    ? []
    : mapZodIssues(checked.error.issues, { parsed, schema: scenarioInputSchema, data: parsed.data });

  // 2. Presets and references, on whatever parts of the file are valid, so one run reports everything.
  // A file that passed the schema is its own valid part: no second pass over a million edges.
  const salvaged = salvage(parsed, checked.success ? checked.data : null, presetDirs);
  issues.push(...salvaged.issues);
  for (const issue of checkReferences(salvaged.input)) {
    issues.push(issueAt(parsed, issue.path, issue.message, { code: issue.code, hint: issue.hint }));
  }
  issues.push(...frameworkIssues(parsed));
  for (const issue of checkTimestamps(parsed.data)) issues.push(issueAt(parsed, issue.path, issue.message, { code: issue.code }));
  issues.push(...recordIssues(parsed, attackNames(salvaged.input.attacks)));
  if (!checked.success || issues.length > 0) return { ok: false, issues: sortIssues(issues) };

  const policies = salvaged.input.policies.map(({ name, policy }) => ({ name, policy: policy as PolicyInput }));
  const warnings = ignoredKeys(parsed, policies);
  // 3. Defaults, on the validated copy: the raw data is not needed any more.
  parsed.release();
  return { ok: true, scenario: resolveScenario(checked.data, policies, { file: parsed.file, sha256 }), parsed, warnings };
}

/**
 * The schema on a whole file. When every edge passes the in-place check (isSchemaEdge), the schema
 * runs on the rest and the file's own edge list is kept: a big estate's million edges are not copied.
 * Otherwise, or when the rest has problems, the schema runs on the whole file, which names them all.
 */
function checkSchema(data: unknown): ReturnType<typeof scenarioInputSchema.safeParse> {
  const edges = isRecord(data) ? data['edges'] : undefined;
  if (Array.isArray(edges) && edges.every(isSchemaEdge)) {
    const rest = scenarioInputSchema.safeParse({ ...(data as Record<string, unknown>), edges: [] });
    if (rest.success) return { success: true, data: { ...rest.data, edges } };
  }
  return scenarioInputSchema.safeParse(data);
}

/**
 * Warnings: broker keys on a persistent policy (ttl, issuer, …), written in the file or its preset
 * overrides, load but change nothing, which a reviewer reading the file would not guess.
 */
function ignoredKeys(parsed: ParsedDocument, policies: readonly { name: string; policy: PolicyInput }[]): ScenarioIssue[] {
  const warnings: ScenarioIssue[] = [];
  for (const { name, policy } of policies) {
    if (policy.kind !== 'persistent') continue;
    for (const key of Object.keys(policy)) {
      if (!BROKER_KEYS.has(key) || (policy as Record<string, unknown>)[key] === undefined) continue;
      warnings.push(
        issueAt(
          parsed,
          ['policies', name, key],
          `${key} only applies to tokens a broker mints (ephemeral or hybrid policies): this persistent policy ignores it`,
          {
            code: 'ignored-key',
            hint: 'remove it, or give the policy kind: ephemeral or hybrid',
          },
        ),
      );
    }
  }
  return warnings;
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
      issues.push(
        issueAt(parsed, ['frameworks', key, index], `unknown ${key} identifier ${JSON.stringify(id)} (see FRAMEWORKS.md)`, {
          code: 'unknown-framework-id',
          hint,
        }),
      );
    });
  }
  return issues;
}

/** The valid parts of a (possibly invalid) file, entry by entry, with presets expanded. */
function salvage(
  parsed: ParsedDocument,
  valid: ScenarioInput | null,
  presetDirs: readonly URL[],
): { input: ReferenceInput; issues: ScenarioIssue[] } {
  const issues: ScenarioIssue[] = [];
  const raw = isRecord(parsed.data) ? parsed.data : {};
  const list = <T>(
    value: unknown,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  ): (T | null)[] =>
    Array.isArray(value)
      ? value.map((item: unknown) => {
          const r = schema.safeParse(item);
          return r.success ? r.data : null;
        })
      : [];
  const nodes = valid !== null ? valid.nodes : list(raw['nodes'], nodeSchema);
  const edges = valid !== null ? (valid.edges ?? []) : list(raw['edges'], edgeSchema);
  // A valid file rejected nothing: its million edges are not walked again.
  const unverifiedIds = valid !== null ? new Set<string>() : rejectedIds(raw['nodes'], nodes, ['id']);
  const uncertainEdgeEnds = valid !== null ? new Set<string>() : rejectedIds(raw['edges'], edges, ['from', 'to']);
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
      const expanded = expandPolicyEntry(name, r.data, parsed, presetDirs);
      if (!expanded.ok) issues.push(...expanded.issues);
      policies.push({ name, policy: expanded.ok ? expanded.policy : null });
    }
  }
  return {
    input: {
      horizon: horizon.success ? horizon.data : undefined,
      nodes,
      unverifiedIds,
      uncertainEdgeEnds,
      edges,
      workload: valid !== null ? (valid.workload ?? []) : list(raw['workload'], taskSchema),
      attacks: valid !== null ? valid.attacks : list(raw['attacks'], attackSchema),
      policies,
    },
    issues,
  };
}

/** The string values under `keys` of the entries of list `raw` that failed the schema (`parsed[i]` null). */
function rejectedIds(raw: unknown, parsed: readonly unknown[], keys: readonly string[]): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(raw)) return ids;
  raw.forEach((entry: unknown, i) => {
    if (parsed[i] !== null || !isRecord(entry)) return;
    for (const key of keys) {
      const id = entry[key];
      if (typeof id === 'string') ids.add(id);
    }
  });
  return ids;
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
    .sort(
      (a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.order - b.order,
    )
    .map(({ issue }) => issue);
}
