/**
 * How a run is stopped by a signal: a module of its own so the CLI's error reporting can name it
 * without loading the worker pool (and with it the simulator) at start-up.
 */
import { BlastlabError } from '../errors.js';

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
