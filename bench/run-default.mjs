// #10 goal: the default run of the shipped scenarios (`blastlab run`, what `npm start` runs after its
// build) ≤ 8 s on 2 cores. The goal was set on the 21 files of ea47010 (36,800 trials, before the
// attribution and tempo variants existed); today's default run is larger. This times either.
//
// Usage: npm run build && node bench/run-default.mjs [--at REV] [--trials-only] [--runs N] [--workers N]
//   --at REV        run the scenarios/ folder of git revision REV (e.g. ea47010) with today's build
//   --trials-only   the variant runs at their smallest (--attribution-trials 1 --tempo-trials 1)
//   --runs N        repeat N times (the machine is noisy: report the range)
// Prints wall seconds, CPU seconds and peak RSS per run (time-cli.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTiming, timeCli } from './time-cli.mjs';

const { values } = parseArgs({
  options: {
    at: { type: 'string' },
    'trials-only': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'blastlab-default-'));
try {
  let scenarios = 'scenarios';
  if (values.at !== undefined) {
    // The folder as it was at that revision (a clone has the history; an export of the tree does not).
    const archive = join(dir, 'scenarios.tar');
    execFileSync('git', ['archive', '--output', archive, values.at, 'scenarios'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    scenarios = join(dir, 'scenarios');
  }
  const args = ['dist/cli/main.js', 'run', scenarios, '--workers', values.workers, '--quiet'];
  if (values['trials-only']) args.push('--attribution-trials', '1', '--tempo-trials', '1');
  const label = `${values.at === undefined ? 'shipped scenarios' : `scenarios of ${values.at}`}${values['trials-only'] ? ', trials only' : ''}, ${values.workers} workers`;
  for (let run = 0; run < Number(values.runs); run++) {
    const out = join(dir, `out-${run}`);
    console.log(`${label}: ${formatTiming(timeCli([...args, '--out', out]))}`);
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
