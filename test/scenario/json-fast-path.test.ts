import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ScenarioError, type ScenarioIssue } from '../../src/errors.js';
import { FAST_JSON_BYTES } from '../../src/scenario/document.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';

const GOOD = 'test/fixtures/good/ci-deploy-key.yaml';
const dir = tempDir('blastlab-json-');
afterAll(removeTempDirs);

/** Writes the good fixture as pretty JSON, edited, padded with trailing blank lines past the fast-path size. */
function bigJson(name: string, edit: (doc: Record<string, unknown>) => void = () => {}): { file: string; text: string } {
  const doc = parse(readFileSync(GOOD, 'utf8')) as Record<string, unknown>;
  edit(doc);
  const text = `${JSON.stringify(doc, null, 2)}\n${'\n'.repeat(FAST_JSON_BYTES + 10)}`;
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, text };
}

function issuesOf(file: string): ScenarioIssue[] {
  try {
    loadScenarioFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return [...(error as ScenarioError).issues];
  }
  throw new Error(`expected ${file} to be rejected`);
}

/** 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('scenario/document (big JSON fast path)', () => {
  it('should load a big JSON file into the same scenario as its YAML source', () => {
    const { file } = bigJson('same.json');
    const fromJson = loadScenarioFile(file);
    const fromYaml = loadScenarioFile(GOOD);
    expect({ ...fromJson, source: null }).toEqual({ ...fromYaml, source: null });
  });

  it('should locate a bad reference deep inside a list at its line', () => {
    const { file, text } = bigJson('bad-ref.json', (doc) => {
      const edges = doc['edges'] as Record<string, unknown>[];
      edges[edges.length - 1]!['to'] = 'no-such-node';
    });
    const issues = issuesOf(file);
    const issue = issues.find((i) => i.code === 'unknown-reference');
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.path).toMatch(/^edges\[\d+\]\.to$/);
    expect(issue!.line).toBe(lineOf(text, '"no-such-node"'));
  });

  it('should locate a schema problem at its line', () => {
    const { file, text } = bigJson('bad-schema.json', (doc) => {
      doc['horizon'] = 'forever and ever';
    });
    const issue = issuesOf(file).find((i) => i.path === 'horizon');
    expect(issue).toBeDefined();
    expect(issue!.line).toBe(lineOf(text, '"forever and ever"'));
  });

  it('should refuse prototype-polluting keys with their line', () => {
    const { file, text } = bigJson('proto.json', (doc) => {
      (doc['nodes'] as Record<string, unknown>[])[0]!['constructor'] = { polluted: true };
    });
    const issues = issuesOf(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'forbidden-key', message: expect.stringContaining('"constructor"') });
    expect(issues[0]!.line).toBe(lineOf(text, '"constructor"'));
  });

  it('should report a JSON syntax error naming the file', () => {
    const file = join(dir, 'syntax.json');
    writeFileSync(file, `{"name": "x",\n "nodes": [1, 2,, 3]}${' '.repeat(FAST_JSON_BYTES)}`);
    const issues = issuesOf(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.file).toBe(file);
    expect(issues[0]!.code).toBe('syntax-error');
  });
});
