// Times one CLI run in a child process for the bench scripts (run-10k.mjs, run-default.mjs): wall
// seconds, and with GNU time (when /usr/bin/time exists) CPU seconds and peak RSS.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const GNU_TIME = existsSync('/usr/bin/time');

/** Runs `node <args>`; throws when it fails. Returns `{ wall, cpu, rssMb }` (cpu and rssMb null without GNU time). */
export function timeCli(args) {
  const t0 = process.hrtime.bigint();
  const r = GNU_TIME
    ? spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`run failed (${r.status}): ${r.stderr}`);
  if (!GNU_TIME) return { wall, cpu: null, rssMb: null };
  const line = r.stderr.trim().split('\n').at(-1).split(' ');
  return { wall, cpu: Number(line[1]) + Number(line[2]), rssMb: Number(line[3]) / 1024 };
}

/** `12.3 s wall, 20.1 s CPU, peak RSS 600 MB` (the last two when known). */
export function formatTiming({ wall, cpu, rssMb }) {
  return `${wall.toFixed(1)} s wall` + (cpu === null ? '' : `, ${cpu.toFixed(1)} s CPU, peak RSS ${rssMb.toFixed(0)} MB`);
}
