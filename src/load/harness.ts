/**
 * `runLoad`: one open-loop step per offered rate (ascending), optionally ramping on (doubling) past the
 * last listed rate until a rate is no longer sustained, sampling blastlab serve's counters around each
 * measured window. Returns load.csv's rows and the knee.
 */
import { RunInterruptedError } from '../exec/interrupt.js';
import { runStep, type StepResult } from './generator.js';
import type { LoadRow, ServerSample, Slo } from './metrics.js';
import { DEFAULT_SLO, kneeOf, rowOf, sustained } from './metrics.js';
import { opOf, requestBuilder, resolveTarget, sampleServer, type TargetFlags } from './target.js';

/** Options of a load run. */
export interface LoadOptions {
  readonly url: string;
  /** Offered rates (requests/s), run in ascending order. */
  readonly rates: readonly number[];
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly timeoutMs: number;
  /** Keep doubling the rate after the listed ones until one is not sustained (at most `maxRate`). */
  readonly ramp: boolean;
  readonly maxRate: number;
  readonly target: TargetFlags;
  readonly slo?: Slo;
  /** Ctrl-C: stops the current step and the run (RunInterruptedError). */
  readonly signal?: AbortSignal;
  /** Called after each step with its row (progress). */
  readonly onStep?: (row: LoadRow) => void;
}

/** What a load run measured. */
export interface LoadResult {
  readonly url: string;
  readonly tokenUrl: string;
  readonly op: string;
  /** The blastlab serve agent acted as, or null for other servers. */
  readonly agent: string | null;
  readonly blastlab: boolean;
  readonly rows: readonly LoadRow[];
  readonly steps: readonly StepResult[];
  readonly knee: LoadRow | null;
}

const PAUSE_MS = 300;

/** Runs the steps. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { config, blastlab, agent } = await resolveTarget(options.url, options.target);
  const build = requestBuilder(config);
  const origin = new URL(config.tokenUrl).origin;
  const op = opOf(config.grant);
  const slo = options.slo ?? DEFAULT_SLO;
  const rows: LoadRow[] = [];
  const steps: StepResult[] = [];
  const queue = [...new Set(options.rates)].sort((a, b) => a - b);
  for (let i = 0; i < queue.length; i++) {
    const rate = queue[i]!;
    let before: Promise<ServerSample | null> = Promise.resolve(null);
    const step = await runStep({
      url: config.tokenUrl,
      ratePerS: rate,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      drainMs: Math.max(2000, options.timeoutMs),
      connections: options.connections,
      timeoutMs: options.timeoutMs,
      build,
      onMeasureStart: () => {
        if (blastlab) before = sampleServer(origin);
      },
      signal: options.signal,
    });
    if (options.signal?.aborted === true) throw new RunInterruptedError();
    const b = await before;
    const after = blastlab ? await sampleServer(origin) : null;
    const row = rowOf(op, step, b !== null && after !== null ? { before: b, after } : null);
    rows.push(row);
    steps.push(step);
    options.onStep?.(row);
    const last = i === queue.length - 1;
    if (last && options.ramp && sustained(row, slo) && rate * 2 <= options.maxRate) queue.push(rate * 2);
    if (!last || queue.length > i + 1) await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  return { url: options.url, tokenUrl: config.tokenUrl, op, agent, blastlab, rows, steps, knee: kneeOf(rows, slo) };
}
