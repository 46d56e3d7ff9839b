import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { digestFile } from '../../src/io/digest.js';
import { openStaging, RECORD_FILE } from '../../src/io/staging.js';

const dirs: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'blastlab-io-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Stages `files` (name → text) for `out` and lands them with `record`. */
function landFiles(out: string, files: Record<string, string>, record: object = { run: 'x' }): string[] {
  const staging = openStaging(out);
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(staging.dir, name, '..'), { recursive: true });
      writeFileSync(join(staging.dir, name), text);
    }
    return staging.land(record);
  } finally {
    staging.discard();
  }
}

function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

/** A process id that is certainly not running any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}
const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host';

describe('io/staging', () => {
  it('should land the whole folder and list every file with its SHA-256 in run.json', () => {
    const out = join(temp(), 'results');
    const files = landFiles(out, { 'a.csv': 'a\n', 'charts/c.svg': '<svg/>' }, { blastlab: 'test' });
    expect(files).toEqual([join(out, 'a.csv'), join(out, 'charts/c.svg'), join(out, RECORD_FILE)]);
    const record = JSON.parse(readFileSync(join(out, RECORD_FILE), 'utf8')) as {
      blastlab: string;
      files: { path: string; sha256: string; bytes: number }[];
    };
    expect(record.blastlab).toBe('test');
    expect(record.files.map((f) => f.path)).toEqual(['a.csv', 'charts/c.svg']);
    for (const f of record.files) expect({ sha256: f.sha256, bytes: f.bytes }).toEqual(digestFile(join(out, f.path)));
  });

  it('should let only the first of two overlapping runs land; the loser fails and touches nothing', () => {
    const out = join(temp(), 'results');
    const first = openStaging(out);
    const second = openStaging(out);
    writeFileSync(join(first.dir, 'trials.csv'), 'first\n');
    writeFileSync(join(second.dir, 'trials.csv'), 'second\n');
    writeFileSync(join(second.dir, 'sweep.csv'), 'second\n');
    first.land({});
    expect(() => second.land({})).toThrow(
      expect.objectContaining({ name: 'OutputError', message: expect.stringContaining('another run') }),
    );
    expect(tree(out)).toEqual([RECORD_FILE, 'trials.csv']);
    expect(readFileSync(join(out, 'trials.csv'), 'utf8')).toBe('first\n');
    expect(readdirSync(join(out, '..'))).toEqual(['results']);
  });

  it('should replace a previous results folder whole: no stale file of an earlier run stays', () => {
    const out = join(temp(), 'results');
    landFiles(out, { 'trials.csv': 'old\n', 'sweep.csv': 'old\n', 'real-tokens.csv': 'old\n', 'charts/x.svg': 'old' });
    landFiles(out, { 'trials.csv': 'new\n' });
    expect(tree(out)).toEqual([RECORD_FILE, 'trials.csv']);
    expect(readdirSync(join(out, '..'))).toEqual(['results']);
  });

  it('should replace a folder an earlier blastlab wrote (known names, no file list)', () => {
    const out = join(temp(), 'results');
    mkdirSync(join(out, 'charts'), { recursive: true });
    writeFileSync(join(out, 'sweep.csv'), 'old');
    writeFileSync(join(out, 'charts', 'a.svg'), 'old');
    writeFileSync(join(out, RECORD_FILE), '{"blastlab":"0.0.9"}');
    landFiles(out, { 'trials.csv': 'new\n' });
    expect(tree(out)).toEqual([RECORD_FILE, 'trials.csv']);
  });

  it('should refuse a folder holding files blastlab did not write, before any work and without touching them', () => {
    const out = join(temp(), 'results');
    landFiles(out, { 'trials.csv': 'old\n' });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'charts'));
    expect(() => openStaging(out)).toThrow(
      expect.objectContaining({
        name: 'UsageError',
        message: expect.stringMatching(/notes\.txt.*charts\/|charts\/.*notes\.txt/),
      }),
    );
    expect(tree(out)).toEqual(['charts', 'notes.txt', RECORD_FILE, 'trials.csv'].sort());
    expect(readdirSync(join(out, '..'))).toEqual(['results']);
  });

  it('should refuse an empty --out and the root folder (UsageError, exit 2)', () => {
    for (const out of ['', '  ', '/'])
      expect(() => openStaging(out), JSON.stringify(out)).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });

  it('should clean staging left by a killed process, and restore a set-aside folder when the target is gone', () => {
    const parent = temp();
    const out = join(parent, 'results');
    const pid = deadPid();
    const stale = join(parent, `.results.staging-${HOST}-${pid}-abc123`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'trials.csv'), 'half');
    const aside = join(parent, `.results.old-${HOST}-${pid}-def456`);
    mkdirSync(aside);
    writeFileSync(join(aside, 'trials.csv'), 'previous');
    // A staging folder of a live process (this one's parent) is not touched.
    const busy = join(parent, `.results.staging-${HOST}-${process.ppid}-ghi789`);
    mkdirSync(busy);
    const staging = openStaging(out);
    try {
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(aside)).toBe(false);
      expect(readFileSync(join(out, 'trials.csv'), 'utf8')).toBe('previous');
      expect(existsSync(busy)).toBe(true);
    } finally {
      staging.discard();
    }
  });

  it('should take over a landing lock left by a killed process', () => {
    const parent = temp();
    writeFileSync(join(parent, '.results.lock'), `${HOST}-${deadPid()}\n`);
    landFiles(join(parent, 'results'), { 'trials.csv': 'x' });
    expect(readdirSync(parent)).toEqual(['results']);
  });

  it('should fail with an OutputError, not a crash, when the parent folder is not writable', () => {
    let out: string;
    if (process.getuid?.() === 0) {
      out = '/sys/blastlab-results'; // root may write anywhere but into sysfs
    } else {
      const parent = temp();
      chmodSync(parent, 0o555);
      out = join(parent, 'results');
    }
    expect(() => openStaging(out)).toThrow(
      expect.objectContaining({ name: 'OutputError', message: expect.stringContaining('cannot create a staging folder') }),
    );
  });
});
