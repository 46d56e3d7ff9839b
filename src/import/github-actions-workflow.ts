/**
 * Reading a repository's workflow files for the GitHub Actions importer: the files themselves (parsed,
 * top-level keys checked), reusable-workflow calls and the secrets they pass, and the syntax inside a
 * workflow — action pins, `secrets.*` references, cron schedules, triggers and `permissions`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScenarioIssue } from '../errors.js';
import { fileIssue, type ParsedDocument, type PathSegment } from '../scenario/document.js';
import { ALL_SCOPES, WORKFLOW_KEYS, type Access, type Permissions } from './github-actions-catalog.js';
import { inputIssue, isRecord, readDocument, unknownKeys } from './input.js';

/** A parsed workflow file: its path, its name without extension, the document and its top-level map. */
export interface Workflow {
  readonly file: string;
  readonly base: string;
  readonly parsed: ParsedDocument;
  readonly doc: Record<string, unknown>;
}

/** Every `*.yml`/`*.yaml` of the workflows folder, in name order, parsed; problems go to `issues`. */
export function readWorkflows(workflowsDir: string, display: (file: string) => string, issues: ScenarioIssue[]): Workflow[] {
  const files = readdirSync(workflowsDir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  const workflows: Workflow[] = [];
  for (const f of files) {
    const file = join(workflowsDir, f);
    const read = readDocument(display(file));
    if (!read.ok) {
      issues.push(...read.issues);
      continue;
    }
    const doc = read.parsed.data;
    if (!isRecord(doc)) {
      issues.push(fileIssue(read.parsed.file, 'a workflow must be a map with "on" and "jobs"', 'not-a-workflow'));
      continue;
    }
    unknownKeys(read.parsed, [], doc, WORKFLOW_KEYS, issues);
    if (!isRecord(doc['jobs']))
      issues.push(
        inputIssue(
          read.parsed,
          ['jobs'],
          'missing or invalid "jobs" (a map of job ids)',
          doc['jobs'] === undefined ? 'missing-key' : 'wrong-type',
        ),
      );
    if (doc['on'] === undefined)
      issues.push(inputIssue(read.parsed, [], 'missing "on" (the workflow\'s triggers)', 'missing-key'));
    workflows.push({ file, base: f.replace(/\.ya?ml$/i, ''), parsed: read.parsed, doc });
  }
  return workflows;
}

/** What a reusable workflow of the repository receives from its callers. */
export interface CalleeSecrets {
  /** Some caller passes `secrets: inherit`. */
  inherit: boolean;
  /** The callee's secret name → the callers' secret names passed as it. */
  readonly passed: Map<string, Set<string>>;
}

/** Reusable-workflow calls within the repository (`uses: ./…`), by callee file. */
export function reusableCalls(workflows: readonly Workflow[], root: string, issues: ScenarioIssue[]): Map<string, CalleeSecrets> {
  const calls = new Map<string, CalleeSecrets>();
  for (const wf of workflows) {
    for (const [jobId, job] of Object.entries(isRecord(wf.doc['jobs']) ? wf.doc['jobs'] : {})) {
      if (!isRecord(job) || typeof job['uses'] !== 'string' || !job['uses'].startsWith('./')) continue;
      const callee = resolve(root, job['uses'].split('@')[0]!);
      const entry = calls.get(callee) ?? { inherit: false, passed: new Map<string, Set<string>>() };
      calls.set(callee, entry);
      if (job['secrets'] === 'inherit') entry.inherit = true;
      else if (isRecord(job['secrets'])) {
        for (const [name, expr] of Object.entries(job['secrets'])) {
          const found = { names: new Set<string>(), all: false, token: false };
          scanSecrets(expr, found);
          const set = entry.passed.get(name) ?? new Set();
          for (const n of found.names) set.add(n);
          entry.passed.set(name, set);
        }
      }
      if (!existsSync(callee))
        issues.push(
          inputIssue(
            wf.parsed,
            ['jobs', jobId, 'uses'],
            `reusable workflow ${job['uses']} not found in the repository`,
            'not-in-repository',
          ),
        );
    }
  }
  return calls;
}

/** Every secret name the workflows mention, and those of the map (the "all secrets" of inherit / toJSON), sorted. */
export function secretNames(workflows: readonly Workflow[], mapped: readonly string[]): string[] {
  const allNames = new Set<string>(mapped);
  for (const wf of workflows) {
    const found = { names: new Set<string>(), all: false, token: false };
    scanSecrets(wf.doc['jobs'], found);
    for (const n of found.names) allNames.add(n);
  }
  return [...allNames].sort();
}

/** How an action reference is pinned. */
export type Pin = 'sha' | 'tag' | 'branch';
/** A 40-hex commit SHA pins; a version-like ref is a tag; anything else is taken as a branch. */
export function pinOf(ref: string): Pin {
  if (/^[0-9a-f]{40}$/.test(ref)) return 'sha';
  return /^v?\d+(\.\d+)*([-.+][0-9A-Za-z.-]+)?$/.test(ref) ? 'tag' : 'branch';
}

const SECRET_REF = /secrets\.([A-Za-z_][A-Za-z0-9_]*)/g;
const SECRET_INDEX_LITERAL = /secrets\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]/g;
const ALL_SECRETS = /toJSON\(\s*secrets\s*\)|secrets\[\s*[^'"\s]/i;
const TOKEN_REF = /github\.token|secrets\.GITHUB_TOKEN/;
export const UNTRUSTED_REF = /github\.event\.pull_request\.head|github\.head_ref|github\.event\.workflow_run\.head|refs\/pull\//;

/** Secrets referenced anywhere in `value` (strings scanned recursively). */
export function scanSecrets(value: unknown, out: { names: Set<string>; all: boolean; token: boolean }): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(SECRET_REF)) if (m[1] !== 'GITHUB_TOKEN') out.names.add(m[1]!);
    for (const m of value.matchAll(SECRET_INDEX_LITERAL)) if (m[1] !== 'GITHUB_TOKEN') out.names.add(m[1]!);
    if (ALL_SECRETS.test(value)) out.all = true;
    if (TOKEN_REF.test(value)) out.token = true;
  } else if (Array.isArray(value)) {
    for (const v of value) scanSecrets(v, out);
  } else if (isRecord(value)) {
    for (const v of Object.values(value)) scanSecrets(v, out);
  }
}

