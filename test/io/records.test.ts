import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toCsv } from '../../src/report/csv.js';
import { parseNumberCell, readRecords, splitQuoted, splitRecord } from '../../src/io/records.js';
import { removeTempDirs, tempDir } from '../tmp.js';
import { runs } from '../runs.js';

afterAll(removeTempDirs);

async function collect(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const r of readRecords(path)) out.push(r);
  return out;
}

describe('io/records', () => {
  it('should yield records with quoted commas, quotes and newlines intact', async () => {
    const file = join(tempDir('blastlab-rec-'), 'a.csv');
    writeFileSync(file, 'a,b\n"x,1","he said ""hi""\nbye"\n3,4\n');
    const records = await collect(file);
    expect(records).toEqual(['a,b', '"x,1","he said ""hi""\nbye"', '3,4']);
    expect(splitRecord(records[1]!)).toEqual(['x,1', 'he said "hi"\nbye']);
  });

  it('should read back exactly the cells csv-stringify wrote', async () => {
    const dir = tempDir('blastlab-rec-');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 20 }), async (rows) => {
        const file = join(dir, 'p.csv');
        const columns = ['a', 'b'] as const;
        writeFileSync(
          file,
          toCsv(
            columns,
            rows.map(([a, b]) => ({ a: `x${a}`, b: `y${b}` })),
          ),
        );
        const records = await collect(file);
        expect(records.slice(1).map(splitRecord)).toEqual(rows.map(([a, b]) => [`x${a}`, `y${b}`]));
      }),
      runs(50),
    );
  });

  it('should split any record as the character-by-character reading does (records without quotes take a shortcut)', () => {
    const record = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\r', '\n', ' ', "'") });
    fc.assert(
      fc.property(record, (r) => {
        expect(splitRecord(r)).toEqual(splitQuoted(r));
      }),
      runs(500),
    );
    expect(splitRecord('a,b\r')).toEqual(['a', 'b']);
    expect(splitRecord('a\r,b')).toEqual(['a\r', 'b']);
    expect(splitRecord('')).toEqual(['']);
  });

  it('should read numeric cells, empty as null', () => {
    expect(parseNumberCell('')).toBeNull();
    expect(parseNumberCell('1.5')).toBe(1.5);
    expect(parseNumberCell("'-2")).toBe(-2);
  });
});
