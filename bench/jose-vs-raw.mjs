// Reproduces the issuer's build-or-buy decision (issue 4): jose's SignJWT against a raw Ed25519
// signature over a payload of the same size, in one process. Run: node bench/jose-vs-raw.mjs
import { generateKeyPairSync, sign } from 'node:crypto';
import { SignJWT } from 'jose';
import { Bench } from 'tinybench';

const { privateKey } = generateKeyPairSync('ed25519');
const claims = {
  iss: 'blastlab-issuer',
  sub: 'spiffe://estate.example/aws/agent-00042',
  aud: ['prod-db', 'build-logs'],
  scope: 'write:prod-db read:build-logs',
  iat: 1700000000,
  nbf: 1700000000,
  exp: 1700000900,
  jti: 'b1a5-000000000001',
};
const header = { alg: 'EdDSA', typ: 'JWT', kid: 'k1' };
const sample = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
const payload = Buffer.from(sample, 'ascii');

const bench = new Bench({ time: 1500 });
bench
  .add('raw ed25519 sign', () => {
    sign(null, payload, privateKey);
  })
  .add('jose SignJWT', async () => {
    await new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
  });
await bench.run();
const hz = {};
for (const task of bench.tasks) {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
  // ops/s from the mean latency, as bench.csv computes it (tinybench's throughput.mean averages rates).
  hz[task.name] = 1000 / r.latency.mean;
  console.log(task.name.padEnd(20), Math.round(hz[task.name]), 'ops/s', (r.latency.mean * 1000).toFixed(1), 'µs mean');
}
console.log(
  'jose / raw throughput ratio:',
  (hz['jose SignJWT'] / hz['raw ed25519 sign']).toFixed(3),
  '(needs ≥ 0.80 to adopt jose)',
);
