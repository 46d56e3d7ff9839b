/**
 * Whole-folder landing of a command's results (docs/reliability.md, "What is atomic").
 *
 * 1. `openStaging(out)` refuses an empty `--out`, the root folder, a file, and a folder holding files
 *    blastlab did not write; cleans staging left by killed runs; creates the staging folder
 *    `<parent>/.<name>.staging-<host>-<pid>-<random>` (same file system as the target, so renames are
 *    atomic) and notes which folder `out` is now (or that there is none).
 * 2. The command writes every file into `staging.dir`.
 * 3. `land(record)` writes run.json (the record plus every file with its SHA-256), then, holding the
 *    lock `<parent>/.<name>.lock` for a few renames: if another run landed in `out` since step 1, this
 *    run fails (exit 1) and touches nothing; otherwise the previous results folder is renamed aside,
 *    the staging folder is renamed to `out`, and the previous folder is removed. A reader sees the old
 *    complete set or the new complete set, never a mix, and never stale files from an earlier run.
 *
 * A staging or set-aside folder left by a process that was killed (SIGKILL, power loss) is recognised
 * by its host and process id and cleaned by the next run into the same `out`.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError, UsageError } from '../errors.js';
import { errorMessage, writeFileAtomic } from './atomic.js';
import { digestFolder, type FileDigest } from './digest.js';

/** The record every results folder holds: what ran, and every file with its SHA-256. */
export const RECORD_FILE = 'run.json';

/** A folder being filled that becomes the output folder on `land()`. */
export interface Staging {
  /** Where to write: a folder on the same file system as the target. */
  readonly dir: string;
  /**
   * Writes run.json (`record` plus `files`: every file with its size and SHA-256), then replaces the
   * output folder by the staging folder in one rename. Returns the files as paths under `out`.
   * Throws OutputError when another run landed there meanwhile (nothing is touched then).
   */
  land(record?: object): string[];
  /** Removes the staging folder and everything in it (idempotent). */
  discard(): void;
}

/** Top-level names an earlier blastlab wrote into results folders before run.json listed its files. */
const LEGACY_OUTPUTS: ReadonlySet<string> = new Set([
  'trials.csv',
  'summary.csv',
  'comparison.csv',
  'scenarios.csv',
  'sweep.csv',
  'real-tokens.csv',
  'attribution.csv',
  'attribution-trials.csv',
  'bench.csv',
  'load.csv',
  'load.json',
  'load.md',
  'load-latency.svg',
  'issuer.yaml',
  'report.md',
  'report.html',
  'charts',
  RECORD_FILE,
]);

/** Live staging folders, removed on process exit if a command dies before discarding them. */
const live = new Set<string>();
process.once('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

/** This host, as it appears in staging and lock names. */
const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host';

/** Where `out` points: the folder's identity, or null when nothing is there. */
function identity(target: string): string | null {
  const stats = statSync(target, { throwIfNoEntry: false });
  return stats === undefined ? null : `${stats.dev}:${stats.ino}`;
}

/** Checks `--out` and returns the absolute target. Throws UsageError for an empty path or the root. */
export function checkOutPath(out: string): string {
  if (out.trim() === '')
    throw new UsageError('--out: the path is empty (an unset variable such as $OUTDIR?); give the results folder');
  const target = resolve(out);
  if (basename(target) === '' || dirname(target) === target)
    throw new UsageError(`--out: cannot use the root folder ${target} as a results folder`);
  return target;
}

/** Creates the staging folder for output folder `out` (see the module comment). */
export function openStaging(out: string): Staging {
  const target = checkOutPath(out);
  const parent = dirname(target);
  const name = basename(target);
  const stats = statSync(target, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isDirectory()) throw new UsageError(`--out: ${out} exists and is not a folder`);
  if (stats !== undefined) assertReplaceable(out, target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new OutputError(`--out: cannot create ${parent}: ${errorMessage(error)}`, { cause: error });
  }
  cleanStale(parent, name, target);
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, `.${name}.staging-${HOST}-${process.pid}-`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the folder is not writable' : errorMessage(error);
    throw new OutputError(`--out: cannot create a staging folder in ${parent}: ${why} (${code ?? 'error'})`, { cause: error });
  }
  live.add(dir);
  const before = identity(target);
  const discard = (): void => {
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  };
  return {
    dir,
    discard,
    land(record = {}) {
      try {
        const files = digestFolder(dir).filter((f) => f.path !== RECORD_FILE);
        writeFileAtomic(join(dir, RECORD_FILE), `${JSON.stringify({ ...record, files }, null, 2)}\n`);
        const release = acquireLock(out, join(parent, `.${name}.lock`));
        try {
          if (identity(target) !== before) {
            throw new OutputError(
              `--out: another run wrote results into ${out} while this one ran; this run's results were discarded (give each concurrent run its own --out)`,
            );
          }
          replaceFolder(out, target, dir);
        } finally {
          release();
        }
        live.delete(dir);
        return [...files.map((f) => f.path), RECORD_FILE].sort().map((path) => join(out, path));
      } catch (error) {
        discard();
        if (error instanceof OutputError || error instanceof UsageError) throw error;
        throw new OutputError(`cannot move results into ${out}: ${errorMessage(error)}`, { cause: error });
      }
    },
  };
}

