/**
 * Reading input files with limits. Only regular files are read: a FIFO, a device (`/dev/zero`,
 * `/dev/stdin`), a socket or a folder is refused before any byte is read, and the read itself stops
 * after `maxBytes + 1` bytes — `stat.size` is not trusted (it is 0 for `/proc` files and for devices).
 * The file is opened non-blocking so that opening a FIFO with no writer cannot hang.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Why a file could not be read: `code` for callers and tests, `message` for people. */
export type ReadFailure =
  | { readonly ok: false; readonly code: 'not-regular'; readonly message: string }
  | { readonly ok: false; readonly code: 'too-large'; readonly message: string }
  | { readonly ok: false; readonly code: 'unreadable'; readonly message: string };

/** The bytes of a regular file, or why not. */
export type ReadResult = { readonly ok: true; readonly bytes: Buffer } | ReadFailure;

/** What a non-regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Reads a regular file of at most `maxBytes` bytes; never blocks on FIFOs, never reads more than `maxBytes + 1` bytes. */
export function readRegularFile(path: string, maxBytes: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, code: 'unreadable', message: `cannot read: ${(error as Error).message}` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, code: 'not-regular', message: `cannot read: ${kindOf(stats)}, not a regular file` };
    const tooLarge: ReadFailure = { ok: false, code: 'too-large', message: `file is larger than ${formatLimit(maxBytes)}` };
    if (stats.size > maxBytes) return tooLarge;
    // Read up to one byte past the limit whatever stat said: a file that grows, or lies about its size, is still bounded.
    const chunks: Buffer[] = [];
    let total = 0;
    let chunk = Buffer.allocUnsafe(Math.min(Math.max(stats.size + 1, 64 * 1024), maxBytes + 1));
    for (;;) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, maxBytes + 1 - total), null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return tooLarge;
      if (n === chunk.length) chunk = Buffer.allocUnsafe(Math.min(chunk.length * 2, maxBytes + 1 - total));
      else chunk = chunk.subarray(n);
    }
    return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
  } catch (error) {
    return { ok: false, code: 'unreadable', message: `cannot read: ${(error as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

/** `20 MB`, `256 MB`, `1.5 KB`: a byte limit as people read it. */
export function formatLimit(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
