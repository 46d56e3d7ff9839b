// #10 goal: the default run of the shipped scenarios (`blastlab run`, what `npm start` runs after its
// build) ≤ 8 s on 2 cores. The goal was set on the 21 files of ea47010 (36,800 trials, before the
// attribution and tempo variants existed); today's default run is larger. This times either.
//
// Usage: npm run build && node bench/run-default.mjs [--at REV] [--trials-only] [--runs N] [--workers N] [--against REV]
//   --at REV        run the scenarios/ folder of git revision REV (e.g. ea47010) with today's build
//   --trials-only   the variant runs at their smallest (--attribution-trials 1 --tempo-trials 1)
//   --runs N        repeat N times (the machine is noisy: report the range)
//   --against REV   also time the build of revision REV (built in a temporary git worktree) on the
//                   same scenarios, its runs alternated with this build's (the order flips each round,
//                   so a load spike or a quiet spell falls on both), then print each build's sorted
//                   wall and CPU times and medians. A change smaller than the spread between runs of
//                   one build (about ±5% on a 2-vCPU VM) needs many runs, or an in-process comparison.
// Prints wall seconds, CPU seconds and peak RSS per run (time-cli.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTiming, timeCli } from './time-cli.mjs';

const { values } = parseArgs({
  options: {
    at: { type: 'string' },
    'trials-only': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    against: { type: 'string' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'blastlab-default-'));
const git = (...args) => execFileSync('git', args, { stdio: ['ignore', 'ignore', 'inherit'] });
let worktree = null;
try {
  let scenarios = 'scenarios';
  if (values.at !== undefined) {
    // The folder as it was at that revision (a clone has the history; an export of the tree does not).
    const archive = join(dir, 'scenarios.tar');
    git('archive', '--output', archive, values.at, 'scenarios');
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    scenarios = join(dir, 'scenarios');
  }
  const builds = [{ name: 'this build', cli: resolve('dist/cli/main.js'), runs: [] }];
  if (values.against !== undefined) {
    // The other build: its sources at REV, this checkout's node_modules, compiled as `npm run build` does.
    worktree = join(dir, 'against');
    git('worktree', 'add', '--detach', worktree, values.against);
    symlinkSync(resolve('node_modules'), join(worktree, 'node_modules'), 'dir');
    execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: worktree,
      stdio: 'inherit',
    });
    builds.push({ name: values.against, cli: join(worktree, 'dist/cli/main.js'), runs: [] });
  }
  const flags = ['run', resolve(scenarios), '--workers', values.workers, '--quiet'];
  if (values['trials-only']) flags.push('--attribution-trials', '1', '--tempo-trials', '1');
  const label = `${values.at === undefined ? 'shipped scenarios' : `scenarios of ${values.at}`}${values['trials-only'] ? ', trials only' : ''}, ${values.workers} workers`;
  for (let run = 0; run < Number(values.runs); run++) {
    for (const build of run % 2 === 0 ? builds : [...builds].reverse()) {
      const out = join(dir, `out-${run}`);
      const timing = timeCli([build.cli, ...flags, '--out', out]);
      build.runs.push(timing);
      console.log(`${label}${builds.length > 1 ? ` (${build.name})` : ''}: ${formatTiming(timing)}`);
      rmSync(out, { recursive: true, force: true });
    }
  }
  if (builds.length > 1) for (const build of builds) console.log(summary(build));
} finally {
  if (worktree !== null) git('worktree', 'remove', '--force', worktree);
  rmSync(dir, { recursive: true, force: true });
}

/** `NAME: wall 8.10 8.16 … s (median 8.38), CPU 15.0 … s (median 15.6)` */
function summary({ name, runs }) {
  const sorted = (key) =>
    runs
      .map((r) => r[key])
      .filter((v) => v !== null)
      .sort((a, b) => a - b);
  const median = (xs) => (xs.length % 2 === 1 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
  const line = (xs) => `${xs.map((x) => x.toFixed(2)).join(' ')} s (median ${median(xs).toFixed(2)})`;
  const wall = sorted('wall');
  const cpu = sorted('cpu');
  return `${name}: wall ${line(wall)}${cpu.length > 0 ? `, CPU ${line(cpu)}` : ''}`;
}
