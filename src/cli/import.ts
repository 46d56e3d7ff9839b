/**
 * `blastlab import <source> <inputs…> --out FILE`: writes an ordinary scenario file from a real estate
 * (docs/import.md). Sources are dispatched by name through IMPORTERS; each returns a plain scenario
 * object and a summary of what it mapped and ignored. The output is validated like any scenario file
 * before it is written (whole or not at all); bad input exits 2 naming the input file and path.
 */
import { extname } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { importAwsIam } from '../import/aws-iam.js';
import type { ImportResult } from '../import/builder.js';
import { importGithubActions } from '../import/github-actions.js';
import { readImportMap, type ImportMap } from '../import/input.js';
import { importOpenGraphSource } from '../import/opengraph-source.js';
import { validateScenarioDoc } from '../import/validate.js';
import { toYaml } from '../import/yaml-out.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { dateTimeSchema } from '../scenario/schema-values.js';
import { defineAction } from './command.js';
import { collectGarbage } from './gc.js';
import { intParser, parseTrials } from './options.js';

/** The flags every importer receives (each reads the ones it knows). */
export interface ImportFlags {
  readonly out: string;
  readonly map?: ImportMap;
  readonly attacks: boolean;
  readonly intent: 'all-grants' | 'observed';
  readonly credentialReport?: string;
  readonly repo?: string;
  readonly runsPerDay?: number;
  readonly jobDuration?: string;
  readonly defaultPermissions?: 'permissive' | 'restricted';
  readonly asOf?: string;
  readonly name?: string;
  readonly trials?: number;
  readonly profile?: string;
}

/** One importer: its inputs (as given) and flags → a scenario object and a summary. */
export type Importer = (inputs: readonly string[], flags: ImportFlags) => ImportResult;

const single = (source: string, inputs: readonly string[]): string => {
  if (inputs.length !== 1) throw new UsageError(`import ${source}: expected exactly one input (got ${inputs.length})`);
  return inputs[0]!;
};
const defined = <T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

/** The sources `import` knows, by name (add one line per importer). */
export const IMPORTERS: Record<string, Importer> = {
  'github-actions': (inputs, f) =>
    importGithubActions(
      single('github-actions', inputs),
      defined({
        repo: f.repo,
        runsPerDay: f.runsPerDay,
        jobDuration: f.jobDuration,
        defaultPermissions: f.defaultPermissions,
        map: f.map,
        asOf: f.asOf,
        attacks: f.attacks,
        name: f.name,
        trials: f.trials,
      }),
    ),
  'aws-iam': (inputs, f) =>
    importAwsIam(
      single('aws-iam', inputs),
      defined({
        credentialReport: f.credentialReport,
        intent: f.intent,
        map: f.map,
        asOf: f.asOf,
        attacks: f.attacks,
        name: f.name,
        trials: f.trials,
      }),
    ),
  opengraph: (inputs, f) =>
    importOpenGraphSource(
      inputs,
      defined({ profile: f.profile, intent: f.intent, asOf: f.asOf, attacks: f.attacks, name: f.name, trials: f.trials }),
    ),
};

const choice =
  <T extends string>(values: readonly T[]) =>
  (text: string): T => {
    if (!(values as readonly string[]).includes(text))
      throw new InvalidArgumentError(`expected one of ${values.join(', ')} (got ${JSON.stringify(text)})`);
    return text as T;
  };
const parseAsOf = (text: string): string => {
  if (!dateTimeSchema.safeParse(text).success)
    throw new InvalidArgumentError(`expected an ISO 8601 date-time like 2026-12-01T00:00:00Z (got ${JSON.stringify(text)})`);
  return text;
};
const parseDurationFlag = (text: string): string => {
  if (!/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text))
    throw new InvalidArgumentError(`expected a duration like 10m (got ${JSON.stringify(text)})`);
  return text;
};

