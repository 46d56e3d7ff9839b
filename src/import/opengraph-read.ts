/**
 * Reading OpenGraph input: one `.json` payload, or a `.zip` of several (BloodHound's own upload
 * format; no nested zips). Every problem is a ScenarioIssue naming the file (`bundle.zip:part-2.json`
 * for a zip member), the JSON path inside it and, where the text is at hand, the line.
 */
import { readFileSync, statSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { ScenarioIssue } from '../errors.js';
import { fileIssue, formatPath } from '../scenario/document.js';
import { JsonLocator } from '../scenario/json-locator.js';
import { checkOpenGraph, type OgDocument, type OgIssue } from './opengraph-format.js';

/** Bigger inputs are refused before reading (V8's longest string is about 512 MB). */
export const MAX_OPENGRAPH_BYTES = 500 * 1024 * 1024;

/** One payload, labelled as the user will see it in messages. */
export interface OgMember {
  /** `graph.json`, or `bundle.zip:part-1.json`. */
  readonly file: string;
  readonly doc: OgDocument;
  /** Locates a JSON path in the member's text (line, column), for issues found after the shape check. */
  readonly locate: (path: readonly (string | number)[]) => { line: number | null; column: number | null };
}

export type ReadResult =
  | { readonly ok: true; readonly members: readonly OgMember[] }
  | { readonly ok: false; readonly issues: readonly ScenarioIssue[] };

/** Reads and checks the shape of every payload of the inputs (files as named by the user). */
export function readOpenGraphInputs(paths: readonly string[]): ReadResult {
  const members: OgMember[] = [];
  const issues: ScenarioIssue[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      const size = statSync(path).size;
      if (size > MAX_OPENGRAPH_BYTES) {
        issues.push(
          fileIssue(
            path,
            `file is larger than ${MAX_OPENGRAPH_BYTES / 1024 / 1024} MB: split it into a zip of several payloads`,
            'file-too-large',
          ),
        );
        continue;
      }
      bytes = readFileSync(path);
    } catch (error) {
      issues.push(fileIssue(path, `cannot read: ${error instanceof Error ? error.message : String(error)}`, 'unreadable'));
      continue;
    }
    const result = isZip(bytes) ? readZip(bytes, path) : readPayload(bytes, path);
    if (result.ok) members.push(...result.members);
    else issues.push(...result.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, members };
}

/** Parses one payload's bytes (`file` labels the issues). */
export function readPayload(bytes: Uint8Array, file: string): ReadResult {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (!/\S/.test(text.slice(0, 4096)))
    return {
      ok: false,
      issues: [fileIssue(file, 'file is empty (an OpenGraph payload is a JSON object with "graph")', 'empty-file')],
    };
  const locator = new JsonLocator(text);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const position = at === null ? { line: null, column: null } : locator.position(Number(at[1]));
    return {
      ok: false,
      issues: [
        {
          code: 'syntax-error',
          file,
          ...position,
          path: '',
          message: `not OpenGraph: JSON syntax error: ${(message.split('\n')[0] ?? '').trim()}`,
        },
      ],
    };
  }
  const locate = (path: readonly (string | number)[]): { line: number | null; column: number | null } => {
    try {
      return locator.position(locator.offsetOf(path));
    } catch {
      return { line: null, column: null };
    }
  };
  const problems = checkOpenGraph(data);
  if (problems.length > 0) return { ok: false, issues: problems.map((p) => toIssue(file, p, locate)) };
  return { ok: true, members: [{ file, doc: data as OgDocument, locate }] };
}

/** An OgIssue as a located ScenarioIssue. */
export function toIssue(file: string, issue: OgIssue, locate?: OgMember['locate']): ScenarioIssue {
  const position = locate === undefined ? { line: null, column: null } : locate(issue.path);
  return { code: issue.code, file, ...position, path: formatPath(issue.path), message: issue.message };
}

function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 0x03 || bytes[2] === 0x05) &&
    (bytes[3] === 0x04 || bytes[3] === 0x06)
  );
}

function readZip(bytes: Uint8Array, path: string): ReadResult {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    return {
      ok: false,
      issues: [fileIssue(path, `not a readable zip: ${error instanceof Error ? error.message : String(error)}`, 'bad-zip')],
    };
  }
  const names = Object.keys(entries)
    .filter((name) => !name.endsWith('/') && !name.startsWith('__MACOSX/'))
    .sort();
  if (names.length === 0) return { ok: false, issues: [fileIssue(path, 'the zip holds no .json payload', 'empty-zip')] };
  const members: OgMember[] = [];
  const issues: ScenarioIssue[] = [];
  for (const name of names) {
    const file = `${path}:${name}`;
    const data = entries[name]!;
    if (isZip(data)) {
      issues.push(fileIssue(file, 'nested zips are not supported: put every .json payload at the top of one zip', 'nested-zip'));
      continue;
    }
    if (!name.toLowerCase().endsWith('.json')) {
      issues.push(
        fileIssue(file, 'not a .json payload (a BloodHound zip holds only OpenGraph .json files)', 'not-a-json-payload'),
      );
      continue;
    }
    const result = readPayload(data, file);
    if (result.ok) members.push(...result.members);
    else issues.push(...result.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, members };
}
