/** `blastlab bench [--out DIR] [--quick]`: issuance, verification, simulation and traversal benchmarks, each beside a raw baseline. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { OutputError } from '../errors.js';
import { BENCH_COLUMNS, type BenchRow } from '../report/columns.js';
import { writeCsv } from '../report/csv.js';
import { openStaging } from '../io/staging.js';
import { defineAction } from './command.js';

/** The benchmark module's entry point as this command uses it. */
type RunBenchmarks = (options: { readonly quick: boolean }) => Promise<readonly BenchRow[]>;

/** Loads the benchmark suite on demand (tinybench, the issuer and a big estate are only needed here). */
async function loadBenchmarks(): Promise<RunBenchmarks> {
  // Specifier in a variable: the bench module lands separately; a missing one is reported, not a crash.
  const specifier: string = '../bench/index.js';
  const mod = (await import(specifier).catch(() => ({}))) as { runBenchmarks?: unknown };
  if (typeof mod.runBenchmarks !== 'function')
    throw new OutputError('bench: the benchmark suite is not built (src/bench/index.ts)');
  return mod.runBenchmarks as RunBenchmarks;
}

/** Registers `bench` on the program. */
export function registerBench(program: Command): Command {
  const cmd = program
    .command('bench')
    .description('run the benchmarks (tinybench) with raw baselines in the same run; write bench.csv')
    .option('--out <dir>', 'output folder', 'results/bench')
    .option('--quick', 'fewer samples and smaller inputs (a smoke run, not a measurement)')
    .option('--quiet', 'print nothing but errors');
  return defineAction(cmd, async (flags: { out: string; quick?: boolean; quiet?: boolean }) => {
    const runBenchmarks = await loadBenchmarks();
    const rows = await runBenchmarks({ quick: flags.quick === true });
    const staging = openStaging(flags.out);
    try {
      writeCsv(join(staging.dir, 'bench.csv'), BENCH_COLUMNS, rows);
      staging.land();
    } finally {
      staging.discard();
    }
    if (flags.quiet === true) return;
    if (flags.quick === true)
      process.stdout.write('smoke run (--quick): fewer samples and smaller inputs; the numbers are not a measurement\n\n');
    const width = Math.max(...rows.map((r) => r.name.length), 4);
    for (const r of rows) {
      const ops = r.ops_per_s === null ? '—' : Math.round(r.ops_per_s).toLocaleString('en-US');
      const ratio = r.ratio_to_baseline === null ? '' : `  ×${formatRatio(r.ratio_to_baseline)} vs ${r.baseline}`;
      process.stdout.write(`${r.name.padEnd(width)}  ${ops.padStart(14)} ops/s${ratio}\n`);
    }
    process.stdout.write(
      `\n${rows.length} benchmarks${flags.quick === true ? ' (smoke run)' : ''} → ${join(flags.out, 'bench.csv')}\n`,
    );
  });
}

/** A ratio with three significant digits (`0.00482`, `1.25`, `312`): never `0.00` for a real ratio. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  if (ratio === 0) return '0';
  if (Math.abs(ratio) >= 1000) return Math.round(ratio).toString();
  return Number(ratio.toPrecision(3)).toString();
}
