// Start-up of `blastlab serve`: time from spawning the CLI to the URL on its stdout, median of N runs.
// Several builds (dist folders, each with its own cli/main.js) are measured interleaved, so a load spike
// on a shared machine hits them alike. Run after `npm run build`:
//   node bench/serve-startup.mjs [runs] [distDir …]      (default: 5 runs of dist)
import { spawn } from 'node:child_process';

const runs = Number(process.argv[2] ?? 5);
const dirs = process.argv.length > 3 ? process.argv.slice(3) : ['dist'];
const times = new Map(dirs.map((d) => [d, []]));

function once(dir) {
  const t0 = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [`${dir}/cli/main.js`, 'serve', 'scenarios/ci-deploy-key.yaml', '--port', '0', '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${dir}: serve exited (${code}) before printing its URL`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('http://')) return;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      child.removeAllListeners('exit');
      child.once('exit', () => resolve(ms));
      child.kill('SIGTERM');
    });
  });
}

for (let i = 0; i < runs; i++) for (const dir of dirs) times.get(dir).push(await once(dir));
for (const [dir, list] of times) {
  const sorted = [...list].sort((a, b) => a - b);
  console.log(
    `${dir}: median ${sorted[Math.floor(runs / 2)].toFixed(0)} ms to URL (runs: ${list.map((t) => t.toFixed(0)).join(', ')} ms)`,
  );
}