/** Registers `import` on the program. */
export function registerImport(program: Command): Command {
  const cmd = program
    .command('import')
    .description(`write a scenario file from a real estate (sources: ${Object.keys(IMPORTERS).join(', ')})`)
    .argument('<source>', `what to read: ${Object.keys(IMPORTERS).join(' | ')}`)
    .argument('<inputs...>', 'github-actions: a repository folder; aws-iam: the get-account-authorization-details JSON')
    .requiredOption('--out <file>', 'scenario file to write: .yaml/.yml, or .json for big estates')
    .option('--map <file>', 'YAML/JSON mapping: secret targets and facts, IAM action classes (docs/import.md)')
    .option(
      '--attacks <mode>',
      'auto: write deterministic attacks; none: a single placeholder',
      choice(['auto', 'none'] as const),
      'auto',
    )
    .option(
      '--intent <mode>',
      'aws-iam: declared intent where the source has no workload',
      choice(['all-grants', 'observed'] as const),
      'all-grants',
    )
    .option('--credential-report <file>', 'aws-iam: the IAM credential report CSV (access key ages and last use)')
    .option('--repo <owner/name>', 'github-actions: repository name for resource ids (default: the folder name)')
    .option('--runs-per-day <n>', 'github-actions: runs per day of push/pull-request workflows', intParser(1, 10_000), 4)
    .option('--job-duration <d>', 'github-actions: how long one job runs', parseDurationFlag, '10m')
    .option(
      '--default-permissions <mode>',
      'github-actions: GITHUB_TOKEN defaults when a workflow sets none',
      choice(['permissive', 'restricted'] as const),
      'permissive',
    )
    .option(
      '--profile <name|file>',
      'opengraph: kind mapping, a shipped profile (generic, github, blastlab) or a YAML file (docs/opengraph.md)',
    )
    .option('--as-of <iso>', 'the instant simulated time 0 stands for (default: the newest timestamp in the inputs)', parseAsOf)
    .option('--name <name>', 'scenario name')
    .option('--trials <n>', 'trials the scenario asks for (default 100)', parseTrials)
    .option('--quiet', 'print nothing but errors');
  return defineAction(cmd, (source: string, inputs: string[], opts: Record<string, unknown>) => {
    const importer = Object.hasOwn(IMPORTERS, source) ? IMPORTERS[source] : undefined;
    if (importer === undefined)
      throw new UsageError(
        `import: unknown source ${JSON.stringify(source)} (expected one of ${Object.keys(IMPORTERS).join(', ')})`,
      );
    const out = String(opts['out']);
    const format = extname(out).toLowerCase();
    if (format !== '.json' && format !== '.yaml' && format !== '.yml')
      throw new UsageError(`--out: the file must end in .json, .yaml or .yml (got ${JSON.stringify(out)})`);
    const flags: ImportFlags = {
      out,
      attacks: opts['attacks'] !== 'none',
      intent: opts['intent'] as ImportFlags['intent'],
      ...defined({
        map: typeof opts['map'] === 'string' ? readImportMap(opts['map']) : undefined,
        credentialReport: opts['credentialReport'] as string | undefined,
        repo: opts['repo'] as string | undefined,
        runsPerDay: opts['runsPerDay'] as number | undefined,
        jobDuration: opts['jobDuration'] as string | undefined,
        defaultPermissions: opts['defaultPermissions'] as ImportFlags['defaultPermissions'],
        asOf: opts['asOf'] as string | undefined,
        name: opts['name'] as string | undefined,
        trials: opts['trials'] as number | undefined,
        profile: opts['profile'] as string | undefined,
      }),
    };
    const { scenario, summary } = importer(inputs, flags);
    // The parsed inputs, then the validated copy, are garbage: collected before the next step adds its
    // own (peak RSS of a 1M-edge import; src/cli/gc.ts).
    collectGarbage();
    // The file must load like any scenario: check before anything is written.
    validateScenarioDoc(scenario, out);
    collectGarbage();
    if (format === '.json') writeJsonAtomic(out, scenario);
    else
      writeFileAtomic(
        out,
        `# Written by blastlab import ${source} (docs/import.md): edit freely, then blastlab validate.\n${toYaml(scenario)}`,
      );
    if (opts['quiet'] === true) return;
    const lines = [`import ${source}: ${inputs.join(' ')}`];
    for (const [what, n] of Object.entries(summary.mapped).sort()) lines.push(`  mapped   ${String(n).padStart(6)}  ${what}`);
    for (const [what, n] of Object.entries(summary.ignored).sort()) lines.push(`  ignored  ${String(n).padStart(6)}  ${what}`);
    for (const note of summary.notes) lines.push(`  note: ${note}`);
    const s = scenario;
    lines.push(
      `${s.nodes.length} nodes, ${(s.edges ?? []).length} edges, ${(s.workload ?? []).length} tasks, ${s.attacks.length} attacks, policies ${Object.keys(s.policies).join(', ')} → ${out}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
