/**
 * Sweep variants built as objects: the user's parsed scenario with one policy kept, its preset expanded
 * by the loader's own merge, and one parameter set to one value, then validated by the loader's own
 * checks. Problems are located in the user's file (the policy's entry, or the swept key when the file
 * writes it) and name the `--param`/`--values` that caused them.
 */
import { parse as parseYaml } from 'yaml';
import { ScenarioError, UsageError, type ScenarioIssue } from '../errors.js';
import type { ParsedDocument } from './document.js';
import { scenarioOfDocument } from './load.js';
import { loadPreset, mergePreset, presetDirOf, PRESETS_DIR } from './presets.js';
import { BROKER_KEYS } from './schema-policy.js';
import type { PolicyKind, Scenario } from '../domain/scenario.js';

/** One variant: which policy, which dotted parameter path, which value (as written on the command line). */
export interface VariantSpec {
  readonly policy: string;
  readonly param: string;
  readonly value: string;
}

/** A dotted path into a policy: names, and list indexes for hybrid exceptions (`exceptions.0.rotation`). */
export const PARAM_PATTERN = /^[A-Za-z][A-Za-z0-9]*(\.([A-Za-z][A-Za-z0-9]*|\d+))*$/;

/** Why sweeping `param` on a policy of `kind` cannot change any result, or `null` when it can. */
export function paramWithoutEffect(kind: PolicyKind, param: string): string | null {
  const head = param.split('.')[0] ?? '';
  if (kind === 'persistent' && BROKER_KEYS.has(head)) {
    return `${head} only applies to brokered tokens (ephemeral or hybrid policies); a persistent policy ignores it`;
  }
  if (head === 'exceptions' && kind !== 'hybrid') return `exceptions only exist on a hybrid policy (this one is ${kind})`;
  return null;
}

/** The policy's input object with any preset expanded (the loader's merge); a copy the caller may change. */
function policyObject(
  entry: unknown,
  spec: VariantSpec,
  parsed: ParsedDocument,
  presetDirs: readonly URL[],
): Record<string, unknown> {
  if (typeof entry === 'string' || (typeof entry === 'object' && entry !== null && !Array.isArray(entry) && 'preset' in entry)) {
    const { preset, ...overrides } = typeof entry === 'string' ? { preset: entry } : entry;
    const loaded = loadPreset(String(preset), presetDirOf(String(preset), presetDirs) ?? PRESETS_DIR);
    if (!loaded.ok) throw new ScenarioError(loaded.issues.map((i) => withCause(i, spec)));
    return structuredClone(mergePreset(loaded.raw, overrides));
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new UsageError(`--policy: policy "${spec.policy}" in ${parsed.file} is not an object`);
  }
  return structuredClone(entry as Record<string, unknown>);
}

/** Sets `value` at `path` inside a policy object: missing map keys are created, list items must exist. */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown, spec: VariantSpec): void {
  let node: unknown = target;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    const where = path.slice(0, i).join('.');
    if (Array.isArray(node)) {
      const index = Number(key);
      if (!/^\d+$/.test(key) || index >= node.length) {
        throw new UsageError(
          `--param ${spec.param}: policy "${spec.policy}" has ${node.length} item${node.length === 1 ? '' : 's'} under ${where} (indexes 0…${Math.max(node.length - 1, 0)})`,
        );
      }
      if (last) node[index] = value;
      else node = node[index];
      continue;
    }
    if (typeof node !== 'object' || node === null)
      throw new UsageError(`--param ${spec.param}: ${where} of policy "${spec.policy}" is not an object`);
    const map = node as Record<string, unknown>;
    if (/^\d+$/.test(key)) {
      throw new UsageError(
        `--param ${spec.param}: ${where === '' ? 'the policy' : where} is not a list in policy "${spec.policy}"`,
      );
    }
    if (last) map[key] = value;
    else {
      const next = map[key];
      if (next === undefined || next === null) map[key] = {};
      node = map[key];
    }
  }
}

/** Adds which sweep value caused an issue to its message. */
function withCause(issue: ScenarioIssue, spec: VariantSpec): ScenarioIssue {
  return { ...issue, message: `${issue.message} (from --param ${spec.param} --values ${spec.value})` };
}

/**
 * The scenario with only `spec.policy`, its `spec.param` set to `spec.value` (read as a YAML scalar,
 * as in a scenario file), checked like a file. `parsed` is the user's file; `sha256` its digest;
 * `presetDirs` the preset folders the file sees (presetDirsFor).
 * Throws ScenarioError (issues in the user's file) or UsageError.
 */
export function buildVariant(
  parsed: ParsedDocument,
  sha256: string,
  spec: VariantSpec,
  presetDirs: readonly URL[] = [PRESETS_DIR],
): Scenario {
  const document = parsed.data as Record<string, unknown>;
  const policies = document['policies'] as Record<string, unknown>;
  const object = policyObject(policies[spec.policy], spec, parsed, presetDirs);
  let value: unknown;
  try {
    value = parseYaml(spec.value);
  } catch (error) {
    throw new UsageError(`--values: cannot read ${JSON.stringify(spec.value)}: ${(error as Error).message}`);
  }
  setPath(object, spec.param.split('.'), value, spec);
  const variant: ParsedDocument = {
    file: parsed.file,
    data: { ...document, policies: { [spec.policy]: object } },
    position: (path, atKey) => parsed.position(path, atKey),
    release: () => undefined,
  };
  const result = scenarioOfDocument(variant, sha256, presetDirs);
  if (!result.ok) throw new ScenarioError(result.issues.map((i) => withCause(i, spec)));
  return result.scenario;
}
