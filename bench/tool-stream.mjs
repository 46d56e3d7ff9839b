// #10 S9 covered streams: a tool that many agents call every hour, with 1-hour role-scoped tokens and
// no re-evaluation, taken over by the attacker (a standing key gives admin on it). Every agent's token
// copy lands at the tool; the tool's own capability to mint covers them all, so they should cost the
// attacker nothing. Usage: npm run build && node bench/tool-stream.mjs [agents=300] [trials=100] [cli=dist/cli/main.js]
// (pass another build's dist/cli/main.js as `cli` to compare). Writes the scenario into $TMPDIR and
// times one single-worker `run` of it in a child process (time-cli.mjs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTiming, timeCli } from './time-cli.mjs';

const agents = Number(process.argv[2] ?? 300);
const trials = process.argv[3] ?? '100';
const cli = process.argv[4] ?? 'dist/cli/main.js';
const ids = Array.from({ length: agents }, (_, i) => `a${i}`);
const yaml = [
  'name: tool-stream',
  'seed: 1',
  'horizon: 30d',
  'nodes:',
  '  - { id: x, kind: agent }',
  '  - { id: tl, kind: tool }',
  '  - { id: db, kind: resource, records: 10 }',
  '  - { id: token, kind: credential }',
  '  - { id: key, kind: credential, ephemeralCapable: false }',
  ...ids.map((id) => `  - { id: ${id}, kind: agent }`),
  'edges:',
  '  - { from: x, to: key, kind: holds }',
  '  - { from: key, to: tl, kind: grants, actions: [admin] }',
  '  - { from: tl, to: token, kind: holds }',
  '  - { from: token, to: db, kind: grants, actions: [read] }',
  ...ids.flatMap((id) => [`  - { from: ${id}, to: token, kind: holds }`, `  - { from: ${id}, to: tl, kind: invokes }`]),
  'workload:',
  ...ids.map(
    (id, i) => `  - { agent: ${id}, every: 1h, at: ${i}s, duration: 1m, steps: [{ target: db, action: read, via: tl }] }`,
  ),
  'attacks:',
  '  - { name: takeover, pattern: lateral-movement, entry: x, at: 1h }',
  'policies:',
  '  role-1h:',
  '    kind: ephemeral',
  '    ttl: 1h',
  '    scope: role',
  '    revokeOn: []',
  '    reevaluate: none',
  '    bindToWorkload: false',
  '    detection: { probability: 1, delay: { fixed: 20d } }',
  '',
].join('\n');
const dir = mkdtempSync(join(tmpdir(), 'blastlab-tool-stream-'));
try {
  const file = join(dir, 'tool-stream.yaml');
  writeFileSync(file, yaml);
  const timing = timeCli([cli, 'run', file, '--trials', trials, '--workers', '1', '--quiet', '--out', join(dir, 'out')]);
  console.log(`tool called by ${agents} agents hourly, ${trials} trials, 1 worker: ${formatTiming(timing)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
