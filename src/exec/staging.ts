/**
 * Whole-or-nothing output folders: every file of a command is written into a temp folder beside the
 * target, and moved into the target by rename only once the whole command has succeeded. On failure
 * or Ctrl-C the temp folder is removed and the target is left as it was.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from '../errors.js';

/** A temp folder that becomes (part of) an output folder on `land()`. */
export interface Staging {
  /** Where to write: a folder on the same file system as the target. */
  readonly dir: string;
  /** Moves every file into the target folder (created if needed), then removes the temp folder. */
  land(): string[];
  /** Removes the temp folder and everything in it (idempotent). */
  discard(): void;
}

/** Live staging folders, removed on process exit if a command dies before discarding them. */
const live = new Set<string>();
process.once('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

/** Creates the temp folder for output folder `out`. Throws OutputError when `out` is a file or unwritable. */
export function openStaging(out: string): Staging {
  const target = resolve(out);
  try {
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory() === false) {
      throw new OutputError(`--out: ${out} exists and is not a folder`);
    }
    mkdirSync(dirname(target), { recursive: true });
  } catch (error) {
    if (error instanceof OutputError) throw error;
    throw new OutputError(`--out: cannot create ${out}: ${(error as Error).message}`, { cause: error });
  }
  const dir = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  live.add(dir);
  const discard = (): void => {
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  };
  return {
    dir,
    discard,
    land() {
      try {
        mkdirSync(target, { recursive: true });
        const files = readdirSync(dir).sort();
        for (const file of files) {
          // A folder (charts/) replaces the previous run's folder whole; files replace files.
          if (statSync(join(dir, file)).isDirectory()) rmSync(join(target, file), { recursive: true, force: true });
          renameSync(join(dir, file), join(target, file));
        }
        discard();
        return files.map((file) => join(out, file));
      } catch (error) {
        discard();
        throw new OutputError(`cannot move results into ${out}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
