/**
 * run.json: what an output folder holds — which scenario files (by content hash), which overrides,
 * how big the plan was and which shard of it this is. `merge` refuses to join folders whose records
 * disagree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultsInputError } from '../errors.js';
import { readRegularFile } from '../io/read.js';
import type { FileDigest } from '../io/digest.js';
import { RECORD_FILE } from '../io/staging.js';
import type { Scenario } from '../domain/scenario.js';
import type { TrialPlan } from './plan.js';
import type { ShardSpec } from './shard.js';

/** The file name of the record inside an output folder. */
export const MANIFEST_FILE = RECORD_FILE;

/**
 * `run --issuer-from`: the load.csv every policy's issuer was fitted from (as given on the command
 * line, and its SHA-256) and the fitted block, in the `issuer:` shape of a policy.
 */
export interface IssuerProvenance {
  readonly file: string;
  readonly sha256: string;
  /** The offered rate (requests/s) of the row fitted (the knee). */
  readonly fittedAtRate: number;
  readonly issuer: {
    readonly latency: { readonly lognormal: { readonly median: string; readonly sigma: number } };
    readonly availability: number;
  };
}

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
  /** `run --no-trials`: summaries.json instead of trials.csv and attribution-trials.csv (absent: a full run). */
  readonly noTrials?: true;
  /** Every other file of the folder with its size and SHA-256 (added when the folder lands; see io/staging.ts). */
  readonly files?: readonly FileDigest[];
  /** Present when the run used `--issuer-from`. */
  readonly issuerFrom?: IssuerProvenance;
  /**
   * Present when `--attribution-trials` or `--tempo-trials` differ from their default (50): the trial
   * caps of the variant runs (`all` = every trial). `merge` refuses shards whose caps differ.
   */
  readonly variantTrials?: { readonly attribution: number | 'all'; readonly tempo: number | 'all' };
}

/** The variant trial caps as run.json records them (absent when both are the default). */
export function variantTrialsRecord(
  attribution: number,
  tempo: number,
  defaults: number,
): { readonly attribution: number | 'all'; readonly tempo: number | 'all' } | undefined {
  if (attribution === defaults && tempo === defaults) return undefined;
  const cap = (n: number): number | 'all' => (Number.isFinite(n) ? n : 'all');
  return { attribution: cap(attribution), tempo: cap(tempo) };
}

/** The installed blastlab version (from package.json, two folders above this module in src/ and dist/). */
export function blastlabVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Builds the record of a run. */
export function buildManifest(
  scenarios: readonly Scenario[],
  options: {
    trials?: number | undefined;
    seed?: number | undefined;
    policies?: readonly string[] | undefined;
    baseline?: string | undefined;
    issuerFrom?: IssuerProvenance | undefined;
    attributionTrials?: number | undefined;
    tempoTrials?: number | undefined;
  },
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
    ...(options.issuerFrom === undefined ? {} : { issuerFrom: options.issuerFrom }),
    ...variantTrialsOf(options.attributionTrials, options.tempoTrials),
  };
}

/** The default trial cap of both variant runs (exec/attribution.ts A5, exec/tempo.ts), defined once here. */
export const DEFAULT_VARIANT_TRIALS = 50;

function variantTrialsOf(
  attribution: number | undefined,
  tempo: number | undefined,
): { variantTrials?: NonNullable<RunManifest['variantTrials']> } {
  const record = variantTrialsRecord(
    attribution ?? DEFAULT_VARIANT_TRIALS,
    tempo ?? DEFAULT_VARIANT_TRIALS,
    DEFAULT_VARIANT_TRIALS,
  );
  return record === undefined ? {} : { variantTrials: record };
}

/** A run.json larger than this is not one blastlab wrote (it lists a few files). */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Reads and checks the shape of `<dir>/run.json`; throws ResultsInputError naming the folder otherwise. */
// eslint-disable-next-line @typescript-eslint/require-await -- public API (src/index.ts): failures reject the promise rather than throw
export async function readManifest(dir: string): Promise<RunManifest> {
  const file = join(dir, MANIFEST_FILE);
  const read = readRegularFile(file, MAX_MANIFEST_BYTES);
  if (!read.ok) {
    if (read.code === 'unreadable')
      throw new ResultsInputError(`merge: ${file} not found (is "${dir}" a blastlab output folder?)`);
    throw new ResultsInputError(`merge: ${file}: ${read.message}`);
  }
  const text = read.bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ResultsInputError(`merge: ${file} is not valid JSON (${(error as Error).message})`);
  }
  if (!isManifest(value)) throw new ResultsInputError(`merge: ${file} is not a blastlab run record`);
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
    Number.isSafeInteger(shard['size']) &&
    (m['noTrials'] === undefined || m['noTrials'] === true) &&
    (m['files'] === undefined || (Array.isArray(m['files']) && (m['files'] as unknown[]).every(isFileDigest)))
  );
}

/** A listed file: a relative path inside the folder (no `..`, not absolute), its size and SHA-256. */
function isFileDigest(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    typeof f['path'] === 'string' &&
    !f['path'].startsWith('/') &&
    !f['path'].split('/').includes('..') &&
    typeof f['sha256'] === 'string' &&
    Number.isSafeInteger(f['bytes'])
  );
}
