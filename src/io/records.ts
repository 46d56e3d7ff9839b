/**
 * Streaming CSV record reader for our own output files (RFC 4180 as csv-stringify writes it): yields
 * each record's exact text, so `merge` can copy shard rows byte for byte, and splits a record into
 * cells when the values are needed. Memory is bounded by one chunk plus one record.
 */
import { createReadStream } from 'node:fs';

/** Yields every record of a CSV file without its `\n` terminator (a trailing `\r` stays part of it). */
export async function* readRecords(path: string): AsyncGenerator<string> {
  let pending = '';
  let inQuotes = false;
  let scanFrom = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    pending += chunk as string;
    let start = 0;
    for (let i = scanFrom; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (c === 34 /* " */) inQuotes = !inQuotes;
      else if (c === 10 /* \n */ && !inQuotes) {
        yield pending.slice(start, i);
        start = i + 1;
      }
    }
    pending = pending.slice(start);
    scanFrom = pending.length;
  }
  if (pending !== '') yield pending;
}

/** Splits one record into unquoted cell values. */
export function splitRecord(record: string): string[] {
  // Without a quote every comma ends a cell and only a final `\r` is dropped (what splitQuoted does).
  if (!record.includes('"')) {
    const cells = record.split(',');
    const last = cells.length - 1;
    if (cells[last]!.endsWith('\r')) cells[last] = cells[last]!.slice(0, -1);
    return cells;
  }
  return splitQuoted(record);
}

/** splitRecord character by character: quoted cells, doubled quotes, a final `\r` dropped. */
export function splitQuoted(record: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else cell += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch !== '\r' || i !== record.length - 1) cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** Reads a numeric cell: empty → null; a spreadsheet-safety prefix (`'`) before a number is ignored. */
export function parseNumberCell(cell: string): number | null {
  if (cell === '') return null;
  const text = cell.startsWith("'") ? cell.slice(1) : cell;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}
