/**
 * The one place that turns errors into messages and exit codes: 2 for user mistakes (invalid scenario,
 * bad usage), 130 for Ctrl-C, 1 for everything else. No stack traces for mistakes a user can fix.
 */
import pc from 'picocolors';
import { BlastlabError, formatIssue, ResultsInputError, ScenarioError, SimulationInvariantError, UsageError } from '../errors.js';
import { RunInterruptedError } from '../exec/interrupt.js';

/** Exit codes (SPEC §7). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143, hangup: 129 } as const;

/** Exit code of a run stopped by a signal: 128 + the signal's number. */
const SIGNAL_EXIT = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated, SIGHUP: EXIT.hangup } as const;

/** Where blastlab bugs go. */
const REPORT_HINT = 'please report this as a bug with the command you ran (set BLASTLAB_DEBUG=1 for a stack trace)';

/** Prints `error` to stderr and returns the exit code; `usage` is the failing command's usage line. */
export function reportError(error: unknown, usage?: string): number {
  const write = (line: string): void => void process.stderr.write(`${line}\n`);
  if (error instanceof ScenarioError) {
    for (const issue of error.issues) write(formatIssue(issue));
    write(pc.red(`${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} found`));
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    write(`${pc.red('error:')} ${error.message}`);
    if (usage !== undefined) write(usage);
    return EXIT.usage;
  }
  if (error instanceof ResultsInputError) {
    write(`${pc.red('error:')} ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof RunInterruptedError) {
    write(error.message);
    return SIGNAL_EXIT[error.signal];
  }
  if (error instanceof SimulationInvariantError) {
    write(`${pc.red('error:')} ${error.message}`);
    write(REPORT_HINT);
    return EXIT.failed;
  }
  if (error instanceof BlastlabError) {
    write(`${pc.red('error:')} ${error.message}`);
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`${pc.red('unexpected error:')} ${message}`);
  if (process.env['BLASTLAB_DEBUG'] !== undefined && error instanceof Error && error.stack !== undefined) write(error.stack);
  write(REPORT_HINT);
  return EXIT.failed;
}
