/**
 * Single files written whole or not at all: the bytes go to a temp file in the same folder, which then
 * takes the target's name in one rename (replace) or one hard link (no-overwrite). A reader sees the
 * old file or the new one, never half of one; a failure leaves no temp file behind.
 */
import { linkSync, mkdirSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutputError, UsageError } from '../errors.js';

/** The temp name of `path` while this process writes it. */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Writes a file whole or not at all (`<path>.tmp-<pid>`, then rename, replacing any file there). Throws OutputError. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPath(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new OutputError(`writeFileAtomic: cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Writes a file whole or not at all, and never over an existing file: the temp file is hard-linked to
 * `path`, which fails if anything is there — even a file created a moment ago by another process.
 * Throws UsageError when `path` exists (the caller names the flag that allows overwriting), OutputError otherwise.
 */
export function writeFileExclusive(path: string, data: string | Uint8Array): void {
  const tmp = tempPath(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} already exists`);
    throw new OutputError(`cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The message of a caught value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
