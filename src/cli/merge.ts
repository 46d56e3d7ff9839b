/** `blastlab merge <dirs…> --out DIR`: joins shard outputs into the unsharded result. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { mergeRuns } from '../exec/merge.js';
import { renderTable } from '../report/table.js';
import { defineAction } from './command.js';
import { CSV_BOM_HELP, useColor } from './options.js';

/** Registers `merge` on the program. */
export function registerMerge(program: Command): Command {
  const cmd = program
    .command('merge')
    .description('merge the output folders of shards 0 … n−1 (run --shard i/n) into one result set')
    .argument('<dirs...>', 'shard output folders')
    .option('--out <dir>', 'output folder of the merged result', 'results/merged')
    .option('--baseline <name>', 'baseline policy of comparison.csv (default: the one the shards used)')
    .option('--quiet', 'no table: only errors')
    .option('--no-color', 'plain output without colours')
    .option('--csv-bom', CSV_BOM_HELP);
  return defineAction(
    cmd,
    async (dirs: string[], flags: { out: string; baseline?: string; quiet?: boolean; color?: boolean; csvBom?: boolean }) => {
      // A folder that is not there is a usage mistake (exit 2), not a failed merge.
      const missing = dirs.filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true);
      if (missing.length > 0)
        throw new UsageError(`merge: not a folder: ${missing.join(', ')} (give the output folders of the shards)`);
      const result = await mergeRuns(dirs, { out: flags.out, baseline: flags.baseline, csvBom: flags.csvBom === true });
      if (flags.quiet === true) return;
      const color = useColor(flags);
      process.stdout.write(
        renderTable(result.summary, { color, baselineByScenario: result.baselines, width: process.stdout.columns ?? 120 }),
      );
      process.stdout.write(
        `\nmerged ${dirs.length} shard${dirs.length === 1 ? '' : 's'}, ${result.plan.size} trials → ${flags.out}/\n`,
      );
    },
  );
}
