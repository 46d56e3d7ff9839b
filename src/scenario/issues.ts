/**
 * Turns zod issues into ScenarioIssues users can act on: the file, the line and column of the
 * offending node, a path like `edges[2].to`, a message with the bad value, and a did-you-mean hint
 * for unknown keys and enum values.
 */
import type * as z from 'zod';
import type { IssueCode, ScenarioIssue } from '../errors.js';
import { issueAt, type ParsedDocument, type PathSegment } from './document.js';
import { didYouMean } from './hints.js';
import { PATTERN_CODES } from './schema-values.js';

/** The part of a zod schema definition this module walks (zod keeps it on `_zod.def`). */
interface LooseDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
}
const defOf = (schema: z.ZodType): LooseDef => (schema as unknown as { _zod: { def: LooseDef } })._zod.def;

/** Strips wrappers (optional, pipe, …) that do not change the shape of the data. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

/** Shows a bad value briefly: strings quoted, objects as short JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  } catch {
    // bigints and cycles: shown below
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- last resort for what JSON cannot show (functions, symbols, bigints, cycles)
  text ??= String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The value at a path in plain data (undefined when absent). */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** Picks the union option the data was most likely meant for (-1 when none fits its type). */
function pickOption(options: readonly z.ZodType[], value: unknown): number {
  let best = -1;
  let bestScore = 0;
  options.forEach((option, index) => {
    const def = defOf(unwrap(option));
    let score = 0;
    if (typeof value === 'string' && def.type === 'string') score = 1;
    else if (Array.isArray(value) && def.type === 'array') score = 1;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && def.type === 'object') {
      const shape = def.shape ?? {};
      const keys = Object.keys(value);
      const overlap = keys.filter((key) => key in shape).length;
      const required = Object.entries(shape)
        .filter(([, s]) => defOf(s).type !== 'optional')
        .map(([k]) => k);
      const hasRequired = required.every((key) => keys.includes(key));
      score = overlap === 0 ? 0 : overlap + (hasRequired ? 1000 : 0);
    }
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  });
  return best;
}

