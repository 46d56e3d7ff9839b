/** `blastlab generate --agents N --seed S --out estate.yaml|json`: writes a seeded synthetic enterprise estate. */
import { extname } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { estateToDocument } from '../estate/document.js';
import { writeFileAtomic, writeFileExclusive } from '../io/atomic.js';
import { formatLimit } from '../io/read.js';
import { maxBytesFor } from '../scenario/document.js';
import { scenarioInputSchema } from '../scenario/schema.js';
import { defineAction } from './command.js';
import { intParser, parseSeed, parseTrials } from './options.js';

/** Above this many agents YAML output is slow and large: JSON is recommended. */
const YAML_HINT_AGENTS = 1_000;

/**
 * What one generated agent costs (with its tools, resources, credentials, edges and tasks), measured
 * at 500–10,000 agents and rounded up: 10.1 KB of JSON, 11.3 KB of YAML, and 77 KB of memory while the
 * document is built and serialised (768 MB peak RSS at 10,000 agents).
 */
const FILE_BYTES_PER_AGENT = { json: 11 * 1024, yaml: 12 * 1024 } as const;
const HEAP_BYTES_PER_AGENT = 96 * 1024;

/**
 * The most agents `generate` writes into a file of this format: the file must stay under what `run`
 * and `validate` read (256 MB JSON, 20 MB YAML), and building it must fit in 80% of this process's heap.
 */
export function maxAgents(format: 'json' | 'yaml', heapLimitBytes: number = getHeapStatistics().heap_size_limit): number {
  const byFile = Math.floor(maxBytesFor(`x.${format}`) / FILE_BYTES_PER_AGENT[format]);
  const byHeap = Math.floor((heapLimitBytes * 0.8) / HEAP_BYTES_PER_AGENT);
  return Math.max(1, Math.min(byFile, byHeap));
}

/** Registers `generate` on the program. */
export function registerGenerate(program: Command): Command {
  const cmd = program
    .command('generate')
    .description('write a seeded synthetic estate (agents, tools, resources, credentials) as a scenario file')
    .requiredOption(
      '--agents <n>',
      'number of agents (at most what run and validate can load: about 23,000 as .json, 1,700 as .yaml)',
      intParser(1, 1_000_000),
    )
    .option('--seed <s>', 'generator seed (same seed, same estate)', parseSeed, 1)
    .option('--trials <n>', 'trials the scenario asks for', parseTrials)
    .option('--name <name>', 'scenario name (default estate-<agents>-s<seed>)')
    .requiredOption('--out <file>', 'output file: .json (recommended for big estates) or .yaml/.yml')
    .option('--force', 'replace --out if it exists')
    .option('--quiet', 'print nothing but errors');
  return defineAction(
    cmd,
    (flags: { agents: number; seed: number; trials?: number; name?: string; out: string; force?: boolean; quiet?: boolean }) => {
      const ext = extname(flags.out).toLowerCase();
      if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
        throw new UsageError(`--out: the file must end in .json, .yaml or .yml (got ${JSON.stringify(flags.out)})`);
      }
      const format = ext === '.json' ? 'json' : 'yaml';
      // The name must be one the scenario format accepts: the file is for run and validate.
      if (flags.name !== undefined && !scenarioInputSchema.shape.name.safeParse(flags.name).success) {
        throw new UsageError(
          `--name: a scenario name is lowercase letters, digits and . _ - (at most 100, starting with a letter or digit; got ${JSON.stringify(flags.name)})`,
        );
      }
      const limit = maxAgents(format);
      if (flags.agents > limit) {
        const bytes = flags.agents * FILE_BYTES_PER_AGENT[format];
        throw new UsageError(
          `--agents: at most ${limit} agents as .${format} (${flags.agents} would be about ${formatLimit(bytes)}; run and validate read files up to ${formatLimit(maxBytesFor(flags.out))}${format === 'yaml' ? ', use .json for bigger estates' : ''})`,
        );
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
      const text = format === 'json' ? `${JSON.stringify(document)}\n` : stringifyYaml(document);
      if (Buffer.byteLength(text) > maxBytesFor(flags.out)) {
        throw new UsageError(
          `--agents: the estate is ${formatLimit(Buffer.byteLength(text))}, over the ${formatLimit(maxBytesFor(flags.out))} run and validate read; use fewer agents${format === 'yaml' ? ' or .json' : ''}`,
        );
      }
      if (flags.force === true) writeFileAtomic(flags.out, text);
      else {
        try {
          writeFileExclusive(flags.out, text);
        } catch (error) {
          if (error instanceof UsageError)
            throw new UsageError(`--out: ${flags.out} already exists (pass --force to replace it)`);
          throw error;
        }
      }
      if (flags.quiet === true) return;
      const count = (key: string): number => (Array.isArray(document[key]) ? (document[key] as unknown[]).length : 0);
      process.stdout.write(`${count('nodes')} nodes, ${count('edges')} edges, ${count('workload')} tasks → ${flags.out}\n`);
      if (format !== 'json' && flags.agents > YAML_HINT_AGENTS)
        process.stderr.write('hint: use a .json file for big estates (faster to write and to load)\n');
    },
  );
}
