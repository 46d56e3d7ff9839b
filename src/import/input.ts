/**
 * Reading importer inputs through the scenario boundary's parser (positions for every path, hostile
 * input refused), and the user mapping file (`--map`). Every problem becomes a ScenarioIssue naming
 * the input file, the path inside it and the line; importers collect them and throw one ScenarioError.
 */
import { readFileSync, statSync } from 'node:fs';
import * as z from 'zod';
import { ScenarioError, type Checked, type IssueCode, type ScenarioIssue } from '../errors.js';
import { fileIssue, issueAt, maxBytesFor, parseText, type ParsedDocument, type PathSegment } from '../scenario/document.js';
import { didYouMean } from '../scenario/hints.js';
import { mapZodIssues } from '../scenario/issues.js';
import { dateTimeSchema } from '../scenario/schema-values.js';
import { ACTIONS, SENSITIVITIES } from '../domain/scenario.js';

/** Reads and parses a YAML or JSON input; `{ok: false, issues}` when it cannot. */
export function readDocument(file: string): Checked<{ parsed: ParsedDocument }> {
  let text: string;
  try {
    const limit = maxBytesFor(file);
    if (statSync(file).size > limit)
      return { ok: false, issues: [fileIssue(file, `file is larger than ${limit / 1024 / 1024} MB`, 'file-too-large')] };
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      ok: false,
      issues: [fileIssue(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`, 'unreadable')],
    };
  }
  return parseText(text, file);
}

/** Reads a text input (CSV) or throws ScenarioError. */
export function readTextInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScenarioError([
      fileIssue(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`, 'unreadable'),
    ]);
  }
}

/** An issue at a path of a parsed input (`atKey`: located at the key rather than its value). */
export function inputIssue(
  parsed: ParsedDocument,
  path: readonly PathSegment[],
  message: string,
  code: IssueCode,
  atKey = false,
): ScenarioIssue {
  return issueAt(parsed, path, message, { code, atKey });
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reports keys of `value` outside `known` as `unknown key` issues. */
export function unknownKeys(
  parsed: ParsedDocument,
  path: readonly PathSegment[],
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  issues: ScenarioIssue[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key))
      issues.push(
        issueAt(parsed, [...path, key], `unknown key ${JSON.stringify(key)}`, {
          code: 'unknown-key',
          atKey: true,
          hint: didYouMean(key, [...known]),
        }),
      );
  }
}

const secretMapSchema = z.strictObject({
  target: z.string().min(1).max(200).optional(),
  actions: z.array(z.enum(ACTIONS)).min(1).optional(),
  type: z.string().min(1).max(200).optional(),
  ephemeralCapable: z.boolean().optional(),
  sensitivity: z.enum(SENSITIVITIES).optional(),
  createdAt: dateTimeSchema.optional(),
  lastRotatedAt: dateTimeSchema.optional(),
  lastUsedAt: dateTimeSchema.optional(),
  expiresAt: dateTimeSchema.optional(),
});

/** The `--map` file: secret targets and facts (GitHub Actions), action classes (AWS IAM). */
export const importMapSchema = z.strictObject({
  secrets: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a secret name' }), secretMapSchema).optional(),
  actions: z
    .record(
      z.string().regex(/^[A-Za-z0-9*-]+:[A-Za-z0-9*]+$|^\*$/, { error: 'must be an IAM action like s3:GetObject or s3:Get*' }),
      z.enum(ACTIONS),
    )
    .optional(),
});
export type ImportMap = z.output<typeof importMapSchema>;
export type SecretMapEntry = z.output<typeof secretMapSchema>;

/** Reads and validates a `--map` file; throws ScenarioError naming the file, path and line. */
export function readImportMap(file: string): ImportMap {
  const read = readDocument(file);
  if (!read.ok) throw new ScenarioError(read.issues);
  const checked = importMapSchema.safeParse(read.parsed.data);
  if (!checked.success)
    throw new ScenarioError(
      mapZodIssues(checked.error.issues, { parsed: read.parsed, schema: importMapSchema, data: read.parsed.data }),
    );
  return checked.data;
}
