/**
 * `run --issuer-from load.csv`: reads a load run's rows back, picks the knee (or a named rate) and
 * turns it into the issuer every policy of the run uses, the same fit `load --fit` prints. Problems
 * are usage errors naming the file and line.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Distribution } from '../domain/scenario.js';
import type { FittedIssuer, LoadRow } from './metrics.js';
import { LOAD_COLUMNS, fitIssuer, kneeOf } from './metrics.js';

const NUMERIC = LOAD_COLUMNS.filter((c) => c !== 'op');
/** Every column up to `offered_rate` is required; the server and sender columns after it are optional. */
const REQUIRED = LOAD_COLUMNS.slice(0, LOAD_COLUMNS.indexOf('offered_rate') + 1);

/** Reads load.csv (columns by name, so extra or reordered columns are fine). */
export function readLoadCsv(file: string): LoadRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--issuer-from: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new UsageError(`${file}:1: not a blastlab load.csv (missing columns ${missing.join(', ')})`);
  const rows: LoadRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length)
      throw new UsageError(`${file}:${i + 1}: expected ${header.length} cells (got ${cells.length})`);
    const get = (name: string): string => cells[header.indexOf(name)] ?? '';
    const row: Record<string, string | number | null> = { op: get('op') };
    for (const name of NUMERIC) {
      const cell = get(name);
      if (header.indexOf(name) < 0 || cell === '') {
        if ((REQUIRED as readonly string[]).includes(name)) throw new UsageError(`${file}:${i + 1}: ${name} is empty`);
        row[name] = null;
        continue;
      }
      const value = Number(cell);
      if (!Number.isFinite(value) || value < 0)
        throw new UsageError(`${file}:${i + 1}: ${name} must be a number ≥ 0 (got ${JSON.stringify(cell)})`);
      row[name] = value;
    }
    if ((row.success_ratio as number) > 1)
      throw new UsageError(`${file}:${i + 1}: success_ratio must be ≤ 1 (got ${String(row.success_ratio)})`);
    rows.push(row as unknown as LoadRow);
  }
  if (rows.length === 0) throw new UsageError(`${file}: no rows`);
  return rows;
}

/** The issuer a load.csv stands for: fitted on its knee; throws UsageError when nothing was sustained. */
export function issuerFromLoad(file: string): {
  fit: FittedIssuer;
  knee: LoadRow;
  issuer: { latency: Distribution; availability: number };
} {
  const rows = readLoadCsv(file);
  const knee = kneeOf(rows);
  if (knee === null)
    throw new UsageError(
      `${file}: no rate in it was sustained (p99 ≤ 100 ms, ≥ 99% success, ≥ 95% served): no measured issuer to use`,
    );
  const fit = fitIssuer(knee);
  // Scenario durations are whole milliseconds: the same rounding as issuer.yaml, so pasting the block
  // written by `load --fit` and `--issuer-from` give the same run.
  const medianMs = Math.max(1, Math.round(fit.medianMs));
  const sigma = Number(fit.sigma.toFixed(3));
  const availability = Number(Math.min(1, fit.availability).toFixed(4));
  return { fit, knee, issuer: { latency: { kind: 'lognormal', medianMs, sigma }, availability } };
}

/** "needs 380/s; measured 5.1k/s at p99 12 ms: 13× headroom". */
export function headroomSentence(peakPerS: number, knee: LoadRow): string {
  const rate = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(1)}k/s` : `${Number(v.toFixed(v < 10 ? 2 : 0))}/s`);
  const sustainedRate = knee.throughput;
  const head =
    peakPerS > 0
      ? `${(sustainedRate / peakPerS).toFixed(sustainedRate / peakPerS >= 10 ? 0 : 1)}× headroom`
      : 'no issuance needed';
  return `needs ${rate(peakPerS)}; measured ${rate(sustainedRate)} at p99 ${Number(knee.p99_ms.toFixed(1))} ms: ${head}`;
}
