/**
 * Worker thread of `serve token exchange (http)`: runs blastlab serve on its own core and answers
 * `{url, subjectToken}`; a `close` message stops the server.
 */
import { parentPort } from 'node:worker_threads';
import { startBenchServer } from './cases/serve-target.js';

const server = await startBenchServer();
parentPort?.postMessage({ url: server.url, subjectToken: server.subjectToken });
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') void server.close().then(() => parentPort?.postMessage('closed'));
});
