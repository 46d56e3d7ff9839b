/**
 * `mint token, 2 cores async` beside `mint token`: two worker threads mint batches in parallel while
 * the main thread awaits both; the ratio is the speed-up of issuance across cores.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BenchGroup, BenchSize } from '../types.js';
import { safeWorkerTeardown } from '../../lib/threads.js';

const WORKERS = 2;

/** Where the compiled worker lives: next to this module's folder, or (running from sources) in dist/. */
export function defaultMintWorkerUrl(): URL {
  const here = new URL('../mint-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../../dist/bench/mint-worker.js', import.meta.url);
}

function ask(worker: Worker, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (count: number): void => {
      worker.off('error', reject);
      resolve(count);
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(n);
  });
}

/** Starts the workers and returns the parallel group (close() terminates them). */
export async function parallelGroup(size: BenchSize, workerUrl: URL = defaultMintWorkerUrl()): Promise<BenchGroup> {
  if (!existsSync(fileURLToPath(workerUrl))) {
    throw new Error(`bench: mint worker not found at ${fileURLToPath(workerUrl)} (run npm run build first)`);
  }
  const batch = size.quick ? 8 : 64;
  safeWorkerTeardown();
  const workers = Array.from({ length: WORKERS }, () => new Worker(workerUrl));
  // Warm both workers (module load, key import) before anything is timed.
  await Promise.all(workers.map((w) => ask(w, batch)));
  return {
    minCallsPerRound: size.quick ? 2 : 16,
    cases: [
      {
        id: 'mint token, 2 cores async',
        name: `mint token, ${WORKERS} cores async`,

        async: true,
        opsPerCall: batch * WORKERS,
        fn: () => Promise.all(workers.map((w) => ask(w, batch))),
      },
    ],
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
