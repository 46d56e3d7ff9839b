/**
 * Signals for long commands: SIGINT (Ctrl-C), SIGTERM (Kubernetes, CI, `kill`) and SIGHUP (a closed
 * terminal) all abort the work the same way — workers stop, the staging folder goes, the previous
 * results stay — and the command exits 128 + the signal's number: 130, 143, 129 (docs/reliability.md).
 */
import { INTERRUPT_SIGNALS, type InterruptSignal } from '../exec/interrupt.js';

/** Runs `work` with a signal that aborts (reason: the signal's name) on SIGINT, SIGTERM or SIGHUP; the handlers are removed afterwards. */
export async function withSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = INTERRUPT_SIGNALS.map((name) => {
    const handler = (): void => controller.abort(name);
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    return await work(controller.signal);
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

/** The name the commands were written against: it now handles every signal in INTERRUPT_SIGNALS. */
export const withSigint = withSignals;

export type { InterruptSignal };
