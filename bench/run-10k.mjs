// #10 goal: `run` of the generated 10k-agent estate, 1,000 trials × 3 policies × 2 attacks, ≤ 10 s wall and
// ≤ 1 GB peak RSS on 2 cores. Usage: npm run build && node bench/run-10k.mjs [trials=1000] [workers=2]
// Generates the estate once into $TMPDIR, then times the CLI run in a child process (time-cli.mjs).
// Prints wall seconds, CPU seconds and peak RSS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTiming, timeCli } from './time-cli.mjs';

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
  console.log(`10k estate, ${trials} trials × 3 policies × 2 attacks, ${workers} workers: ${formatTiming(timeCli(args))}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
