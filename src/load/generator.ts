/**
 * The open-loop generator: requests are scheduled at fixed intended send times (`t0 + i / rate`),
 * whatever happened to earlier ones, and each latency is measured from its *intended* send time to
 * the end of its response. A stalled server therefore shows up as latency (queueing included), not
 * as requests that were silently never sent: no coordinated omission, by construction (the wrk2 /
 * vegeta model). Connections come from a keep-alive pool (`connections` sockets); when all are busy,
 * requests wait in the pool's queue, and that wait is part of their latency.
 *
 * A step runs `warmupMs` at the rate (results discarded), then `durationMs` measured, then waits up
 * to `drainMs` for outstanding responses; any still missing count as failures with the drain
 * deadline as their latency.
 */
import { Agent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

/** One request to send: built per request (DPoP proofs differ every time). */
export interface OutgoingRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Options of one rate step. */
export interface StepOptions {
  readonly url: string;
  readonly ratePerS: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly drainMs: number;
  readonly connections: number;
  /** Per-request timeout (ms). */
  readonly timeoutMs: number;
  readonly build: () => OutgoingRequest;
  /** Called once when the measured window opens (the harness samples the server's counters there). */
  readonly onMeasureStart?: () => void;
  /** Stops scheduling and ends the step at once (what was measured so far is returned). */
  readonly signal?: AbortSignal | undefined;
}

/** What one step measured (measured window only). */
export interface StepResult {
  readonly offeredRate: number;
  /** Latency (ms) of every measured request, success or not, in completion order. */
  readonly latenciesMs: Float64Array;
  /** Per request: 1 = success (2xx/3xx, as vegeta counts it). */
  readonly successes: number;
  readonly count: number;
  /** Status code → count; 0 = transport error or timeout. */
  readonly statusCodes: ReadonlyMap<number, number>;
  /** First and last actual send, last completion (ms, performance clock). */
  readonly firstSendMs: number;
  readonly lastSendMs: number;
  readonly lastDoneMs: number;
  /** How late requests left the generator versus their intended time (ms), p99. */
  readonly sendLagP99Ms: number;
  /** A few error messages (transport errors), for the report. */
  readonly errors: readonly string[];
}

function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/** Runs one rate step. */
export function runStep(options: StepOptions): Promise<StepResult> {
  const url = new URL(options.url);
  const https = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.connections, scheduling: 'fifo' } as const;
  const agent = https ? new HttpsAgent(agentOptions) : new Agent(agentOptions);
  const send = https ? httpsRequest : httpRequest;
  const intervalMs = 1000 / options.ratePerS;
  const warmupCount = Math.floor(options.warmupMs / intervalMs);
  const total = warmupCount + Math.max(1, Math.floor(options.durationMs / intervalMs));
  const latencies = new Float64Array(total - warmupCount);
  const lags = new Float64Array(total - warmupCount);
  const statusCodes = new Map<number, number>();
  const errors: string[] = [];
  let measured = 0;
  let successes = 0;
  let outstanding = 0;
  let firstSendMs = Infinity;
  let lastSendMs = 0;
  let lastDoneMs = 0;
  let next = 0;
  const t0 = performance.now() + 5;

  return new Promise((resolve) => {
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const pending = new Set<() => void>();
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      // Requests still missing at the drain deadline: failures at that latency.
      for (const abort of [...pending]) abort();
      agent.destroy();
      const slice = latencies.subarray(0, measured);
      const lagSorted = Float64Array.from(lags.subarray(0, measured)).sort();
      resolve({
        offeredRate: options.ratePerS,
        latenciesMs: Float64Array.from(slice),
        successes,
        count: total - warmupCount,
        statusCodes,
        firstSendMs,
        lastSendMs,
        lastDoneMs,
        sendLagP99Ms: quantile(lagSorted, 0.99),
        errors,
      });
    };

    const record = (index: number, intendedMs: number, sentMs: number, status: number, error?: string): void => {
      outstanding--;
      const doneMs = performance.now();
      if (index >= warmupCount) {
        latencies[measured] = doneMs - intendedMs;
        lags[measured] = sentMs - intendedMs;
        measured++;
        if (status >= 200 && status < 400) successes++;
        statusCodes.set(status, (statusCodes.get(status) ?? 0) + 1);
        if (doneMs > lastDoneMs) lastDoneMs = doneMs;
        if (error !== undefined && errors.length < 5 && !errors.includes(error)) errors.push(error);
      }
      if (next >= total && outstanding === 0) finish();
    };

    const fire = (index: number, intendedMs: number): void => {
      const sentMs = performance.now();
      if (index >= warmupCount) {
        if (sentMs < firstSendMs) firstSendMs = sentMs;
        lastSendMs = sentMs;
      }
      outstanding++;
      let out: OutgoingRequest;
      try {
        out = options.build();
      } catch (error) {
        record(index, intendedMs, sentMs, 0, `request build: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      let settled = false;
      const settle = (status: number, error?: string): void => {
        if (settled) return;
        settled = true;
        pending.delete(abort);
        record(index, intendedMs, sentMs, status, error);
      };
      const req = send(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...out.headers, 'content-length': String(Buffer.byteLength(out.body)) },
          timeout: options.timeoutMs,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => settle(res.statusCode ?? 0));
          res.on('error', (e) => settle(0, e.message));
        },
      );
      const abort = (): void => {
        req.destroy();
        settle(0, 'no response before the drain deadline');
      };
      pending.add(abort);
      req.on('timeout', () => {
        req.destroy();
        settle(0, `timeout after ${options.timeoutMs} ms`);
      });
      req.on('error', (e) => settle(0, e.message));
      req.end(out.body);
    };

    options.signal?.addEventListener('abort', () => {
      next = total;
      finish();
    });
    const tick = (): void => {
      if (finished) return;
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) {
        if (next === warmupCount) options.onMeasureStart?.();
        fire(next, t0 + next * intervalMs);
        next++;
      }
      if (next < total) {
        const wait = t0 + next * intervalMs - performance.now();
        if (wait > 1) setTimeout(tick, Math.floor(wait));
        else setImmediate(tick);
        return;
      }
      if (outstanding === 0) finish();
      else drainTimer = setTimeout(finish, options.drainMs);
    };
    setTimeout(tick, 5);
  });
}
