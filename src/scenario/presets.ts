/**
 * Policy presets: `<name>.yaml` files, one policy object per file, in preset folders. A scenario names
 * one (`ephemeral-15m`) or overrides some of its fields (`{preset: ephemeral-15m, ttl: 5m}`; a nested
 * object such as `issuer` is replaced whole). A scenario file sees, first match wins: the `--presets`
 * folder, then the nearest `policies/` folder beside the file or in a folder above it, then the
 * package's own `scenarios/policies/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Checked } from '../errors.js';
import { fileIssue, issueAt, parseText, type ParsedDocument, type PathSegment } from './document.js';
import { didYouMean } from './hints.js';
import { mapZodIssues } from './issues.js';
import type { PolicyEntryInput, PolicyInput } from './schema.js';
import { policySchema } from './schema-policy.js';

/** The shipped presets folder; resolves from src/scenario/ (vitest) and from dist/scenario/ alike. */
export const PRESETS_DIR: URL = new URL('../../scenarios/policies/', import.meta.url);

/** The preset folders a scenario file sees, first match wins (see the module comment). */
export function presetDirsFor(file: string, extra?: string): URL[] {
  const dirs: URL[] = [];
  const add = (dir: string): void => {
    const url = pathToFileURL(`${resolve(dir)}/`);
    if (!dirs.some((d) => d.href === url.href)) dirs.push(url);
  };
  if (extra !== undefined) add(extra);
  let dir = dirname(resolve(file));
  for (;;) {
    const candidate = join(dir, 'policies');
    if (statSync(candidate, { throwIfNoEntry: false })?.isDirectory() === true) {
      add(candidate);
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (!dirs.some((d) => d.href === PRESETS_DIR.href)) dirs.push(PRESETS_DIR);
  return dirs;
}

/** The first folder of `dirs` that holds preset `name`, if any. */
export function presetDirOf(name: string, dirs: readonly URL[]): URL | undefined {
  return dirs.find((dir) => presetNames(dir).includes(name));
}

/** Names of the presets available in a folder, sorted. */
export function presetNames(dir: URL = PRESETS_DIR): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => file.replace(/\.ya?ml$/, ''))
    .sort();
}

type PresetResult = Checked<{ readonly raw: Record<string, unknown>; readonly file: string }>;
const cache = new Map<string, PresetResult>();

/** Reads and validates one preset (cached per process; presets are package files). */
export function loadPreset(name: string, dir: URL = PRESETS_DIR): PresetResult {
  const key = `${dir.href}\0${name}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const fileName = readdirSync(dir).find((file) => file === `${name}.yaml` || file === `${name}.yml`);
  const file = fileURLToPath(new URL(fileName ?? `${name}.yaml`, dir));
  let result: PresetResult;
  if (fileName === undefined) {
    result = { ok: false, issues: [fileIssue(file, `preset ${JSON.stringify(name)} not found`, 'unknown-preset')] };
  } else {
    const parsedText = parseText(readFileSync(file, 'utf8'), file);
    if (!parsedText.ok) result = parsedText;
    else {
      const check = policySchema.safeParse(parsedText.parsed.data);
      result = check.success
        ? { ok: true, raw: parsedText.parsed.data as Record<string, unknown>, file }
        : {
            ok: false,
            issues: mapZodIssues(check.error.issues, {
              parsed: parsedText.parsed,
              schema: policySchema,
              data: parsedText.parsed.data,
            }),
          };
    }
  }
  cache.set(key, result);
  return result;
}

/** Turns a policy entry of a scenario (object, preset name, or preset with overrides) into a policy object. */
export function expandPolicyEntry(
  name: string,
  entry: PolicyEntryInput,
  parsed: ParsedDocument,
  dirs: readonly URL[] = [PRESETS_DIR],
): Checked<{ policy: PolicyInput }> {
  if (typeof entry !== 'string' && !('preset' in entry)) return { ok: true, policy: entry };
  const presetName = typeof entry === 'string' ? entry : entry.preset;
  const presetPath: PathSegment[] = typeof entry === 'string' ? ['policies', name] : ['policies', name, 'preset'];
  const dir = presetDirOf(presetName, dirs);
  if (dir === undefined) {
    const available = [...new Set(dirs.flatMap((d) => presetNames(d)))].sort();
    const folders = dirs.map((d) => fileURLToPath(d)).join(', ');
    const message = `unknown policy preset ${JSON.stringify(presetName)} (available: ${available.join(', ')}; looked in ${folders})`;
    return {
      ok: false,
      issues: [issueAt(parsed, presetPath, message, { code: 'unknown-preset', hint: didYouMean(presetName, available) })],
    };
  }
  const preset = loadPreset(presetName, dir);
  if (!preset.ok) return preset;
  if (typeof entry === 'string') return { ok: true, policy: policySchema.parse(preset.raw) };
  const { preset: _name, ...overrides } = entry;
  const merged = mergePreset(preset.raw, overrides);
  const check = policySchema.safeParse(merged);
  if (check.success) return { ok: true, policy: check.data };
  return {
    ok: false,
    issues: mapZodIssues(check.error.issues, { parsed, schema: policySchema, data: merged, base: ['policies', name] }),
  };
}

/** The one preset merge: the preset's fields, then the entry's overrides (a nested object is replaced whole). */
export function mergePreset(
  preset: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { ...preset, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
