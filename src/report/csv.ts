/**
 * Every CSV file is written here: header from a declared column list, cells through the one number
 * formatter, text cells made spreadsheet-safe, and the file written whole or not at all (temp file in
 * the same folder, then rename). csv-stringify does the RFC 4180 quoting.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { OutputError } from '../errors.js';
import { errorMessage, tempPath, writeFileAtomic } from '../io/atomic.js';
import { METRICS, type TrialRow } from '../domain/metrics.js';
import type { TRIALS_COLUMNS } from './columns.js';
import { type Cell, type CsvRow } from './columns.js';
import { formatNumber } from './format.js';

/** First characters that make a spreadsheet evaluate a text cell as a formula (OWASP CSV injection). */
const FORMULA_PREFIX = /^[=+\-@\t\r]/;

/** Makes a text cell inert in spreadsheets: a leading `'` before a formula-starting character. */
export function neutralise(text: string): string {
  return FORMULA_PREFIX.test(text) ? `'${text}` : text;
}

/** The text of one cell: numbers through `formatNumber` (so `-3.5` stays a number), text neutralised. */
export function formatCell(cell: Cell): string {
  if (cell === null) return '';
  return typeof cell === 'number' ? formatNumber(cell) : neutralise(cell);
}

/** The CSV text (header and rows, `\n` line ends) of rows keyed by `columns`. */
export function toCsv<C extends readonly string[]>(columns: C, rows: Iterable<CsvRow<C>>): string {
  const records: string[][] = [[...columns]];
  for (const row of rows) records.push(cells(columns, row));
  return stringify(records, { record_delimiter: 'unix' });
}

/** The byte order mark `--csv-bom` puts first, so spreadsheet programs read the file as UTF-8. */
export const UTF8_BOM = '\uFEFF';

/**
 * Writes a whole CSV atomically (temp file, then rename); creates the folder; `bom` starts it with a
 * UTF-8 byte order mark (`--csv-bom`). Throws OutputError.
 */
export function writeCsv<C extends readonly string[]>(
  path: string,
  columns: C,
  rows: Iterable<CsvRow<C>>,
  options: { readonly bom?: boolean | undefined } = {},
): void {
  writeFileAtomic(path, `${options.bom === true ? UTF8_BOM : ''}${toCsv(columns, rows)}`);
}

/** A CSV being streamed to a temp file; it appears under its name only on `close()`. */
export interface CsvWriter<C extends readonly string[]> {
  /** Appends one row (buffered). */
  write(row: CsvRow<C>): void;
  /** Flushes, syncs and renames the temp file into place. */
  close(): Promise<void>;
  /** Discards everything written: removes the temp file; the target is left untouched. */
  abort(): void;
}

/** Rows are stringified and written in batches: per-row csv-stringify calls would dominate big runs. */
const BATCH_ROWS = 2048;

/** Opens a streaming CSV writer (for trials.csv, which can be large); the header is written first. */
export function openCsvWriter<C extends readonly string[]>(path: string, columns: C): CsvWriter<C> {
  const tmp = tempPath(path);
  let fd: number | null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, 'w');
  } catch (error) {
    throw new OutputError(`openCsvWriter: cannot create ${tmp}: ${errorMessage(error)}`, { cause: error });
  }
  let batch: string[][] = [[...columns]];

  const fail = (error: unknown): never => {
    abort();
    throw new OutputError(`openCsvWriter: cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  };
  const flush = (): void => {
    if (fd === null || batch.length === 0) return;
    const text = stringify(batch, { record_delimiter: 'unix' });
    batch = [];
    try {
      writeSync(fd, text);
    } catch (error) {
      fail(error);
    }
  };
  const abort = (): void => {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the temp file is removed below either way
      }
      fd = null;
    }
    batch = [];
    rmSync(tmp, { force: true });
  };

  return {
    write(row) {
      if (fd === null) throw new OutputError(`openCsvWriter: ${path} is already closed`);
      batch.push(cells(columns, row));
      if (batch.length >= BATCH_ROWS) flush();
    },
    close() {
      if (fd === null) return Promise.reject(new OutputError(`openCsvWriter: ${path} is already closed`));
      try {
        flush();
        fsyncSync(fd);
        closeSync(fd);
        fd = null;
        renameSync(tmp, path);
      } catch (error) {
        if (error instanceof OutputError) return Promise.reject(error);
        try {
          fail(error);
        } catch (wrapped) {
          return Promise.reject(wrapped instanceof Error ? wrapped : new OutputError(errorMessage(wrapped)));
        }
      }
      return Promise.resolve();
    },
    abort,
  };
}

/** Flattens a trial row into trials.csv cells (metrics after the identifying columns). */
export function formatTrialRow(row: TrialRow): CsvRow<typeof TRIALS_COLUMNS> {
  const out: Record<string, Cell> = {
    scenario: row.scenario,
    policy: row.policy,
    attack: row.attack,
    trial: row.trial,
    seed: row.seed,
  };
  for (const m of METRICS) out[m] = row.metrics[m];
  return out as CsvRow<typeof TRIALS_COLUMNS>;
}

function cells<C extends readonly string[]>(columns: C, row: CsvRow<C>): string[] {
  const record = row as Readonly<Record<string, Cell>>;
  return columns.map((c) => formatCell(record[c] ?? null));
}
