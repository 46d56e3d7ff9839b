/** `blastlab generate --agents N --seed S --out estate.yaml|json`: writes a seeded synthetic enterprise estate. */
import { extname } from 'node:path';
import type { Command } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { estateToDocument } from '../estate/document.js';
import { writeFileAtomic } from '../report/csv.js';
import { defineAction } from './command.js';
import { intParser, parseSeed, parseTrials } from './options.js';

/** Above this many agents YAML output is slow and large: JSON is recommended. */
const YAML_HINT_AGENTS = 1_000;

/** Registers `generate` on the program. */
export function registerGenerate(program: Command): Command {
  const cmd = program
    .command('generate')
    .description('write a seeded synthetic estate (agents, tools, resources, credentials) as a scenario file')
    .requiredOption('--agents <n>', 'number of agents', intParser(1, 1_000_000))
    .option('--seed <s>', 'generator seed (same seed, same estate)', parseSeed, 1)
    .option('--trials <n>', 'trials the scenario asks for', parseTrials)
    .option('--name <name>', 'scenario name (default estate-<agents>-s<seed>)')
    .requiredOption('--out <file>', 'output file: .json (recommended for big estates) or .yaml/.yml')
    .option('--quiet', 'print nothing but errors');
  return defineAction(cmd, (flags: { agents: number; seed: number; trials?: number; name?: string; out: string; quiet?: boolean }) => {
    const format = extname(flags.out).toLowerCase();
    if (format !== '.json' && format !== '.yaml' && format !== '.yml') {
      throw new UsageError(`--out: the file must end in .json, .yaml or .yml (got ${JSON.stringify(flags.out)})`);
    }
    let document: Record<string, unknown>;
    try {
      document = estateToDocument({
        agents: flags.agents,
        seed: flags.seed,
        ...(flags.trials === undefined ? {} : { trials: flags.trials }),
        ...(flags.name === undefined ? {} : { name: flags.name }),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    // Compact JSON: big estates are millions of edges, indentation would double the file.
    const text = format === '.json' ? `${JSON.stringify(document)}\n` : stringifyYaml(document);
    writeFileAtomic(flags.out, text);
    if (flags.quiet === true) return;
    const count = (key: string): number => (Array.isArray(document[key]) ? (document[key] as unknown[]).length : 0);
    process.stdout.write(`${count('nodes')} nodes, ${count('edges')} edges, ${count('workload')} tasks → ${flags.out}\n`);
    if (format !== '.json' && flags.agents > YAML_HINT_AGENTS) process.stderr.write('hint: use a .json file for big estates (faster to write and to load)\n');
  });
}
