/**
 * Single files written whole or not at all: the bytes go to a temp file in the same folder, which then
 * takes the target's name in one rename (replace) or one hard link (no-overwrite). A reader sees the
 * old file or the new one, never half of one; a failure leaves no temp file behind.
 */
import { closeSync, linkSync, mkdirSync, openSync, rmSync, renameSync, writeFileSync, writeSync } from 'node:fs';
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

/** Top-level lists longer than this are written item by item (a 1M-edge scenario never becomes one string). */
const STREAM_ITEMS = 1024;
/** Bytes are handed to the file in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 22;

/**
 * Writes `value` (a plain JSON object) as compact JSON plus a newline — the bytes of
 * `${JSON.stringify(value)}\n` — whole or not at all, without ever holding the whole text: long
 * top-level lists go out item by item. Throws OutputError.
 */
export function writeJsonAtomic(path: string, value: Readonly<Record<string, unknown>>): void {
  writeStreamAtomic(path, 'writeJsonAtomic', (write) => {
    let pending: string[] = [];
    let size = 0;
    const flush = (): void => {
      write(pending.join(''));
      pending = [];
      size = 0;
    };
    const emit = (text: string): void => {
      pending.push(text);
      size += text.length;
      if (size >= CHUNK_CHARS) flush();
    };
    let first = true;
    emit('{');
    for (const [key, item] of Object.entries(value)) {
      const text = Array.isArray(item) && item.length > STREAM_ITEMS ? null : JSON.stringify(item);
      if (text === undefined) continue; // JSON.stringify leaves out undefined and functions
      emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      if (text !== null) emit(text);
      else {
        const list = item as readonly unknown[];
        emit('[');
        for (let i = 0; i < list.length; i++) emit(`${i === 0 ? '' : ','}${JSON.stringify(list[i]) ?? 'null'}`);
        emit(']');
      }
    }
    emit('}\n');
    flush();
  });
}

/**
 * Writes `path` whole or not at all from chunks `fill` hands to `write` (text as UTF-8), never holding
 * the whole content: a temp file beside it, renamed into place when `fill` returns. A UsageError or
 * OutputError from `fill` passes through; anything else becomes an OutputError naming `who` and the path.
 */
export function writeStreamAtomic(path: string, who: string, fill: (write: (chunk: string | Uint8Array) => void) => void): void {
  const tmp = tempPath(path);
  let fd: number | null = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, 'w');
    const handle = fd;
    fill((chunk) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (let off = 0; off < bytes.length;) off += writeSync(handle, bytes, off);
    });
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    if (error instanceof UsageError || error instanceof OutputError) throw error;
    throw new OutputError(`${who}: cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
