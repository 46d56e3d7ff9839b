/** docs/scenario-format.md "Issue codes" lists every IssueCode of src/errors.ts, once each. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

describe('issue codes in the docs', () => {
  it('should document every IssueCode once, and no code that does not exist', () => {
    const source = readFileSync(join(ROOT, 'src/errors.ts'), 'utf8');
    const union = /export type IssueCode =([\s\S]*?);/.exec(source)![1]!;
    const codes = [...union.matchAll(/\|\s*'([a-z-]+)'/g)].map((m) => m[1]!);
    const docs = readFileSync(join(ROOT, 'docs/scenario-format.md'), 'utf8');
    const section = docs.slice(docs.indexOf('### Issue codes'));
    const documented = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(50);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...documented].sort()).toEqual([...codes].sort());
  });
});
