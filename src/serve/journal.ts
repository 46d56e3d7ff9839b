/**
 * The revocation journal (`serve --journal FILE`): an append-only file of JSON lines, one per
 * revocation, `{"jti":"…","untilMs":…}`. Appends are group-committed: every revocation that arrives
 * while a write is in flight joins the next batch, and each batch is written and fsync'd (fdatasync)
 * once before the revocations in it are acknowledged — durability without one fsync per request.
 * On start the file is replayed; a torn last line (a crash mid-write) is ignored, any other bad line is
 * an error naming the file and line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** One journalled revocation. */
export interface JournalEntry {
  readonly jti: string;
  /** The instant (ms) after which the token can no longer verify anyway. */
  readonly untilMs: number;
}

/** Reads a journal; a missing file is empty. Throws UsageError naming `file:line` on a corrupt line. */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const torn = !text.endsWith('\n') && text !== '';
  const entries: JournalEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if (torn && i === lines.length - 1) break;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${i + 1}: not a journal line (expected {"jti": …, "untilMs": …})`);
    }
    const v = value as Partial<JournalEntry> | null;
    if (typeof v !== 'object' || v === null || typeof v.jti !== 'string' || typeof v.untilMs !== 'number') {
      throw new UsageError(`${file}:${i + 1}: not a journal line (expected {"jti": …, "untilMs": …})`);
    }
    entries.push({ jti: v.jti, untilMs: v.untilMs });
  }
  return entries;
}

interface Pending {
  readonly line: string;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

/** An open journal: `append` resolves once the entry is on disk. */
export class Journal {
  private queue: Pending[] = [];
  private writing = false;
  private closed = false;

  private constructor(private readonly handle: FileHandle) {}

  /** Opens (creating) `file` for appending. */
  static async open(file: string): Promise<Journal> {
    return new Journal(await open(file, 'a', 0o600));
  }

  /** Appends one entry; resolves after the batch containing it has been fsync'd. */
  append(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('Journal.append: the journal is closed'));
    return new Promise((done, failed) => {
      this.queue.push({ line: `${JSON.stringify({ jti: entry.jti, untilMs: entry.untilMs })}\n`, done, failed });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.handle.write(batch.map((p) => p.line).join(''));
        await this.handle.datasync();
        for (const p of batch) p.done();
      } catch (error) {
        for (const p of batch) p.failed(error);
      }
    }
    this.writing = false;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.handle.close();
  }
}
