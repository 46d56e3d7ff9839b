/**
 * Worker thread of the `mint token, 2 cores async` case: mints `n` tokens per message with the same
 * issuer setup as the single-thread case and answers with the count.
 */
import { parentPort } from 'node:worker_threads';
import { benchIssuer, benchMintRequest } from './cases/issuer.js';

const { issuer, jkt } = benchIssuer();
const request = benchMintRequest(issuer, jkt);

parentPort?.on('message', (n: number) => {
  let length = 0;
  for (let i = 0; i < n; i++) length += issuer.mint(request).token.length;
  parentPort?.postMessage(length > 0 ? n : 0);
});