/** Period of a cron schedule in minutes (approximate for irregular ones), or null when malformed. */
export function cronPeriodMinutes(cron: string): number | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute = '', hour = '', dom = '', month = '', dow = ''] = fields;
  const count = (field: string, size: number): number => {
    if (field === '*') return size;
    let n = 0;
    for (const part of field.split(',')) {
      const step = /^(\*|\d+(?:-\d+)?)\/(\d+)$/.exec(part);
      if (step !== null) {
        const [lo, hi] =
          step[1] === '*'
            ? [0, size - 1]
            : step[1]!.includes('-')
              ? step[1]!.split('-').map(Number)
              : [Number(step[1]), size - 1];
        n += Math.floor(((hi ?? 0) - (lo ?? 0)) / Number(step[2])) + 1;
      } else if (/^\d+-\d+$/.test(part)) {
        const [lo = 0, hi = 0] = part.split('-').map(Number);
        n += hi - lo + 1;
      } else if (/^\w+$/.test(part)) {
        n += 1;
      } else {
        return Number.NaN;
      }
    }
    return n;
  };
  const perHour = count(minute, 60);
  const perDay = count(hour, 24) * perHour;
  const days = dom === '*' && dow === '*' ? 1 : dow !== '*' && dom === '*' ? 7 / count(dow, 7) : 30 / count(dom, 31);
  const months = month === '*' ? 1 : 12 / count(month, 12);
  const period = (24 * 60 * days * months) / perDay;
  return Number.isFinite(period) && period > 0 ? Math.max(1, Math.round(period)) : null;
}

/** Event names of a workflow's `on`. */
export function triggerNames(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((t): t is string => typeof t === 'string');
  if (isRecord(on)) return Object.keys(on);
  return [];
}

/** Cron periods (minutes) of `on.schedule`. */
export function cronsOf(on: unknown, parsed: ParsedDocument, issues: ScenarioIssue[]): number[] {
  if (!isRecord(on) || on['schedule'] === undefined) return [];
  const schedule = on['schedule'];
  if (!Array.isArray(schedule)) {
    issues.push(inputIssue(parsed, ['on', 'schedule'], 'schedule must be a list of {cron: "…"}', 'wrong-type'));
    return [];
  }
  const out: number[] = [];
  schedule.forEach((entry, i) => {
    const cron = isRecord(entry) ? entry['cron'] : undefined;
    const period = typeof cron === 'string' ? cronPeriodMinutes(cron) : null;
    if (period === null)
      issues.push(
        inputIssue(
          parsed,
          ['on', 'schedule', i, 'cron'],
          `invalid cron ${JSON.stringify(cron ?? null)} (expected five fields like "0 * * * *")`,
          'bad-format',
        ),
      );
    else out.push(period);
  });
  return out;
}

/** A `permissions:` value as scope → access, or undefined when absent. */
export function permissionsOf(
  value: unknown,
  parsed: ParsedDocument,
  path: readonly PathSegment[],
  issues: ScenarioIssue[],
): Permissions | undefined {
  if (value === undefined) return undefined;
  if (value === 'read-all') return Object.fromEntries(ALL_SCOPES.map((s) => [s, 'read' as const]));
  if (value === 'write-all') return Object.fromEntries(ALL_SCOPES.map((s) => [s, 'write' as const]));
  if (!isRecord(value)) {
    issues.push(
      inputIssue(
        parsed,
        path,
        `permissions must be read-all, write-all or a map of scopes (got ${JSON.stringify(value)})`,
        typeof value === 'string' ? 'unknown-value' : 'wrong-type',
      ),
    );
    return undefined;
  }
  const out: Record<string, Access> = {};
  for (const [scope, access] of Object.entries(value)) {
    if (!ALL_SCOPES.includes(scope)) {
      issues.push(inputIssue(parsed, [...path, scope], `unknown permission scope ${JSON.stringify(scope)}`, 'unknown-key', true));
      continue;
    }
    if (access !== 'read' && access !== 'write' && access !== 'none') {
      issues.push(
        inputIssue(
          parsed,
          [...path, scope],
          `permission must be read, write or none (got ${JSON.stringify(access)})`,
          'unknown-value',
        ),
      );
      continue;
    }
    if (access !== 'none') out[scope] = access;
  }
  return out;
}
