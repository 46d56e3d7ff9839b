import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularFile } from '../../src/io/read.js';
import { loadScenarios } from '../../src/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'blastlab-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('io/read', () => {
  it('should read a regular file whole', () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'name: a\n');
    const r = readRegularFile(file, 100);
    expect(r.ok && r.bytes.toString()).toBe('name: a\n');
  });

  it('should refuse a file over the limit', () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, 'x'.repeat(101));
    expect(readRegularFile(file, 100)).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('should refuse devices at once, whatever their size says (/dev/zero would read forever)', () => {
    expect(readRegularFile('/dev/zero', 1024)).toMatchObject({
      ok: false,
      code: 'not-regular',
      message: expect.stringContaining('character device'),
    });
    expect(readRegularFile('/dev/null', 1024)).toMatchObject({ ok: false, code: 'not-regular' });
  });

  it('should refuse a FIFO without blocking on it, also inside a scenario folder', () => {
    const sub = mkdtempSync(join(dir, 'fifo-'));
    const fifo = join(sub, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(readRegularFile(fifo, 1024)).toMatchObject({
      ok: false,
      code: 'not-regular',
      message: expect.stringContaining('FIFO'),
    });
    const { scenarios, issues } = loadScenarios([sub]);
    expect(scenarios).toEqual([]);
    expect(issues).toEqual([expect.objectContaining({ file: fifo, message: expect.stringContaining('not a regular file') })]);
  });

  it('should refuse a /proc file, whose size reads as 0, when its content is over the limit', () => {
    expect(readRegularFile('/proc/self/status', 1)).toMatchObject({ ok: false, code: 'too-large' });
  });
});
