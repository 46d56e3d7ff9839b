/**
 * Step 1 of the boundary: bytes → text → YAML document with positions → plain data, refusing hostile
 * input (huge files, invalid UTF-8, NUL bytes, alias bombs, nesting deeper than MAX_NESTING_DEPTH,
 * tags outside YAML's core schema, prototype-polluting keys, duplicate keys). JSON is parsed by the
 * same YAML parser (JSON is YAML 1.2), so JSON files get line numbers too. CR LF and a lone CR are
 * line breaks, as YAML 1.2 §5.4 says, in parsing and in positions.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { Checked, IssueCode, ScenarioIssue } from '../errors.js';
import { JsonLocator, type PathSegment } from './json-locator.js';

/** Files larger than this are rejected before parsing. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** YAML alias expansions allowed per document (a "billion laughs" bomb needs far more). */
export const MAX_ALIAS_COUNT = 100;

/** Deepest nesting of maps and lists read (a scenario needs about 8; the parsers recurse per level). */
export const MAX_NESTING_DEPTH = 64;

/** The tags of YAML 1.2's core schema: anything else (`!Ref`, `!!js/function`, `!!binary`) is refused, not read as a string. */
const CORE_TAGS: ReadonlySet<string> = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Keys that could pollute prototypes of the objects built from the file. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** One path segment inside a document: a map key or a list index. */
export type { PathSegment };

/** JSON files above this size skip the YAML parser (see parseText). */
export const FAST_JSON_BYTES = 1024 * 1024;

/** Largest JSON file read through the fast path (a generated 10k-agent estate is ~100 MB). */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** The size limit for a file, by its name. */
export function maxBytesFor(file: string): number {
  return isJsonFile(file) ? MAX_JSON_BYTES : MAX_FILE_BYTES;
}

function isJsonFile(file: string): boolean {
  return file.toLowerCase().endsWith('.json');
}

/** A parsed file: its plain data, and where any path inside it is. */
export interface ParsedDocument {
  readonly file: string;
  readonly data: unknown;
  /** Position of the value at `path` (its key with `atKey`), to the nearest existing ancestor. */
  position(path: readonly PathSegment[], atKey: boolean): { line: number | null; column: number | null };
  /** Drops `data` (then null) once a validated copy exists: a big estate need not be held twice. */
  release(): void;
}

/** A parsed document over plain data that can be released. */
function parsedDocument(file: string, data: unknown, position: ParsedDocument['position']): ParsedDocument {
  let held: unknown = data;
  return {
    file,
    get data() {
      return held;
    },
    position,
    release() {
      held = null;
    },
  };
}

/** Formats a document path as users read it: `edges[2].to`, `policies["a b"].ttl`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Bytes → text: UTF-8 only (a BOM is allowed). The first invalid byte is reported with its line and
 * column rather than decoded to U+FFFD and passed silently into outputs.
 */
export function decodeText(bytes: Uint8Array, file: string): Checked<{ text: string }> {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.buffer, bytes.byteOffset, offset).toString('utf8').replace(/\r\n?/g, '\n');
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    const hex = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
    return {
      ok: false,
      issues: [
        {
          code: 'bad-encoding',
          file,
          line,
          column: before.length - lineStart + 1,
          path: '',
          message: `invalid UTF-8 (byte 0x${hex} at offset ${offset}): save the file as UTF-8`,
        },
      ],
    };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

/** A whole-file issue (no position). */
export function fileIssue(file: string, message: string, code: IssueCode): ScenarioIssue {
  return { code, file, line: null, column: null, path: '', message };
}

/**
 * Parses text into a document, or returns every syntax / hostile-input issue. YAML and small JSON go
 * through the YAML parser (positions for every node, duplicate keys refused). JSON files above
 * FAST_JSON_BYTES — generated estates — go through `JSON.parse`, two orders of magnitude faster, and
 * positions come from a scanner that runs only when a problem must be located; there, as in
 * `JSON.parse`, the last of duplicate keys wins.
 */