/** The schema expected at a path, following the data through unions; undefined when unknown. */
export function schemaAt(root: z.ZodType, data: unknown, path: readonly PathSegment[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  for (let i = 0; i <= path.length && schema !== undefined; i++) {
    schema = unwrap(schema);
    const def = defOf(schema);
    const value = valueAt(data, path.slice(0, i));
    if (def.type === 'union' && def.options !== undefined) {
      const disc = def.discriminator;
      const chosen: z.ZodType | undefined =
        disc !== undefined && value !== null && typeof value === 'object'
          ? def.options.find((o) =>
              defOf(unwrap(defOf(unwrap(o)).shape?.[disc] ?? o)).values?.includes((value as Record<string, unknown>)[disc]),
            )
          : def.options[pickOption(def.options, value)];
      schema = chosen;
      i--; // the union did not consume a path segment
      continue;
    }
    if (i === path.length) break;
    const segment = path[i];
    if (def.type === 'object' && typeof segment === 'string') schema = def.shape?.[segment];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else schema = undefined;
  }
  return schema === undefined ? undefined : unwrap(schema);
}

type ZodIssue = z.core.$ZodIssue;

/** What was validated: the schema, the data, and where that data sits in the parsed document. */
export interface ValidationContext {
  readonly parsed: ParsedDocument;
  readonly schema: z.ZodType;
  readonly data: unknown;
  /** Path of `data` inside the document (empty for the whole file). */
  readonly base?: readonly PathSegment[];
}

/** Maps zod issues to located ScenarioIssues. */
export function mapZodIssues(zodIssues: readonly ZodIssue[], context: ValidationContext): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  const { parsed, data, schema: rootSchema } = context;
  const base = context.base ?? [];
  const visitIssue = (issue: ZodIssue, prefix: readonly PathSegment[]): void => {
    const path: PathSegment[] = [...prefix, ...(issue.path as PathSegment[])];
    const value = valueAt(data, path);
    const fullPath = [...base, ...path];
    const at = (code: IssueCode, message: string, hint?: string): void => {
      out.push(issueAt(parsed, fullPath, message, { code, hint }));
    };
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = schemaAt(rootSchema, data, path);
        const keys = Object.keys(defOf(known ?? unwrap(rootSchema)).shape ?? {});
        for (const key of issue.keys) {
          out.push(
            issueAt(parsed, [...fullPath, key], `unknown key ${JSON.stringify(key)}`, {
              code: 'unknown-key',
              hint: didYouMean(key, keys),
              atKey: true,
            }),
          );
        }
        return;
      }
      case 'invalid_union': {
        const disc = (issue as { discriminator?: string }).discriminator;
        const options = (issue as { options?: readonly unknown[] }).options;
        if (disc !== undefined && options !== undefined) {
          const names = options.map(String);
          if (value === undefined) at('missing-key', `missing required key ${JSON.stringify(disc)} (one of ${names.join(', ')})`);
          else
            at(
              'unknown-value',
              `unknown ${disc} ${show(value)} (expected one of ${names.join(', ')})`,
              typeof value === 'string' ? didYouMean(value, names) : undefined,
            );
          return;
        }
        const choice = pickOption(findUnion(rootSchema, data, path) ?? [], value);
        const branch = issue.errors[choice];
        if (choice >= 0 && branch !== undefined && branch.length > 0) {
          for (const inner of branch) visitIssue(inner, path);
          return;
        }
        at('invalid', `${issue.message} (got ${show(value)})`);
        return;
      }
      case 'invalid_type': {
        if (value === undefined) {
          at('missing-key', `missing required key ${JSON.stringify(path[path.length - 1] ?? '')}`);
          return;
        }
        const names: Record<string, string> = { int: 'an integer', object: 'a map', record: 'a map', array: 'a list' };
        const expected = names[issue.expected] ?? `a ${issue.expected}`;
        at('wrong-type', `must be ${expected} (got ${show(value)})`);
        return;
      }
      case 'invalid_value': {
        const names = issue.values.map(String);
        at(
          'unknown-value',
          `must be one of ${names.join(', ')} (got ${show(value)})`,
          typeof value === 'string' ? didYouMean(value, names) : undefined,
        );
        return;
      }
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const relation =
          issue.code === 'too_small' ? (issue.inclusive === false ? '>' : '≥') : issue.inclusive === false ? '<' : '≤';
        if (issue.origin === 'array' || issue.origin === 'set') {
          at(
            'out-of-range',
            `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} item(s) (got ${Array.isArray(value) ? value.length : show(value)})`,
          );
        } else if (issue.origin === 'string') {
          at(
            'out-of-range',
            `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} characters long (got ${show(value)})`,
          );
        } else {
          at('out-of-range', `must be ${relation} ${String(bound)} (got ${show(value)})`);
        }
        return;
      }
      case 'invalid_key':
        at('bad-name', `invalid key ${show(path[path.length - 1])}: ${issue.issues.map((i) => i.message).join('; ')}`);
        return;
      case 'invalid_format':
        at(
          (issue.format === 'regex' ? PATTERN_CODES.get(issue.pattern ?? '') : undefined) ?? 'bad-format',
          `${issue.message} (got ${show(value)})`,
        );
        return;
      case 'custom':
        at((issue.params?.['code'] as IssueCode | undefined) ?? 'invalid', `${issue.message} (got ${show(value)})`);
        return;
      case 'invalid_element':
      case 'not_multiple_of':
        at('invalid', `${issue.message} (got ${show(value)})`);
        return;
      default:
        at('invalid', `${(issue as { message: string }).message} (got ${show(value)})`);
    }
  };
  for (const issue of zodIssues) visitIssue(issue, []);
  return out;
}

/** The options of the union schema that sits exactly at `path`, if any. */
function findUnion(root: z.ZodType, data: unknown, path: readonly PathSegment[]): readonly z.ZodType[] | undefined {
  if (path.length === 0) {
    const def = defOf(unwrap(root));
    return def.type === 'union' ? def.options : undefined;
  }
  const parent = schemaAt(root, data, path.slice(0, -1));
  if (parent === undefined) return undefined;
  const def = defOf(parent);
  const segment = path[path.length - 1];
  let child: z.ZodType | undefined;
  if (def.type === 'object' && typeof segment === 'string') child = def.shape?.[segment];
  else if (def.type === 'array') child = def.element;
  else if (def.type === 'record') child = def.valueType;
  if (child === undefined) return undefined;
  const childDef = defOf(unwrap(child));
  return childDef.type === 'union' ? childDef.options : undefined;
}