/** Puts `staging` in `target`'s place: the previous folder (checked to hold only blastlab files) goes aside, then away. */
function replaceFolder(out: string, target: string, staging: string): void {
  if (statSync(target, { throwIfNoEntry: false }) === undefined) {
    renameSync(staging, target);
    return;
  }
  assertReplaceable(out, target);
  const aside = join(dirname(target), `.${basename(target)}.old-${HOST}-${process.pid}-${randomBytes(3).toString('hex')}`);
  renameSync(target, aside);
  try {
    renameSync(staging, target);
  } catch (error) {
    renameSync(aside, target);
    throw error;
  }
  rmSync(aside, { recursive: true, force: true });
}

/** The entries of a results folder that blastlab did not write (at most a few, for the message). */
export function foreignEntries(target: string): string[] {
  const listed = listedFiles(target);
  const foreign: string[] = [];
  const visit = (sub: string): void => {
    for (const entry of readdirSync(join(target, sub), { withFileTypes: true })) {
      if (foreign.length >= 5) return;
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (listed === null) {
        // An earlier blastlab: its known names, SVG charts, and its `<file>.tmp-<pid>` leftovers.
        const known =
          sub === ''
            ? LEGACY_OUTPUTS.has(entry.name) || /\.tmp-\d+$/.test(entry.name)
            : sub === 'charts' && entry.isFile() && entry.name.endsWith('.svg');
        if (!known) foreign.push(rel);
        else if (entry.isDirectory()) visit(rel);
      } else if (entry.isDirectory()) {
        if ([...listed].some((path) => path.startsWith(`${rel}/`))) visit(rel);
        else foreign.push(`${rel}/`);
      } else if (!listed.has(rel)) foreign.push(rel);
    }
  };
  visit('');
  return foreign;
}

/** The files a results folder's run.json lists (with run.json itself), or null when it lists none. */
function listedFiles(target: string): Set<string> | null {
  let files: unknown;
  try {
    files = (JSON.parse(readFileSync(join(target, RECORD_FILE), 'utf8')) as { files?: unknown }).files;
  } catch {
    return null;
  }
  if (!Array.isArray(files)) return null;
  const out = new Set<string>([RECORD_FILE]);
  for (const file of files as Partial<FileDigest>[]) if (typeof file?.path === 'string') out.add(file.path);
  return out;
}

/** Throws UsageError when the folder holds anything blastlab did not write: landing never removes user files. */
function assertReplaceable(out: string, target: string): void {
  const foreign = foreignEntries(target);
  if (foreign.length === 0) return;
  throw new UsageError(
    `--out: ${out} holds files blastlab did not write (${foreign.join(', ')}); results replace the whole folder, so give a new or empty folder, or move those files`,
  );
}

/** Whether a process of this host is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a staging/set-aside/lock owner named `<host>-<pid>[-<random>]`, if it is on this host. */
function localPid(owner: string): number | null {
  const match = /^(.*)-(\d+)(?:-[A-Za-z0-9]+)?$/.exec(owner);
  return match !== null && match[1] === HOST ? Number(match[2]) : null;
}

/** Removes staging folders of dead local processes; a set-aside previous folder is restored if `out` is missing, else removed. */
function cleanStale(parent: string, name: string, target: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries.sort()) {
    for (const kind of ['staging', 'old'] as const) {
      const prefix = `.${name}.${kind}-`;
      if (!entry.startsWith(prefix)) continue;
      const pid = localPid(entry.slice(prefix.length));
      if (pid === null || pid === process.pid || alive(pid)) continue;
      const path = join(parent, entry);
      try {
        if (kind === 'old' && statSync(target, { throwIfNoEntry: false }) === undefined) renameSync(path, target);
        else rmSync(path, { recursive: true, force: true });
      } catch {
        // Best effort: a folder we cannot clean is left as it was.
      }
    }
  }
}

/** Takes the landing lock (held for a few renames); a lock of a dead local process is taken over. */
function acquireLock(out: string, lock: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, `${HOST}-${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OutputError(`--out: cannot lock ${out} (${lock}): ${errorMessage(error)}`, { cause: error });
      }
      let owner = '';
      try {
        owner = readFileSync(lock, 'utf8').trim();
      } catch {
        // Released between our open and read: try again.
      }
      const pid = localPid(owner);
      if (attempt === 0 && (owner === '' || (pid !== null && pid !== process.pid && !alive(pid)))) {
        rmSync(lock, { force: true });
        continue;
      }
      throw new OutputError(
        `--out: another run is landing results in ${out} right now (lock ${lock} held by ${owner || 'unknown'}); if no blastlab run is, remove the lock file`,
      );
    }
  }
}
