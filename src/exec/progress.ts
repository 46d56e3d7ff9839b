/**
 * The progress bar of long runs: on a terminal only (stderr), never when piped or with --quiet, so
 * logs and CI output stay clean.
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from './run.js';

/** Receives progress updates; `stop()` clears the bar. */
export interface ProgressReporter {
  update(progress: RunProgress): void;
  stop(): void;
}

const SILENT: ProgressReporter = { update() {}, stop() {} };

/** A bar on stderr when it is a terminal and not `quiet`; otherwise a reporter that prints nothing. */
export function createProgress(options: { readonly quiet: boolean; readonly stream?: NodeJS.WriteStream }): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || stream.isTTY !== true) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'running {bar} {percentage}% | scenarios {scenarios} | trials {value}/{total} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { scenarios: `${p.scenariosDone}/${p.scenariosTotal}` };
      if (!started) {
        bar.start(p.trialsTotal, p.trialsDone, payload);
        started = true;
      } else bar.update(p.trialsDone, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
