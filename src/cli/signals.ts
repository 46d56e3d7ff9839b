/** Ctrl-C handling for long commands: SIGINT aborts the work (workers stop, temp files go), exit 130. */

/** Runs `work` with a signal that aborts on SIGINT; the handler is removed afterwards. */
export async function withSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
