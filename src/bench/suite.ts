/**
 * The benchmark suite behind `blastlab bench`: every row of issue 4, each beside a raw baseline
 * measured in the same process. Cases of a group run interleaved in rounds (baseline, case, baseline,
 * case …), so a load spike on a shared machine hits a case and its baseline alike; rows report
 * per-operation figures from the pooled samples, and `ratio_to_baseline` = ops_per_s ÷ the
 * baseline's ops_per_s. tinybench results are read only after narrowing on `state === 'completed'`.
 */
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { quantileSorted } from '../lib/stats.js';
import { BENCH_COLUMNS } from '../report/columns.js';
import type { BenchRow } from '../report/columns.js';
import { writeCsv } from '../report/csv.js';
import { costGroup } from './cases/cost.js';
import { engineGroup } from './cases/engine.js';
import { issuerGroup } from './cases/issuer.js';
import { parallelGroup } from './cases/parallel.js';
import { reachGroup } from './cases/reach.js';
import { serveGroup } from './cases/serve.js';
import type { BenchCase, BenchGroup, BenchId, BenchSize } from './types.js';
import { BENCH_BASELINES, BENCH_IDS } from './types.js';

/** Options of a benchmark run. */
export interface BenchOptions {
  /** Also write `<out>/bench.csv` (atomically, through the report module's CSV writer). */
  readonly out?: string;
  /** Small inputs and few samples: a smoke run that produces every row, not a measurement. */
  readonly quick?: boolean;
  /** Only rows whose id (`reach (N edges)`, `mint token` …) matches; their baselines always run too. */
  readonly filter?: RegExp;
  /** The compiled mint worker (default: `mint-worker.js` next to this module, else dist/). */
  readonly mintWorkerUrl?: URL;
  /** The compiled serve worker (default: `serve-worker.js` next to this module, else dist/). */
  readonly serveWorkerUrl?: URL;
  /** Called before each group runs, with the ids it measures (progress for a terminal). */
  readonly onGroup?: (ids: readonly BenchId[]) => void;
}

interface Timing {
  readonly rounds: number;
  readonly roundMs: number;
  readonly warmupMs: number;
}

const FULL: Timing = { rounds: 5, roundMs: 300, warmupMs: 200 };
const QUICK: Timing = { rounds: 1, roundMs: 20, warmupMs: 5 };

type GroupBuilder = (size: BenchSize, options: BenchOptions) => BenchGroup | Promise<BenchGroup>;

/** Which group produces which rows, in run order. */
const GROUPS: readonly { readonly ids: readonly BenchId[]; readonly build: GroupBuilder }[] = [
  {
    ids: ['raw ed25519 sign', 'mint token', 'raw ed25519 verify', 'verify token', 'policy decision'],
    build: () => issuerGroup(),
  },
  {
    ids: ['raw csr bfs (N edges)', 'reach (N edges)', 'graphology bfs (N edges)', 'trial (N edges, persistent)'],
    build: (size) => reachGroup(size),
  },
  { ids: ['raw heap push/pop', 'engine events'], build: (size) => engineGroup(size) },
  { ids: ['raw keyed draws (N occurrences)', 'cost pass (N occurrences)'], build: (size) => costGroup(size) },
  { ids: ['mint token, 2 cores async'], build: (size, o) => parallelGroup(size, o.mintWorkerUrl) },
  { ids: ['serve token exchange (http)'], build: (size, o) => serveGroup(size, o.serveWorkerUrl) },
];

/** The ids a filter selects, closed over their baselines (a ratio needs its baseline row). */
export function selectIds(filter: RegExp | undefined): Set<BenchId> {
  const selected = new Set<BenchId>();
  for (const id of BENCH_IDS) {
    if (filter !== undefined && !filter.test(id)) continue;
    for (let at: BenchId | null = id; at !== null; at = BENCH_BASELINES[at]) selected.add(at);
  }
  return selected;
}

