/** `blastlab sweep <file> --policy P --param ttl --values 1m,15m,1h,1d`: one policy parameter over a range. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { createProgress } from '../exec/progress.js';
import { splitValues, runSweep } from '../exec/sweep.js';
import { humanCount, humanPercent } from '../report/human.js';
import { defineAction } from './command.js';
import { addPresetsFlag, addRunFlags, CSV_BOM_HELP, type CommonFlags } from './options.js';
import { withSigint } from './signals.js';

/** Registers `sweep` on the program. */
export function registerSweep(program: Command): Command {
  const cmd = program
    .command('sweep')
    .description(
      'run one policy with one parameter over a range of values (same trial seeds for every value): the risk/cost curve',
    )
    .argument('<file>', 'scenario file')
    .requiredOption('--policy <name>', 'the policy to vary (required)')
    .requiredOption(
      '--param <path>',
      'policy parameter (required): ttl, rotation, scope, reevaluate, bindToWorkload, revokeOn, detection.probability, issuer.availability, exceptions.0.rotation, …',
    )
    .requiredOption('--values <list>', 'comma-separated values, written as in a scenario file (required; e.g. 1m,15m,1h,1d)');
  addPresetsFlag(addRunFlags(cmd, 'results/sweep-<policy>-<param>')).option('--csv-bom', CSV_BOM_HELP);
  return defineAction(cmd, async (file: string, flags: CommonFlags & { policy: string; param: string; values: string }) => {
    const values = splitValues(flags.values);
    const out = flags.out ?? join('results', `sweep-${flags.policy}-${flags.param}`);
    const quiet = flags.quiet === true;
    const progress = createProgress({ quiet });
    const result = await withSigint((signal) =>
      runSweep(file, {
        policy: flags.policy,
        param: flags.param,
        values,
        out,
        trials: flags.trials,
        seed: flags.seed,
        workers: flags.workers,
        presets: flags.presets,
        csvBom: flags.csvBom === true,
        signal,
        onProgress: (p) => progress.update(p),
      }),
    ).finally(() => progress.stop());
    if (quiet) return;
    // A compact curve on the terminal: attack success and blast radius per value and attack.
    const lines = [`${result.scenario.name}: ${flags.policy}.${flags.param}`];
    for (const value of values) {
      const rows = result.rows.filter((r) => r.value === value);
      const attacks = [...new Set(rows.map((r) => r.attack))];
      const cells = attacks.map((a) => {
        const success = rows.find((r) => r.attack === a && r.metric === 'attack_success')?.mean ?? null;
        const blast = rows.find((r) => r.attack === a && r.metric === 'blast_radius')?.mean ?? null;
        return `${a} success ${humanPercent(success)} blast ${humanCount(blast)}`;
      });
      const tokens = rows.find((r) => r.metric === 'tokens_issued')?.mean ?? null;
      lines.push(`  ${value.padEnd(12)} ${cells.join(' | ')} | tokens ${humanCount(tokens)}`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n${result.rows.length} rows → ${out}/sweep.csv\n`);
  });
}