export function parseText(text: string, file: string): Checked<{ parsed: ParsedDocument }> {
  const bytes = Buffer.byteLength(text, 'utf8');
  const limit = maxBytesFor(file);
  if (bytes > limit)
    return { ok: false, issues: [fileIssue(file, `file is larger than ${limit / 1024 / 1024} MB`, 'file-too-large')] };
  let source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // YAML 1.2 §5.4: CR LF, CR and LF are line breaks; the parser and LineCounter count only LF.
  if (source.includes('\r')) source = source.replace(/\r\n?/g, '\n');
  if (!/\S/.test(source)) return { ok: false, issues: [fileIssue(file, 'file is empty', 'empty-file')] };
  const nul = source.indexOf('\0');
  if (nul >= 0)
    return {
      ok: false,
      issues: [
        {
          code: 'bad-encoding',
          file,
          ...textPosition(source, nul),
          path: '',
          message: 'NUL byte in the file (a scenario file is text)',
        },
      ],
    };
  if (isJsonFile(file) && bytes > FAST_JSON_BYTES) return parseJson(source, file);

  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  const at = (offset: number | undefined): { line: number | null; column: number | null } => {
    if (offset === undefined) return { line: null, column: null };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  // The parser recurses per nesting level: a file nested thousands deep overflows its stack.
  if (doc.errors.some((error) => error.message.includes('Maximum call stack size')))
    return { ok: false, issues: [tooDeep(file, { line: null, column: null })] };
  const issues: ScenarioIssue[] = doc.errors.map((error) => ({
    code: error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'syntax-error',
    file,
    ...at(error.pos[0]),
    path: '',
    message: `YAML ${error.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'}: ${firstLine(error.message)}`,
  }));
  if (doc.contents === null) issues.push(fileIssue(file, 'file has no content (only comments)', 'empty-file'));
  if (issues.length > 0) return { ok: false, issues };
  // Depth and tags before anything else walks the tree (visit and toJS recurse too).
  issues.push(...structureIssues(doc.contents, file, at));

  // Forbidden keys are refused on the document itself, before any object is built from it.
  visit(doc, {
    Pair(_, pair, path) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
        issues.push({
          code: 'forbidden-key',
          file,
          ...at(isScalar(pair.key) ? pair.key.range?.[0] : undefined),
          path: formatPath([...pathOfVisit(path), key]),
          message: `key ${JSON.stringify(key)} is not allowed (it could alter object prototypes)`,
        });
      }
    },
  });
  if (issues.length > 0) return { ok: false, issues };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [fileIssue(file, `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT}): ${message}`, 'too-many-aliases')],
    };
  }
  return { ok: true, parsed: parsedDocument(file, data, (path, atKey) => locateInYaml(doc, lineCounter, path, atKey)) };
}