/** Per-call samples (ms) of each case, pooled over interleaved rounds. */
async function measure(
  group: BenchGroup,
  cases: readonly BenchCase[],
  timing: Timing,
  quick: boolean,
): Promise<Map<BenchCase, number[]>> {
  const pooled = new Map<BenchCase, number[]>(cases.map((c) => [c, []]));
  const minCalls = group.minCallsPerRound ?? (quick ? 4 : 32);
  for (let round = 0; round < timing.rounds; round++) {
    const bench = new Bench({
      time: timing.roundMs,
      iterations: minCalls,
      warmup: round === 0,
      warmupTime: timing.warmupMs,
      warmupIterations: Math.min(minCalls, 8),
      retainSamples: true,
      throws: true,
    });
    for (const c of cases) bench.add(c.name, c.fn, c.async === true ? { async: true } : {});
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`bench: ${task.name} ended ${result.state}`);
      const target = pooled.get(cases.find((c) => c.name === task.name)!)!;
      for (const sample of result.latency.samples ?? []) target.push(sample);
    }
  }
  return pooled;
}

function rowOf(c: BenchCase, samplesMs: number[]): Omit<BenchRow, 'baseline' | 'ratio_to_baseline'> {
  const perOpUs = samplesMs.map((ms) => (ms * 1000) / c.opsPerCall).sort((a, b) => a - b);
  const meanUs = perOpUs.reduce((s, v) => s + v, 0) / Math.max(1, perOpUs.length);
  const q = (p: number): number | null => quantileSorted(perOpUs, p);
  return {
    name: c.name,
    ops_per_s: meanUs > 0 ? 1e6 / meanUs : null,
    mean_us: perOpUs.length > 0 ? meanUs : null,
    p50_us: q(0.5),
    p95_us: q(0.95),
    p99_us: q(0.99),
    samples: perOpUs.length,
  };
}

/** Runs the suite (or the rows `filter` selects) and returns bench.csv's rows in catalogue order. */
export async function runBenchmarks(options: BenchOptions = {}): Promise<BenchRow[]> {
  const quick = options.quick === true;
  const timing = quick ? QUICK : FULL;
  const selected = selectIds(options.filter);
  const measured = new Map<BenchId, Omit<BenchRow, 'baseline' | 'ratio_to_baseline'>>();
  for (const spec of GROUPS) {
    const ids = spec.ids.filter((id) => selected.has(id));
    if (ids.length === 0) continue;
    options.onGroup?.(ids);
    const group = await spec.build({ quick }, options);
    try {
      const cases = group.cases.filter((c) => selected.has(c.id));
      const pooled = await measure(group, cases, timing, quick);
      for (const c of cases) measured.set(c.id, rowOf(c, pooled.get(c)!));
    } finally {
      await group.close?.();
    }
  }
  const rows: BenchRow[] = [];
  for (const id of BENCH_IDS) {
    const row = measured.get(id);
    if (row === undefined) continue;
    const baselineId = BENCH_BASELINES[id];
    const base = baselineId === null ? undefined : measured.get(baselineId);
    const ratio = base?.ops_per_s == null || row.ops_per_s === null ? null : row.ops_per_s / base.ops_per_s;
    rows.push({ ...row, baseline: base?.name ?? '', ratio_to_baseline: ratio });
  }
  if (options.out !== undefined) writeCsv(join(options.out, 'bench.csv'), BENCH_COLUMNS, rows);
  return rows;
}

function fmt(value: number | null, digits: number): string {
  if (value === null) return '';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The rows as an aligned terminal table (per-operation figures; ratio against the named baseline). */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'ops/s', 'mean µs', 'p50 µs', 'p95 µs', 'p99 µs', 'samples', '× baseline', 'baseline'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.ops_per_s, 0),
    fmt(r.mean_us, 3),
    fmt(r.p50_us, 3),
    fmt(r.p95_us, 3),
    fmt(r.p99_us, 3),
    String(r.samples),
    r.ratio_to_baseline === null ? '' : `×${r.ratio_to_baseline.toFixed(2)}`,
    r.baseline,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
