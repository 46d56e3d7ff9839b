/** `blastlab run [paths…]`: runs scenario files or folders, prints the comparison table, writes the CSVs. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ScenarioError, UsageError } from '../errors.js';
import { createProgress } from '../exec/progress.js';
import { runScenarios, usPerToken } from '../exec/run.js';
import { expandOutPath, type ShardSpec } from '../exec/shard.js';
import { renderTable } from '../report/table.js';
import { loadScenarios } from '../scenario/load.js';
import { defineAction } from './command.js';
import { DEFAULT_MAX_EVENTS } from '../exec/budget.js';
import { addRunFlags, defaultOutName, defaultPaths, intParser, parseList, parseShardFlag, useColor, type CommonFlags } from './options.js';
import { withSigint } from './signals.js';

/** Registers `run` on the program. */
export function registerRun(program: Command): Command {
  const cmd = program
    .command('run')
    .description('run scenario files or folders (default: scenarios/), print the comparison table, write the CSVs')
    .argument('[paths...]', 'scenario files or folders');
  addRunFlags(cmd)
    .option('--policies <a,b>', 'only these policies', parseList)
    .option('--baseline <name>', 'baseline policy of comparison.csv (default: each scenario\'s first)')
    .option('--shard <i/n|auto>', 'run only the i-th of n slices of the trial plan (merge them with `blastlab merge`); auto: from the batch engine (docs/reliability.md)', parseShardFlag)
    .option('--max-events <n>', `work budget: task events per trial (default ${DEFAULT_MAX_EVENTS}; docs/reliability.md)`, intParser(1, Number.MAX_SAFE_INTEGER))
    .option('--real-tokens', 'mint and verify every token the trials issue with the real Ed25519 issuer; report the wall-clock cost per scenario (real-tokens.csv)');
  return defineAction(cmd, async (paths: string[], flags: CommonFlags & { shard?: ShardSpec; realTokens?: boolean; maxEvents?: number }) => {
    const inputs = defaultPaths(paths);
    const { scenarios, issues } = loadScenarios(inputs);
    if (issues.length > 0) throw new ScenarioError(issues);
    if (scenarios.length === 0) throw new UsageError(`no scenario files (*.yaml, *.yml, *.json) in ${inputs.join(', ')}`);
    const out = expandOutPath(flags.out ?? join('results', defaultOutName(inputs, isFolder, scenarios.map((s) => s.name))), flags.shard);
    const quiet = flags.quiet === true;
    const progress = createProgress({ quiet });
    const result = await withSigint((signal) =>
      runScenarios(scenarios, {
        out,
        trials: flags.trials,
        seed: flags.seed,
        policies: flags.policies,
        baseline: flags.baseline,
        workers: flags.workers,
        shard: flags.shard,
        signal,
        onProgress: (p) => progress.update(p),
        realTokens: flags.realTokens === true,
        maxEvents: flags.maxEvents,
      }),
    ).finally(() => progress.stop());
    if (quiet) return;
    const color = useColor(flags);
    process.stdout.write(renderTable(result.summary, { color, baselineByScenario: result.baselines, width: process.stdout.columns ?? 120 }));
    const shard = flags.shard === undefined ? '' : ` (shard ${flags.shard.index}/${flags.shard.count})`;
    process.stdout.write(`\n${result.plan.size} trials${shard} → ${out}/\n`);
    for (const r of result.realTokens) {
      const per = r.minted > 0 ? usPerToken(r).toFixed(1) : '–';
      process.stdout.write(`real tokens: ${r.scenario}: ${r.minted} minted and verified in ${(r.wallMs / 1000).toFixed(2)} s of trial time (${per} µs a token)\n`);
    }
  });
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
