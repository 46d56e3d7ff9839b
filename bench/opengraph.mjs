// OpenGraph export and import at scale (issue 12 "Speed"): the seeded 10,000-agent estate
// (105,000 nodes, 1,090,384 edges) exported with per-node results, and a 1M-edge OpenGraph file
// imported back. Each step runs the built CLI as a child process under /usr/bin/time.
// Usage: npm run build && node bench/opengraph.mjs [workdir] [--trials N]
// A measurement, not a test: run it on a quiet machine (the load average is printed with the results).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const trialsAt = args.indexOf('--trials');
const replayTrials = trialsAt >= 0 ? args.splice(trialsAt, 2)[1] : '10';
const work = resolve(args[0] ?? '/tmp/blastlab-opengraph-bench');
mkdirSync(work, { recursive: true });
const bin = resolve(import.meta.dirname, '../dist/cli/main.js');
const estate = join(work, 'e10k.json');

/** Runs `blastlab <args>` under /usr/bin/time; returns wall and CPU seconds and peak RSS. */
function timed(label, cliArgs) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, bin, ...cliArgs], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, user, sys, rssKb] = last.split(' ').map(Number);
  if (r.status !== 0) {
    process.stderr.write(`${label}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  const row = { label, wall_s: wall, cpu_s: Math.round((user + sys) * 100) / 100, peak_rss_mb: Math.round(rssKb / 1024) };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return row;
}

if (!existsSync(estate)) execFileSync(process.execPath, [bin, 'generate', '--agents', '10000', '--out', estate, '--quiet']);
const results = join(work, 'run');
if (!existsSync(join(results, 'run.json'))) {
  // The run the export reads its parameters from (a short one: export replays at most --trials trials).
  execFileSync(process.execPath, [bin, 'run', estate, '--trials', '10', '--out', results, '--quiet']);
}
process.stdout.write(
  `load average before: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}\n`,
);
timed('export 10k estate (no results)', ['export', 'opengraph', estate, '--out', join(work, 'graph.json'), '--quiet']);
timed(`export 10k estate with results (${replayTrials} trials replayed per policy and attack)`, [
  'export',
  'opengraph',
  estate,
  '--results',
  results,
  '--trials',
  replayTrials,
  '--out',
  join(work, 'graph-results.json'),
  '--quiet',
]);
timed('export 10k estate split --max-edges 250000 → zip', [
  'export',
  'opengraph',
  estate,
  '--max-edges',
  '250000',
  '--out',
  join(work, 'graph.zip'),
  '--quiet',
]);
process.stdout.write(
  `graph.json: ${(statSync(join(work, 'graph.json')).size / 1e6).toFixed(0)} MB, graph.zip: ${(statSync(join(work, 'graph.zip')).size / 1e6).toFixed(0)} MB\n`,
);
timed('import 1.09M-edge OpenGraph file (profile blastlab) → JSON scenario', [
  'import',
  'opengraph',
  join(work, 'graph.json'),
  '--profile',
  'blastlab',
  '--out',
  join(work, 'back.json'),
  '--quiet',
]);
timed('import 1.09M-edge OpenGraph file (generic lowering) → JSON scenario', [
  'import',
  'opengraph',
  join(work, 'graph.json'),
  '--profile',
  'generic',
  '--out',
  join(work, 'generic.json'),
  '--quiet',
]);
process.stdout.write(
  `load average after: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}\n`,
);