/** The fast path for big JSON files (see parseText). */
function parseJson(text: string, file: string): Checked<{ parsed: ParsedDocument }> {
  const locator = new JsonLocator(text);
  const issues: ScenarioIssue[] = [];
  // Forbidden keys are refused on the text, before any object is built from it.
  // Plain substring scans first: on a clean 100 MB file they are all the work there is.
  const suspicious = [...FORBIDDEN_KEYS].some((key) => text.includes(`"${key}"`));
  for (const match of suspicious ? text.matchAll(/"(__proto__|constructor|prototype)"\s*:/g) : []) {
    issues.push({
      code: 'forbidden-key',
      file,
      ...locator.position(match.index),
      path: '',
      message: `key ${JSON.stringify(match[1])} is not allowed (it could alter object prototypes)`,
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const position = at === null ? { line: null, column: null } : locator.position(Number(at[1]));
    return {
      ok: false,
      issues: [{ code: 'syntax-error', file, ...position, path: '', message: `JSON syntax error: ${firstLine(message)}` }],
    };
  }
  if (data === null || typeof data !== 'object')
    return { ok: false, issues: [fileIssue(file, 'file has no content (a JSON object is expected)', 'empty-file')] };
  if (depthOf(data) > MAX_NESTING_DEPTH) return { ok: false, issues: [tooDeep(file, { line: null, column: null })] };
  return { ok: true, parsed: parsedDocument(file, data, (path, atKey) => locator.position(locator.offsetOf(path, atKey))) };
}

/** 1-based line and column of a string offset (lines end at LF; the text is normalised first). */
function textPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

function tooDeep(file: string, position: { line: number | null; column: number | null }): ScenarioIssue {
  return {
    code: 'too-deep',
    file,
    ...position,
    path: '',
    message: `nesting deeper than ${MAX_NESTING_DEPTH} levels of maps and lists (the limit of scenario files)`,
  };
}

/**
 * Nesting depth and tags of a parsed YAML tree, walked with an explicit stack (no recursion, so any
 * depth the parser produced is safe to measure). Returns at the first node over the depth limit.
 */
function structureIssues(
  root: unknown,
  file: string,
  at: (offset: number | undefined) => { line: number | null; column: number | null },
): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const tag = (node as { tag?: unknown }).tag;
    if (typeof tag === 'string' && !CORE_TAGS.has(tag)) {
      const shown = tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
      issues.push({
        code: 'unsupported-tag',
        file,
        ...at(rangeStart(node)),
        path: '',
        message: `YAML tag ${shown} is not supported (only plain values, maps and lists: remove the tag)`,
      });
    }
    if (isMap(node) || isSeq(node)) {
      if (depth > MAX_NESTING_DEPTH) return [tooDeep(file, at(rangeStart(node)))];
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          stack.push({ node: item.key, depth: depth + 1 });
          stack.push({ node: item.value, depth: depth + 1 });
        } else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return issues;
}

/**
 * Nesting depth of plain data (explicit stack of objects and their depths, in two parallel lists;
 * scalars are never pushed: a million-edge file would otherwise make several million stack entries).
 */
function depthOf(data: unknown): number {
  let max = 0;
  const values: object[] = [];
  const depths: number[] = [];
  if (data !== null && typeof data === 'object') {
    values.push(data);
    depths.push(1);
  }
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max) max = depth;
    if (max > MAX_NESTING_DEPTH) return max;
    // Indexed and for…in: no array of values per object (a million edges are a million objects).
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in value) {
        const child: unknown = (value as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return max;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

/** Rebuilds the document path of a `visit` callback from its ancestor chain. */
function pathOfVisit(ancestors: readonly unknown[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const node = ancestors[i];
    const child = ancestors[i + 1];
    if (isPair(node) && isScalar(node.key)) out.push(String(node.key.value));
    else if (isSeq(node) && child !== undefined) out.push(node.items.indexOf(child));
  }
  return out;
}

/** Where a path points in the document, to the nearest existing ancestor (a missing key → its parent map). */
export function locate(
  parsed: ParsedDocument,
  path: readonly PathSegment[],
  options: { readonly atKey?: boolean } = {},
): { line: number | null; column: number | null } {
  return parsed.position(path, options.atKey === true);
}

function locateInYaml(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  atKey: boolean,
): { line: number | null; column: number | null } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      const last = i === path.length - 1;
      next = pair.value;
      offset = last && atKey ? rangeStart(pair.key) : (rangeStart(next) ?? rangeStart(pair.key));
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) break;
      offset = rangeStart(next);
    } else {
      break;
    }
    node = next;
  }
  if (offset === undefined) return { line: null, column: null };
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as YamlNode).range;
  return range?.[0];
}

/** Builds a located issue for a path inside a parsed document. */
export function issueAt(
  parsed: ParsedDocument,
  path: readonly PathSegment[],
  message: string,
  extra: { readonly code: IssueCode; readonly hint?: string | undefined; readonly atKey?: boolean },
): ScenarioIssue {
  const position = locate(parsed, path, extra.atKey === true ? { atKey: true } : {});
  return {
    code: extra.code,
    file: parsed.file,
    ...position,
    path: formatPath(path),
    message,
    ...(extra.hint === undefined ? {} : { hint: extra.hint }),
  };
}
