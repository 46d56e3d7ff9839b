/**
 * The HTTP face of the broker (node:http, no framework: six routes, form bodies and JSON answers do
 * not need one, and every microsecond of framework is measured by `blastlab load`).
 *
 * Routes: `POST /token`, `POST /revoke`, `POST /introspect`, `POST /task/end`, `GET /.well-known/jwks.json`,
 * `GET /.well-known/oauth-authorization-server`, `GET /healthz`, and on loopback binds only
 * `GET /.well-known/blastlab-credentials` (the agents' secrets, for `blastlab load` and tests).
 * Hostile input never reaches the broker unchecked: bodies are capped (413), content types checked,
 * forms parsed strictly; every refusal is an RFC 6749 §5.2 JSON error and no request can crash the
 * process (unexpected errors become a 500 `server_error` and are counted).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Broker } from './broker.js';
import { parseForm } from './form.js';
import { OAuthError } from './oauth-error.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 64 * 1024;
const REPEATABLE = new Set(['audience', 'resource']);
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** A running server. */
export interface RunningServer {
  readonly server: Server;
  /** `http://host:port` as clients should use it. */
  readonly url: string;
  /** Requests that ended in an unexpected error (500). */
  readonly internalErrors: () => number;
  close(): Promise<void>;
}

/** Whether `host` is a loopback address (the credentials route is served only there). */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: OAuthError): void {
  const headers: Record<string, string> = { ...NO_STORE };
  if (error.code === 'invalid_client') headers['WWW-Authenticate'] = 'Basic realm="blastlab"';
  if (error.code === 'invalid_dpop_proof') headers['WWW-Authenticate'] = `DPoP error="invalid_dpop_proof", algs="EdDSA ES256"`;
  send(res, error.status, error.body(), headers);
}

/** Reads a form body: checks type and size; resolves with the text. Throws OAuthError. */
function readBody(req: IncomingMessage): Promise<string> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return Promise.reject(new OAuthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded'));
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES)
    return Promise.reject(new OAuthError('invalid_request', `body larger than ${MAX_BODY_BYTES} bytes`, 413));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new OAuthError('invalid_request', `body larger than ${MAX_BODY_BYTES} bytes`, 413));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('latin1')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `more than one ${name} header`);
  return value;
}

/** Starts the server for `broker` on `host:port` (`port` 0 = a free port); `urlFor` gives the broker its issuer URL once bound. */
export async function startServer(
  makeBroker: (url: string) => Broker | Promise<Broker>,
  options: { readonly host: string; readonly port: number; readonly onInternalError?: (error: unknown) => void },
): Promise<RunningServer & { readonly broker: Broker }> {
  let broker: Broker | undefined;
  let internal = 0;
  const loopback = isLoopback(options.host);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const b = broker!;
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const route = ROUTES.get(path);
    if (route === undefined || (route === 'credentials' && !loopback)) {
      send(res, 404, { error: 'not_found', error_description: `no route ${path}` });
      return;
    }
    const wanted = route === 'token' || route === 'revoke' || route === 'introspect' || route === 'task-end' ? 'POST' : 'GET';
    if (method !== wanted) {
      send(res, 405, { error: 'invalid_request', error_description: `${path} takes ${wanted}` }, { Allow: wanted });
      return;
    }
    try {
      switch (route) {
        case 'healthz':
          return send(res, 200, b.health(), NO_STORE);
        case 'jwks':
          return send(res, 200, b.jwks(), { 'Cache-Control': 'max-age=60' });
        case 'metadata':
          return send(res, 200, b.metadata());
        case 'credentials':
          return send(res, 200, b.demoCredentials(), NO_STORE);
        case 'token': {
          const params = parseForm(await readBody(req), REPEATABLE);
          return send(
            res,
            200,
            b.token(params, { authorization: header(req, 'authorization'), dpop: header(req, 'dpop') }),
            NO_STORE,
          );
        }
        case 'revoke': {
          const params = parseForm(await readBody(req), REPEATABLE);
          await b.revoke(params, { authorization: header(req, 'authorization') });
          res.writeHead(200, { 'Content-Length': 0, ...NO_STORE });
          res.end();
          return;
        }
        case 'task-end': {
          const params = parseForm(await readBody(req), REPEATABLE);
          return send(res, 200, await b.endTask(params, { authorization: header(req, 'authorization') }), NO_STORE);
        }
        case 'introspect': {
          const params = parseForm(await readBody(req), REPEATABLE);
          return send(res, 200, b.introspect(params, { authorization: header(req, 'authorization') }), NO_STORE);
        }
      }
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof OAuthError) {
        // A refused oversized body is not drained: close the connection once the answer is out.
        if (error.status === 413) res.setHeader('Connection', 'close');
        sendError(res, error);
        if (error.status === 413) res.on('finish', () => req.destroy());
        return;
      }
      internal++;
      options.onInternalError?.(error);
      send(res, 500, { error: 'server_error', error_description: 'internal error' }, { Connection: 'close' });
    }
  }

  const server = createServer({ requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 10_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      internal++;
      options.onInternalError?.(error);
      res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  try {
    broker = await makeBroker(url);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    server,
    url,
    broker,
    internalErrors: () => internal,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Route = 'token' | 'revoke' | 'introspect' | 'task-end' | 'jwks' | 'metadata' | 'healthz' | 'credentials';

// A Map, not an object literal: a path such as `/__proto__` must not find a prototype member.
const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/token', 'token'],
  ['/revoke', 'revoke'],
  ['/introspect', 'introspect'],
  ['/task/end', 'task-end'],
  ['/.well-known/jwks.json', 'jwks'],
  ['/.well-known/oauth-authorization-server', 'metadata'],
  ['/healthz', 'healthz'],
  ['/.well-known/blastlab-credentials', 'credentials'],
]);
