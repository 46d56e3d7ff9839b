import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maxAgents } from '../../src/cli/generate.js';
import { main } from '../../src/cli/program.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'blastlab-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

const at = (name: string): string => join(dir, name);

describe('cli/generate', () => {
  it('should refuse an agent count whose file run and validate could not load, before building anything (exit 2)', async () => {
    const started = process.hrtime.bigint();
    expect(await main(['generate', '--agents', '1000000', '--out', at('huge.json'), '--quiet'])).toBe(2);
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(5);
    expect(stderr).toMatch(/--agents: at most \d+ agents as \.json/);
    expect(await main(['generate', '--agents', String(maxAgents('yaml') + 1), '--out', at('big.yaml'), '--quiet'])).toBe(2);
    expect(stderr).toContain('use .json for bigger estates');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should bound the agent count by the heap too', () => {
    expect(maxAgents('json', 512 * 1024 * 1024)).toBeLessThan(maxAgents('json', 64 * 1024 * 1024 * 1024));
    expect(maxAgents('json', 64 * 1024 * 1024 * 1024)).toBe(Math.floor((256 * 1024 * 1024) / (11 * 1024)));
  });

  it.each(['../../evil', 'Evil', 'a b', ''])('should refuse the name %j, which validate would reject (exit 2)', async (name) => {
    expect(await main(['generate', '--agents', '2', '--name', name, '--out', at('named.json'), '--quiet'])).toBe(2);
    expect(stderr).toContain('--name: a scenario name');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should write a file that loads under the name given', async () => {
    expect(await main(['generate', '--agents', '2', '--name', 'my-estate.v2', '--out', at('ok.yaml'), '--quiet'])).toBe(0);
    expect(loadScenarioFile(at('ok.yaml')).name).toBe('my-estate.v2');
    rmSync(at('ok.yaml'));
  });

  it('should not overwrite an existing file without --force, and replace it with --force', async () => {
    writeFileSync(at('mine.json'), 'precious');
    expect(await main(['generate', '--agents', '2', '--out', at('mine.json'), '--quiet'])).toBe(2);
    expect(stderr).toContain('already exists (pass --force');
    expect(readFileSync(at('mine.json'), 'utf8')).toBe('precious');
    expect(await main(['generate', '--agents', '2', '--out', at('mine.json'), '--quiet', '--force'])).toBe(0);
    expect(loadScenarioFile(at('mine.json')).name).toBe('estate-2-s1');
    expect(readdirSync(dir)).toEqual(['mine.json']);
    rmSync(at('mine.json'));
  });
});
