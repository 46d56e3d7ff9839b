/**
 * Shared helpers for the scenario-suite tests: find the shipped scenario files and parse them with the
 * `yaml` package directly, independent of the loader (so these checks hold even while it changes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built-in scenarios folder. */
export const SCENARIOS_DIR = join(ROOT, 'scenarios');

/** One shipped scenario file: where it is, its raw text and its parsed document. */
export interface SuiteFile {
  /** Path relative to the repository root, e.g. `scenarios/breaches/xai-2025.yaml`. */
  readonly path: string;
  /** `top` (scenarios/*.yaml), `breaches` or `agents`. */
  readonly suite: 'top' | 'breaches' | 'agents';
  readonly text: string;
  readonly doc: Record<string, unknown>;
}

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

function read(file: string, suite: SuiteFile['suite']): SuiteFile {
  const text = readFileSync(file, 'utf8');
  const doc: unknown = parse(text, { uniqueKeys: true });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: not a mapping`);
  return { path: relative(ROOT, file), suite, text, doc: doc as Record<string, unknown> };
}

/** Every shipped scenario file of the three suites (presets in scenarios/policies/ excluded). */
export function suiteFiles(): SuiteFile[] {
  return [
    ...listYaml(SCENARIOS_DIR).map((f) => read(f, 'top')),
    ...listYaml(join(SCENARIOS_DIR, 'breaches')).map((f) => read(f, 'breaches')),
    ...listYaml(join(SCENARIOS_DIR, 'agents')).map((f) => read(f, 'agents')),
  ];
}

/** One incident of BREACHES.md: its id and the source URLs listed for it. */
export interface Breach {
  readonly id: string;
  readonly sources: readonly string[];
}

/** Parses the incident table and the Sources list of BREACHES.md (a copy is kept in fixtures/). */
export function breaches(): Breach[] {
  const text = readFileSync(join(ROOT, 'test/scenarios/fixtures/BREACHES.md'), 'utf8');
  const ids = [...text.matchAll(/^\| ([a-z0-9-]+-\d{4}) \|/gm)].map((m) => m[1] ?? '');
  const sources = new Map<string, string[]>();
  for (const m of text.matchAll(/^- ([a-z0-9-]+-\d{4}): (.+)$/gm)) {
    sources.set(m[1] ?? '', (m[2] ?? '').split('·').map((s) => s.trim()));
  }
  return ids.map((id) => ({ id, sources: sources.get(id) ?? [] }));
}

/** The `kind: agent|tool|resource|credential` nodes of a parsed document. */
export function nodesOf(doc: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(doc['nodes']) ? (doc['nodes'] as Record<string, unknown>[]) : [];
}
