/**
 * The error hierarchy: every error blastlab throws on purpose is a BlastlabError defined here, with
 * the issue type and its codes. Names are stable (tests and callers match on `name`); messages start
 * with where the problem came from. The CLI maps them to exit codes (src/cli/errors.ts):
 * ScenarioError, UsageError and ResultsInputError → 2, RunInterruptedError → 128 + signal number,
 * everything else → 1.
 */

/** Base class of every error blastlab throws on purpose. */
export class BlastlabError extends Error {
  override name = 'BlastlabError';
}

/**
 * What kind of problem an issue is, as data (valibot's issues carry a `type` the same way): callers
 * and tests match on the code; the message is for people and may be reworded.
 */
export type IssueCode =
  // Reading the file
  | 'unreadable'
  | 'not-a-scenario-file'
  | 'file-too-large'
  | 'empty-file'
  | 'bad-encoding'
  | 'syntax-error'
  | 'duplicate-key'
  | 'forbidden-key'
  | 'too-many-aliases'
  | 'too-deep'
  | 'unsupported-tag'
  // Shape (the schema)
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'unknown-value'
  | 'out-of-range'
  | 'bad-duration'
  | 'bad-id'
  | 'bad-name'
  | 'bad-format'
  | 'not-allowed'
  | 'invalid'
  // Warnings: the file loads, the key changes nothing
  | 'ignored-key'
  // References between parts of the file
  | 'unknown-reference'
  | 'wrong-kind'
  | 'duplicate-id'
  | 'duplicate-name'
  | 'self-loop'
  | 'not-held'
  | 'not-invoked'
  | 'not-granted'
  | 'no-credential'
  | 'no-assumes'
  | 'after-horizon'
  | 'unknown-preset'
  | 'unknown-framework-id'
  | 'needs-as-of'
  | 'after-as-of'
  | 'before-created'
  // Importers' inputs (GitHub Actions, AWS IAM, OpenGraph, profiles): beside the codes above
  | 'not-a-repository'
  | 'not-a-workflow'
  | 'not-in-repository'
  | 'not-an-iam-export'
  | 'truncated-export'
  | 'no-default-version'
  | 'missing-column'
  | 'bad-row'
  | 'not-an-opengraph-payload'
  | 'bad-zip'
  | 'empty-zip'
  | 'nested-zip'
  | 'not-a-json-payload'
  | 'reserved-key'
  | 'nested-value'
  | 'mixed-array'
  | 'not-namespaced'
  | 'reserved-name'
  | 'unknown-profile'
  | 'nothing-to-model'
  // Whole runs
  | 'over-work-budget'
  | 'token-too-large'
  | 'scope-by-reference';

/** One problem found in a scenario file. */
export interface ScenarioIssue {
  /** What kind of problem it is: callers and tests match on it, never on the message. */
  readonly code: IssueCode;
  /** The file as the user named it. */
  readonly file: string;
  /** 1-based line and column, or null when unknown (JSON without positions, whole-file problems). */
  readonly line: number | null;
  readonly column: number | null;
  /** Path inside the document, e.g. `edges[2].to` (empty string for the whole document). */
  readonly path: string;
  /** What is wrong, including the bad value. */
  readonly message: string;
  /** Optional hint, e.g. `did you mean "deploy-key"?` */
  readonly hint?: string;
}

/**
 * The outcome of a check, narrowed on the literal `ok` (as valibot's `safeParse`): the value's fields
 * when it holds, or every issue found. Callers test `result.ok`, never `'issues' in result`.
 */
export type Checked<T extends object> = ({ readonly ok: true } & T) | { readonly ok: false; readonly issues: ScenarioIssue[] };

/** Formats one issue as `file:line:col path: message (hint)`. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const path = issue.path === '' ? '' : ` ${issue.path}:`;
  const hint = issue.hint === undefined ? '' : ` (${issue.hint})`;
  return `${where}${path} ${issue.message}${hint}`;
}

/** Invalid scenario input: carries every issue found (exit 2). */
export class ScenarioError extends BlastlabError {
  override name = 'ScenarioError';
  readonly issues: readonly ScenarioIssue[];
  constructor(issues: readonly ScenarioIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** Bad command-line usage (exit 2). */
export class UsageError extends BlastlabError {
  override name = 'UsageError';
}

/** A rule of the model was broken inside the simulator: a bug, not a user mistake (exit 1). */
export class SimulationInvariantError extends BlastlabError {
  override name = 'SimulationInvariantError';
}

/**
 * Result folders given as input (to `merge`) were altered, forged, or do not fit together (exit 2):
 * the message names the folder and, where known, the file and row.
 */
export class ResultsInputError extends BlastlabError {
  override name = 'ResultsInputError';
}

/** Writing or reading result files failed, or result sets do not fit together (exit 1). */
export class OutputError extends BlastlabError {
  override name = 'OutputError';
}

/** A trial failed or its worker died; names the trial (exit 1). */
export class TrialFailedError extends BlastlabError {
  override name = 'TrialFailedError';
  constructor(
    readonly scenario: string,
    readonly policy: string,
    readonly attack: string,
    readonly trial: number,
    readonly reason: string,
  ) {
    super(`trial failed: scenario "${scenario}", policy "${policy}", attack "${attack}", trial ${trial}: ${reason}`);
  }
}

/** The signals that stop a run, as the CLI handles them (exit 128 + number: 130, 143, 129). */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** One of INTERRUPT_SIGNALS. */
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** The run was stopped (Ctrl-C, SIGTERM, SIGHUP): nothing was written (exit 130, 143, 129). */
export class RunInterruptedError extends BlastlabError {
  override name = 'RunInterruptedError';
  /** The signal that stopped the run (SIGINT when the abort gave no signal name). */
  readonly signal: InterruptSignal;
  constructor(signal: InterruptSignal = 'SIGINT') {
    super(`interrupted (${signal}): stopped the workers, no results written`);
    this.signal = signal;
  }

  /** The error for an aborted signal: its reason names the signal when the CLI aborted it. */
  static from(signal: AbortSignal | undefined): RunInterruptedError {
    const reason: unknown = signal?.reason;
    return new RunInterruptedError(
      (INTERRUPT_SIGNALS as readonly unknown[]).includes(reason) ? (reason as InterruptSignal) : 'SIGINT',
    );
  }
}
