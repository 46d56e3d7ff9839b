/**
 * Tests clean up after themselves: every test file that makes a temp folder (`mkdtempSync`, or
 * `tempDir` from test/tmp.ts or test/e2e/helpers.ts) also removes it (`rmSync`, or `removeTempDirs`
 * in an `afterAll`). A forgotten folder under /tmp is megabytes per run (e2e results folders).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
      return name.endsWith('.ts') ? [path] : [];
    });
}

describe('test temp folders', () => {
  it('should remove every temp folder a test file makes', () => {
    const leaking = testFiles(join(ROOT, 'test'))
      .filter((file) => !file.endsWith('tmp.ts') && !file.endsWith('temp-dirs.test.ts'))
      .filter((file) => {
        const text = readFileSync(file, 'utf8');
        const makes = /\bmkdtempSync\(|\btempDir\(/.test(text);
        const removes = /\brmSync\(|\bremoveTempDirs\b/.test(text);
        return makes && !removes;
      })
      .map((file) => relative(ROOT, file));
    expect(leaking).toEqual([]);
  });

  it('should remove them in afterAll when test/tmp.ts made them', () => {
    const helperUsers = testFiles(join(ROOT, 'test'))
      .filter((file) => file.endsWith('.test.ts'))
      .filter((file) => {
        const text = readFileSync(file, 'utf8');
        return /from '\.\.\/tmp\.js'/.test(text) && /\btempDir\(/.test(text) && !/afterAll\(removeTempDirs\)/.test(text);
      })
      .map((file) => relative(ROOT, file));
    expect(helperUsers).toEqual([]);
  });
});
