// #10 goal: `run` of the generated 10k-agent estate, 1,000 trials × 3 policies × 2 attacks, ≤ 10 s wall and
// ≤ 1 GB peak RSS on 2 cores. Usage: npm run build && node bench/run-10k.mjs [trials=1000] [workers=2]
// Generates the estate once into $TMPDIR, then times the CLI run in a child process (GNU time for the
// peak RSS when /usr/bin/time exists). Prints wall seconds, CPU seconds and peak RSS.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const trials = process.argv[2] ?? '1000';
const workers = process.argv[3] ?? '2';
const dir = mkdtempSync(join(tmpdir(), 'blastlab-run10k-'));
try {
  const estate = join(dir, 'estate-10k.json');
  execFileSync(process.execPath, ['dist/cli/main.js', 'generate', '--agents', '10000', '--seed', '1', '--out', estate], {
    stdio: 'ignore',
  });
  const args = [
    'dist/cli/main.js',
    'run',
    estate,
    '--trials',
    trials,
    '--workers',
    workers,
    '--quiet',
    '--out',
    join(dir, 'out'),
  ];
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`run failed (${r.status}): ${r.stderr}`);
  const line = gnuTime ? r.stderr.trim().split('\n').at(-1).split(' ') : null;
  console.log(
    `10k estate, ${trials} trials × 3 policies × 2 attacks, ${workers} workers: ${wall.toFixed(1)} s wall` +
      (line
        ? `, ${(Number(line[1]) + Number(line[2])).toFixed(1)} s CPU, peak RSS ${(Number(line[3]) / 1024).toFixed(0)} MB`
        : ''),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
