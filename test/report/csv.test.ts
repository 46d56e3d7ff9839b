import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { METRICS } from '../../src/domain/metrics.js';
import { summarize } from '../../src/metrics/summary.js';
import { SUMMARY_COLUMNS, TRIALS_COLUMNS } from '../../src/report/columns.js';
import { formatCell, formatTrialRow, neutralise, openCsvWriter, toCsv, writeCsv } from '../../src/report/csv.js';
import { formatNumber } from '../../src/report/format.js';
import { removeTempDirs, tempDir } from '../tmp.js';
import { trial } from './fixtures.js';

afterAll(removeTempDirs);

let dir: string;
beforeEach(() => {
  dir = tempDir('blastlab-csv-');
});

describe('format', () => {
  it('should format numbers with fixed precision, no exponent, no locale', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(2_000_000)).toBe('2000000');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1 / 3)).toBe('0.333333');
    expect(formatNumber(-3.5)).toBe('-3.5');
    expect(formatNumber(1e-7)).toBe('0');
    expect(formatNumber(-1e-9)).toBe('0');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(1e22)).toBe('10000000000000000000000');
    expect(formatNumber(123456789.125)).toBe('123456789.125');
    expect(formatNumber(null)).toBe('');
    expect(formatNumber(Number.NaN)).toBe('');
  });

  it('should never print an exponent or a locale separator', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(formatNumber(x)).toMatch(/^-?\d+(\.\d*[1-9])?$/);
      }),
    );
  });
});

describe('csv', () => {
  it('should neutralise every formula-starting prefix in text cells', () => {
    for (const prefix of ['=', '+', '-', '@', '\t', '\r']) {
      expect(neutralise(`${prefix}HYPERLINK("x")`)).toBe(`'${prefix}HYPERLINK("x")`);
      expect(formatCell(`${prefix}1+1`)).toBe(`'${prefix}1+1`);
    }
    expect(neutralise('ci-agent')).toBe('ci-agent');
    expect(neutralise('')).toBe('');
  });

  it('should keep negative numbers as numbers', () => {
    expect(formatCell(-3.5)).toBe('-3.5');
    const text = toCsv(['scenario', 'reduction_pct'] as const, [{ scenario: '=cmd|x', reduction_pct: -3.5 }]);
    expect(text).toBe("scenario,reduction_pct\n'=cmd|x,-3.5\n");
  });

  it('should quote delimiters, quotes and line breaks after neutralising (RFC 4180)', () => {
    const hostile = '=1+2,"quoted"\nnext line';
    const text = toCsv(['a', 'b'] as const, [{ a: hostile, b: null }]);
    expect(text).toBe('a,b\n"\'=1+2,""quoted""\nnext line",\n');
  });

  it('should write a whole file with the declared header and formatted cells', () => {
    const path = join(dir, 'out', 'summary.csv');
    writeCsv(
      path,
      SUMMARY_COLUMNS,
      summarize([trial('s', 'p', 'a', 0, { blast_radius: 1 }), trial('s', 'p', 'a', 1, { blast_radius: 2 })]),
    );
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(SUMMARY_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + METRICS.length);
    expect(lines).toContain('s,p,a,blast_radius,2,1.5,0.707107,1.5,1.95,1,2,0,7.853102');
    expect(readdirSync(join(dir, 'out'))).toEqual(['summary.csv']);
  });

  it('should leave no file, and no temp file, when writing fails', () => {
    // The target is a folder: rename fails after the temp file was written.
    const path = join(dir, 'taken');
    mkdirSync(join(path, 'child'), { recursive: true });
    expect(() => writeCsv(path, ['a'] as const, [{ a: 1 }])).toThrow(OutputError);
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('should keep an existing file intact when a rewrite fails', () => {
    const path = join(dir, 'x.csv');
    writeFileSync(path, 'old\n');
    const rows = (function* () {
      yield { a: 1 };
      throw new Error('boom');
    })();
    expect(() => writeCsv(path, ['a'] as const, rows)).toThrow('boom');
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['x.csv']);
  });

  it('should stream rows to a temp file and publish it only on close', async () => {
    const path = join(dir, 'trials.csv');
    const writer = openCsvWriter(path, TRIALS_COLUMNS);
    for (let i = 0; i < 5000; i++) writer.write(formatTrialRow(trial('s', 'p', 'a', i, { time_to_containment_s: null })));
    expect(existsSync(path)).toBe(false);
    await writer.close();
    const text = readFileSync(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5001);
    expect(lines[0]).toBe(TRIALS_COLUMNS.join(','));
    expect(lines[1]?.startsWith('s,p,a,0,1000,')).toBe(true);
    expect(readdirSync(dir)).toEqual(['trials.csv']);
    await expect(writer.close()).rejects.toThrow(OutputError);
  });

  it('should discard a streamed file on abort', () => {
    const path = join(dir, 'trials.csv');
    const writer = openCsvWriter(path, ['a'] as const);
    writer.write({ a: 1 });
    writer.abort();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => writer.write({ a: 2 })).toThrow(OutputError);
  });
});
