/**
 * `serve token exchange (http)` beside `mint token`: RFC 8693 exchanges over real loopback HTTP/1.1
 * (form parsing, subject-token check, intent decision, mint, JSON answer) against the in-process mint.
 * The server runs in a worker thread (its own core); the client is a minimal keep-alive HTTP/1.1
 * client that writes prebuilt requests, pipelined `DEPTH` deep on `CONNECTIONS` sockets, and counts
 * 200 answers, so the client's own cost stays small beside the server's (as autocannon/wrk do).
 * A call sends CONNECTIONS × DEPTH requests and waits for every answer; rows are per exchange.
 * Quick runs keep the server in this thread (a smoke run, not a measurement).
 */
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_JWT } from '../../serve/broker.js';
import type { BenchGroup, BenchSize } from '../types.js';
import { startBenchServer, type BenchServer } from './serve-target.js';
import { safeWorkerTeardown } from '../../lib/threads.js';

const CONNECTIONS = 4;
const DEPTH = 16;

/** Where the compiled server worker lives (next to this module's folder, else dist/). */
export function defaultServeWorkerUrl(): URL {
  const here = new URL('../serve-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../../dist/bench/serve-worker.js', import.meta.url);
}

async function startInWorker(workerUrl: URL): Promise<BenchServer> {
  if (!existsSync(fileURLToPath(workerUrl)))
    throw new Error(`bench: serve worker not found at ${fileURLToPath(workerUrl)} (run npm run build first)`);
  safeWorkerTeardown();
  const worker = new Worker(workerUrl);
  const hello = await new Promise<{ url: string; subjectToken: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    ...hello,
    close: async () => {
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}

/** One keep-alive connection that sends `count` copies of a prebuilt request and resolves when all are answered 200. */
class PipelinedConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting = 0;
  private done: (() => void) | null = null;
  private failed: ((error: Error) => void) | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly request: Buffer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.failed?.(error));
  }

  static open(port: number, request: Buffer): Promise<PipelinedConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new PipelinedConnection(socket, request)));
      socket.once('error', reject);
    });
  }

  send(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = count;
      this.done = resolve;
      this.failed = reject;
      const batch = Buffer.allocUnsafe(this.request.length * count);
      for (let i = 0; i < count; i++) this.request.copy(batch, i * this.request.length);
      this.socket.write(batch);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      if (!head.startsWith('HTTP/1.1 200')) {
        this.failed?.(
          new Error(`bench: serve answered ${head.split('\r\n')[0]}: ${this.buffer.toString('utf8', end + 4, end + 4 + length)}`),
        );
        return;
      }
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (--this.waiting === 0) this.done?.();
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Starts the server (a worker thread; in this thread for quick runs) and returns the group. */
export async function serveGroup(size: BenchSize, workerUrl: URL = defaultServeWorkerUrl()): Promise<BenchGroup> {
  const server = size.quick ? await startBenchServer() : await startInWorker(workerUrl);
  const url = new URL(server.url);
  const body = new URLSearchParams({
    grant_type: GRANT_TOKEN_EXCHANGE,
    subject_token: server.subjectToken,
    subject_token_type: TOKEN_TYPE_JWT,
    scope: 'write:prod-db',
  }).toString();
  const request = Buffer.from(
    `POST /token HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    'latin1',
  );
  const connections = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => PipelinedConnection.open(Number(url.port), request)),
  );
  const depth = size.quick ? 2 : DEPTH;
  const call = (): Promise<void[]> => Promise.all(connections.map((c) => c.send(depth)));
  // Warm the server (JIT, subject-token cache) before anything is timed; a failure here is loud.
  for (let i = 0; i < (size.quick ? 2 : 50); i++) await call();
  return {
    minCallsPerRound: size.quick ? 2 : 16,
    cases: [
      {
        id: 'serve token exchange (http)',
        name: 'serve token exchange (http)',
        async: true,
        opsPerCall: CONNECTIONS * depth,
        fn: call,
      },
    ],
    close: async () => {
      for (const c of connections) c.close();
      await server.close();
    },
  };
}
