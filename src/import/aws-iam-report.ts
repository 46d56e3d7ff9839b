/**
 * The IAM credential report (`aws iam get-credential-report`, CSV) for the AWS IAM importer: the
 * active access keys of each user with their rotation and last use, and the dates as ISO 8601.
 */
import { ScenarioError, type IssueCode, type ScenarioIssue } from '../errors.js';
import { dateTimeSchema } from '../scenario/schema-values.js';
import { readTextInput } from './input.js';

/** A date as written by the CLI (`…Z`) or boto3 (`2019-12-18 19:10:08+00:00`) → ISO 8601, or null. */
export function normaliseDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  return dateTimeSchema.safeParse(iso).success ? iso : null;
}

/** One active access key of a credential-report row. */
export interface ReportKey {
  readonly n: 1 | 2;
  readonly lastRotated: string | null;
  readonly lastUsed: string | null;
  readonly lastUsedService: string | null;
}

/** Sentinels of the credential report: the value is unknown (or does not apply). */
const SENTINELS = new Set(['N/A', 'no_information', 'not_supported', '']);
const REQUIRED_COLUMNS = [
  'user',
  'arn',
  ...[1, 2].flatMap((n) => [
    `access_key_${n}_active`,
    `access_key_${n}_last_rotated`,
    `access_key_${n}_last_used_date`,
    `access_key_${n}_last_used_service`,
  ]),
];

/** Splits one CSV line (RFC 4180 quotes). */
function csvCells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** Reads the IAM credential report CSV; sentinel cells are unknown; other bad cells are errors with file and line. */
export function readCredentialReport(file: string): {
  byArn: Map<string, { keys: ReportKey[] }>;
  root: boolean;
  newest: string | undefined;
} {
  const text = readTextInput(file).replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  const issues: ScenarioIssue[] = [];
  const at = (line: number, column: string, message: string, code: IssueCode): ScenarioIssue => ({
    code,
    file,
    line,
    column: null,
    path: column,
    message,
  });
  const header = csvCells(lines[0] ?? '');
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new ScenarioError([
      at(
        1,
        '',
        `not an IAM credential report: missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
        'missing-column',
      ),
    ]);
  const col = new Map(header.map((h, i) => [h, i]));
  const byArn = new Map<string, { keys: ReportKey[] }>();
  let root = false;
  let newest: string | undefined;
  let newestMs = Number.NEGATIVE_INFINITY;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = csvCells(line);
    if (cells.length !== header.length) {
      issues.push(at(i + 1, '', `expected ${header.length} cells, got ${cells.length} (truncated or malformed row)`, 'bad-row'));
      continue;
    }
    const cell = (name: string): string => cells[col.get(name)!] ?? '';
    if (cell('user') === '<root_account>') {
      root = true;
      continue;
    }
    const date = (name: string): string | null => {
      const raw = cell(name);
      if (SENTINELS.has(raw)) return null;
      const iso = normaliseDate(raw);
      if (iso === null)
        issues.push(
          at(i + 1, name, `${JSON.stringify(raw)} is not a date (nor N/A, no_information, not_supported)`, 'bad-format'),
        );
      else if (Date.parse(iso) > newestMs) {
        newestMs = Date.parse(iso);
        newest = iso;
      }
      return iso;
    };
    const keys: ReportKey[] = [];
    for (const n of [1, 2] as const) {
      const active = cell(`access_key_${n}_active`);
      if (active !== 'true' && active !== 'false') {
        issues.push(
          at(i + 1, `access_key_${n}_active`, `must be true or false (got ${JSON.stringify(active)})`, 'unknown-value'),
        );
        continue;
      }
      const lastRotated = date(`access_key_${n}_last_rotated`);
      const lastUsed = date(`access_key_${n}_last_used_date`);
      const service = cell(`access_key_${n}_last_used_service`);
      if (active === 'true')
        keys.push({ n, lastRotated, lastUsed, lastUsedService: SENTINELS.has(service) ? null : service.toLowerCase() });
    }
    if (col.has('user_creation_time')) date('user_creation_time');
    byArn.set(cell('arn'), { keys });
  }
  if (issues.length > 0) throw new ScenarioError(issues);
  return { byArn, root, newest };
}
