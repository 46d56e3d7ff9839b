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
      format: 'running {bar} {percentage}% | scenarios {scenarios} | trials {trials}{variants} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    // The bar counts every trial the run makes, the variant runs' too: it is full when the run's work is.
    update(p) {
      const payload = {
        scenarios: `${p.scenariosDone}/${p.scenariosTotal}`,
        trials: `${p.trialsDone}/${p.trialsTotal}`,
        variants: p.variantTrialsTotal === 0 ? '' : ` | variant trials ${p.variantTrialsDone}/${p.variantTrialsTotal}`,
      };
      const done = p.trialsDone + p.variantTrialsDone;
      if (!started) {
        bar.start(p.trialsTotal + p.variantTrialsTotal, done, payload);
        started = true;
      } else bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
