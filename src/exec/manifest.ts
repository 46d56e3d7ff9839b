/**
 * run.json: what an output folder holds — which scenario files (by content hash), which overrides,
 * how big the plan was and which shard of it this is. `merge` refuses to join folders whose records
 * disagree.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import type { Scenario } from '../domain/scenario.js';
import type { TrialPlan } from './plan.js';
import type { ShardSpec } from './shard.js';

/** The file name of the record inside an output folder. */
export const MANIFEST_FILE = 'run.json';

/** The record written as run.json. Keys are stable: other tools may read it. */
export interface RunManifest {
  readonly blastlab: string;
  readonly scenarios: readonly { readonly name: string; readonly file: string; readonly sha256: string }[];
  readonly options: {
    readonly trials: number | null;
    readonly seed: number | null;
    readonly policies: readonly string[] | null;
    readonly baseline: string | null;
  };
  /** Trial units of the whole (unsharded) plan. */
  readonly planSize: number;
  /** This folder's slice; an unsharded run is shard 0 of 1. */
  readonly shard: { readonly index: number; readonly count: number; readonly size: number };
}

/** The installed blastlab version (from package.json, two folders above this module in src/ and dist/). */
export function blastlabVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Builds the record of a run. */
export function buildManifest(
  scenarios: readonly Scenario[],
  options: { trials?: number | undefined; seed?: number | undefined; policies?: readonly string[] | undefined; baseline?: string | undefined },
  whole: TrialPlan,
  shard: ShardSpec,
  shardSize: number,
): RunManifest {
  return {
    blastlab: blastlabVersion(),
    scenarios: scenarios.map((s) => ({ name: s.name, file: s.source.file, sha256: s.source.sha256 })),
    options: {
      trials: options.trials ?? null,
      seed: options.seed ?? null,
      policies: options.policies === undefined ? null : [...options.policies],
      baseline: options.baseline ?? null,
    },
    planSize: whole.size,
    shard: { index: shard.index, count: shard.count, size: shardSize },
  };
}

/** Serialises a record (stable key order, trailing newline). */
export function formatManifest(manifest: RunManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Reads and checks the shape of `<dir>/run.json`; throws OutputError naming the folder otherwise. */
export async function readManifest(dir: string): Promise<RunManifest> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new OutputError(`merge: ${file} not found (is "${dir}" a blastlab output folder?)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OutputError(`merge: ${file} is not valid JSON (${(error as Error).message})`);
  }
  if (!isManifest(value)) throw new OutputError(`merge: ${file} is not a blastlab run record`);
  return value;
}

function isManifest(v: unknown): v is RunManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  const shard = m['shard'] as Record<string, unknown> | undefined;
  const options = m['options'] as Record<string, unknown> | undefined;
  return (
    typeof m['blastlab'] === 'string' &&
    Array.isArray(m['scenarios']) &&
    (m['scenarios'] as unknown[]).every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as Record<string, unknown>)['name'] === 'string' &&
        typeof (s as Record<string, unknown>)['file'] === 'string' &&
        typeof (s as Record<string, unknown>)['sha256'] === 'string',
    ) &&
    typeof options === 'object' &&
    options !== null &&
    typeof m['planSize'] === 'number' &&
    typeof shard === 'object' &&
    shard !== null &&
    Number.isSafeInteger(shard['index']) &&
    Number.isSafeInteger(shard['count']) &&
    Number.isSafeInteger(shard['size'])
  );
}
