import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError, type ScenarioIssue } from '../../src/errors.js';
import { MAX_NESTING_DEPTH } from '../../src/scenario/document.js';
import { loadScenarioFile, loadScenarios } from '../../src/scenario/load.js';

const GOOD = readFileSync('test/fixtures/good/ci-deploy-key.yaml');
const dir = mkdtempSync(join(tmpdir(), 'blastlab-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `bytes` to a file and returns the issues of loading it (the load must fail). */
function issuesOf(name: string, bytes: string | Buffer): ScenarioIssue[] {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  try {
    loadScenarioFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return [...(error as ScenarioError).issues];
  }
  throw new Error(`expected ${name} to be rejected`);
}

/** The good fixture with `line` (1-based) replaced. */
function withLine(line: number, text: string | Buffer): Buffer {
  const lines = GOOD.toString('utf8').split('\n');
  const before = Buffer.from(`${lines.slice(0, line - 1).join('\n')}\n`);
  const after = Buffer.from(`\n${lines.slice(line).join('\n')}`);
  return Buffer.concat([before, Buffer.from(text), after]);
}

describe('scenario/document: hostile input', () => {
  it('should reject invalid UTF-8 at its line and column instead of passing U+FFFD into outputs', () => {
    const bytes = withLine(3, Buffer.concat([Buffer.from('description: caf'), Buffer.from([0xc3, 0x28]), Buffer.from(' bad')]));
    const [issue, ...rest] = issuesOf('latin.yaml', bytes);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      code: 'bad-encoding',
      line: 3,
      column: 17,
      // The message names the byte and its offset: what the user needs to find it.
      message: expect.stringContaining('invalid UTF-8 (byte 0xc3'),
    });
  });

  it('should reject a NUL byte at its line', () => {
    const [issue] = issuesOf('nul.yaml', withLine(3, 'description: a\u0000b'));
    expect(issue).toMatchObject({ code: 'bad-encoding', line: 3, column: 15 });
  });

  it.each([
    ['!Ref', 'description: !Ref Something'],
    ['!!js/function', 'description: !!js/function "function () {}"'],
    ['!!binary', 'description: !!binary aGVsbG8='],
  ])('should reject the unknown YAML tag %s at its line, not read it as a string', (tag, line) => {
    const issues = issuesOf('tag.yaml', withLine(3, line));
    expect(issues).toEqual([
      expect.objectContaining({ code: 'unsupported-tag', line: 3, message: expect.stringContaining(`YAML tag ${tag}`) }),
    ]);
  });

  it('should still accept the core tags (!!str)', () => {
    const file = join(dir, 'str.yaml');
    writeFileSync(file, withLine(3, 'description: !!str 123'));
    expect(loadScenarioFile(file).description).toBe('123');
  });

  it.each([
    ['flow lists 3,000 deep', `description: ${'['.repeat(3000)}${']'.repeat(3000)}`],
    ['block maps 3,000 deep', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1'],
    [`flow lists ${MAX_NESTING_DEPTH + 1} deep`, `description: ${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`],
  ])('should reject %s with the documented nesting limit, not a stack overflow', (_name, text) => {
    const issues = issuesOf('deep.yaml', text);
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'too-deep',
        message: expect.stringContaining(`nesting deeper than ${MAX_NESTING_DEPTH} levels`),
      }),
    ]);
  });

  it('should reject JSON nested deeper than the limit on the fast path too', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const text = JSON.stringify({ name: 'x', description: 'y'.repeat(1024 * 1024) }).replace(
      '"description"',
      `"deep":${deep},"description"`,
    );
    const issues = issuesOf('deep.json', text);
    expect(issues).toEqual([expect.objectContaining({ code: 'too-deep' })]);
  });

  it('should count a lone CR as a line break in parsing and in positions', () => {
    const lf = issuesOf('lf.yaml', withLine(12, '  - { id: build-logs, kind: resource, sensitivity: secret }'));
    const cr = issuesOf(
      'cr.yaml',
      withLine(12, '  - { id: build-logs, kind: resource, sensitivity: secret }').toString('utf8').replace(/\n/g, '\r'),
    );
    expect(lf.length).toBeGreaterThan(0);
    expect(lf[0]!.line).toBe(12);
    expect(cr.map(({ code, line, column, path, message }) => ({ code, line, column, path, message }))).toEqual(
      lf.map(({ code, line, column, path, message }) => ({ code, line, column, path, message })),
    );
  });

  it("should not read a results folder's run.json inside a scenario folder as a scenario", () => {
    const folder = join(dir, 'suite');
    mkdirSync(join(folder, 'results'), { recursive: true });
    writeFileSync(join(folder, 'a.yaml'), GOOD);
    writeFileSync(join(folder, 'results', 'run.json'), JSON.stringify({ blastlab: '0.1.0', files: [] }));
    const { scenarios, issues } = loadScenarios([folder]);
    expect(issues).toEqual([]);
    expect(scenarios.map((s) => s.name)).toEqual(['ci-deploy-key']);
  });
});
