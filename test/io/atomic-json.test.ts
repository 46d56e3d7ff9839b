import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/io/atomic.js';
import { runs } from '../runs.js';

const dir = mkdtempSync(join(tmpdir(), 'blastlab-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('io/atomic writeJsonAtomic', () => {
  it('should write the bytes of JSON.stringify plus a newline, long lists included, and leave no temp file', () => {
    const item = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    const doc = fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(item, fc.array(item, { minLength: 1020, maxLength: 1100 }), fc.constant(undefined)),
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(doc, (value) => {
        const path = join(dir, 'out.json');
        writeJsonAtomic(path, value);
        expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(value)}\n`);
        expect(readdirSync(dir)).toEqual(['out.json']);
      }),
      runs(40),
    );
  });
});
