/**
 * Flag parsing shared by the commands: each parser turns the flag's text into a checked value or
 * throws commander's InvalidArgumentError (reported with the command's usage line, exit 2).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_SHARDS, shardFromEnvironment, type ShardSpec } from '../exec/shard.js';

/** The largest --trials accepted (the scenario format's own limit). */
export const MAX_TRIALS = 1_000_000;
/** The largest --workers accepted (a typo guard). */
export const MAX_WORKERS = 1024;

/** An integer in `[min, max]`, written in decimal. */
export function intParser(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max} (got ${JSON.stringify(text)})`);
    }
    return value;
  };
}

/** `--trials N`: 1 … 1,000,000. */
export const parseTrials = intParser(1, MAX_TRIALS);
/** `--seed S`: 0 … 2^32 − 1. */
export const parseSeed = intParser(0, 2 ** 32 - 1);
/** `--attribution-trials n|all` and `--tempo-trials n|all` (a trial-index cap): 1 … 1,000,000, or all (Infinity). */
export function parseAttributionTrials(text: string): number {
  return text.trim() === 'all' ? Number.POSITIVE_INFINITY : intParser(1, MAX_TRIALS)(text);
}
/** `--workers N`: 1 … 1024. */
export const parseWorkers = intParser(1, MAX_WORKERS);

/** `--shard i/n` with 0 ≤ i < n, or `--shard auto` (from the batch engine's environment, exec/shard.ts). */
export function parseShardFlag(text: string): ShardSpec {
  if (text.trim() === 'auto') return shardFromEnvironment(process.env);
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new InvalidArgumentError(`expected i/n with 0 ≤ i < n ≤ ${MAX_SHARDS}, e.g. 0/4 (got ${JSON.stringify(text)})`);
  }
  return { index, count };
}

/** `--policies a,b`: a non-empty list of distinct names. */
export function parseList(text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) {
    throw new InvalidArgumentError(`expected a comma-separated list of names like a,b (got ${JSON.stringify(text)})`);
  }
  return [...new Set(items)];
}

/** The flags `run` and `sweep` share. */
export interface CommonFlags {
  readonly out?: string;
  readonly trials?: number;
  readonly seed?: number;
  readonly policies?: string[];
  readonly baseline?: string;
  readonly workers?: number;
  readonly shard?: ShardSpec;
  readonly quiet?: boolean;
  readonly color?: boolean;
  readonly presets?: string;
  readonly csvBom?: boolean;
}

/** `--csv-bom` (run, merge, sweep). */
export const CSV_BOM_HELP =
  'start the CSVs a spreadsheet opens (summary, comparison, scenarios, sweep) with a UTF-8 byte order mark, for programs that otherwise assume a legacy code page';

/** `--presets DIR`: the policy presets folder searched first (before a policies/ folder beside the files, then the package's). */
export function addPresetsFlag(cmd: Command): Command {
  return cmd.option(
    '--presets <dir>',
    'policy presets folder searched first (then a policies/ folder beside the scenario or above it, then the built-in presets)',
    (text: string) => {
      if (statSync(text, { throwIfNoEntry: false })?.isDirectory() !== true)
        throw new InvalidArgumentError(`not a folder: ${JSON.stringify(text)}`);
      return text;
    },
  );
}

/** Adds `--out`, `--trials`, `--seed`, `--workers`, `--quiet`, `--no-color` to a command. */
export function addRunFlags(cmd: Command, outDefault = 'results/<name>'): Command {
  return cmd
    .option('--out <dir>', `output folder (default: ${outDefault})`)
    .option('--trials <n>', 'trials per (policy, attack), overrides the scenario files', parseTrials)
    .option('--seed <s>', 'base seed, overrides the scenario files', parseSeed)
    .option('--workers <n>', 'worker threads (default: available cores; 1 = no threads)', parseWorkers)
    .option('--quiet', 'no progress bar, no table: only errors')
    .option('--no-color', 'plain output without colours');
}

/** The package's built-in scenarios folder (used when ./scenarios does not exist). */
export function builtinScenariosDir(): string {
  return fileURLToPath(new URL('../../scenarios/', import.meta.url));
}

/** `run`/`validate` paths: as given, else `./scenarios`, else the built-in folder. */
export function defaultPaths(paths: readonly string[]): string[] {
  if (paths.length > 0) return [...paths];
  return [existsSync('scenarios') ? 'scenarios' : builtinScenariosDir()];
}

/**
 * The line to print when no path was given and `./scenarios` does not exist, so the command falls back
 * on the package's own scenarios: the user must not mistake them for theirs. `null` otherwise.
 */
export function builtinNote(paths: readonly string[], command: string): string | null {
  if (paths.length > 0 || existsSync('scenarios')) return null;
  return `note: no paths given and no ./scenarios folder here: ${command} uses blastlab's built-in scenarios (${builtinScenariosDir()}); pass your files or folders to ${command} them`;
}

/** Scenarios that define none of the `--policies` names: they have nothing to run and leave every output. */
export function scenariosWithout(
  scenarios: readonly { readonly name: string; readonly policies: readonly { readonly name: string }[] }[],
  policies: readonly string[] | undefined,
): string[] {
  if (policies === undefined) return [];
  const wanted = new Set(policies);
  return scenarios.filter((s) => !s.policies.some((p) => wanted.has(p.name))).map((s) => s.name);
}

/**
 * The default output folder `results/<name>`: the scenario's name for one file, the folder's name for
 * one folder, `run` for several paths.
 */
export function defaultOutName(
  paths: readonly string[],
  isFolder: (path: string) => boolean,
  scenarioNames: readonly string[],
): string {
  if (paths.length === 1) {
    const path = paths[0]!;
    if (isFolder(path)) return basename(resolve(path));
    if (scenarioNames.length === 1) return scenarioNames[0]!;
  }
  return 'run';
}

/** Colours on stdout: a terminal, no `--no-color`, and no NO_COLOR in the environment (no-color.org). */
export function useColor(flags: { readonly color?: boolean }): boolean {
  const noColor = process.env['NO_COLOR'];
  return flags.color !== false && process.stdout.isTTY && (noColor === undefined || noColor === '');
}
