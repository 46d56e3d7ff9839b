// CPU cost of one token over HTTP against in-process minting, in CPU time (robust on a shared, busy
// machine where wall-clock rows swing several-fold). blastlab serve runs in a child process and
// reports its own CPU through /healthz; a keep-alive client sends unbound RFC 8693 exchanges (the
// `serve token exchange (http)` request), 16 in flight. Run after `npm run build`:
//   node bench/serve-cpu.mjs [requests]
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { URLSearchParams } from 'node:url';
import { benchIssuer, benchMintRequest } from '../dist/bench/cases/issuer.js';
import { GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_JWT } from '../dist/serve/broker.js';

if (process.argv[2] === 'server') {
  const { startBenchServer } = await import('../dist/bench/cases/serve-target.js');
  const server = await startBenchServer();
  process.send({ url: server.url, subjectToken: server.subjectToken });
  process.on('SIGINT', () => {
    void server.close().then(() => process.exit(0));
  });
} else {
  const N = Number(process.argv[2] ?? 6000);
  const child = fork(new URL(import.meta.url).pathname, ['server'], {
    execArgv: process.env.SERVE_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.SERVE_CPU_PROF] : [],
  });
  const { url, subjectToken } = await new Promise((resolve) => child.once('message', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const body = new URLSearchParams({
    grant_type: GRANT_TOKEN_EXCHANGE,
    subject_token: subjectToken,
    subject_token_type: TOKEN_TYPE_JWT,
    scope: 'write:prod-db',
  }).toString();
  const call = (method, path, payload) =>
    new Promise((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        { method, agent, headers: payload === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const cpu = async () => {
    const h = JSON.parse(await call('GET', '/healthz'));
    return { us: h.cpu_user_us + h.cpu_system_us, tokens: h.tokens_issued };
  };
  const burst = async (n) => {
    let sent = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < n) {
          sent++;
          await call('POST', '/token', body);
        }
      }),
    );
  };
  await burst(1000); // warm-up: JIT, subject-token cache
  const a = await cpu();
  await burst(N);
  const b = await cpu();
  const serveUs = (b.us - a.us) / (b.tokens - a.tokens);
  const { issuer, jkt } = benchIssuer();
  const mr = benchMintRequest(issuer, jkt);
  for (let i = 0; i < 2000; i++) issuer.mint(mr);
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) issuer.mint(mr);
  const c1 = process.cpuUsage(c0);
  const mintUs = (c1.user + c1.system) / N;
  console.log(`serve token exchange (http): ${serveUs.toFixed(1)} µs server CPU per token (${b.tokens - a.tokens} tokens)`);
  console.log(`mint token (in-process):     ${mintUs.toFixed(1)} µs CPU per token`);
  console.log(`ratio (mint CPU / serve CPU, = ops/s per core ratio): ${(mintUs / serveUs).toFixed(2)}`);
  agent.destroy();
  child.kill('SIGINT');
}
