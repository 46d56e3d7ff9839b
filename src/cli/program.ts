/**
 * The `blastlab` program: commands registered, errors mapped to exit codes.
 *
 * Each command's module is imported only when that command is chosen (the first argument that is not
 * a flag), so `blastlab serve` does not load the simulator, the importers or the exporters: start-up
 * time is module loading (docs/serve-load.md has the numbers). Help, `--version`, an unknown command or
 * no command at all load every command, so commander lists them and suggests the nearest name.
 */
import { Command, CommanderError } from 'commander';
import { blastlabVersion } from '../exec/manifest.js';
import { CommandFailure } from './command.js';
import { EXIT, reportError } from './errors.js';

type Register = (program: Command) => Command;

/** Command name → its module's register function, in the order `--help` lists them. */
const COMMANDS: ReadonlyMap<string, () => Promise<Register>> = new Map<string, () => Promise<Register>>([
  ['run', async () => (await import('./run.js')).registerRun],
  ['validate', async () => (await import('./validate.js')).registerValidate],
  ['sweep', async () => (await import('./sweep.js')).registerSweep],
  ['merge', async () => (await import('./merge.js')).registerMerge],
  ['bench', async () => (await import('./bench.js')).registerBench],
  ['generate', async () => (await import('./generate.js')).registerGenerate],
  ['trace', async () => (await import('./trace.js')).registerTrace],
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['load', async () => (await import('./load.js')).registerLoad],
  ['import', async () => (await import('./import.js')).registerImport],
  ['export', async () => (await import('./export.js')).registerExport],
]);

/** The commands `argv` needs: the chosen one, or all of them when none is chosen (help, version, typos). */
export function commandsFor(argv: readonly string[] | undefined): string[] {
  const chosen = argv?.find((a) => !a.startsWith('-'));
  return chosen !== undefined && COMMANDS.has(chosen) ? [chosen] : [...COMMANDS.keys()];
}

/** Builds the program with the commands `argv` needs registered (every command when `argv` is omitted). */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('blastlab')
    .description(
      'Risk simulation and benchmarking for non-human identities: blast radius under persistent, ephemeral and hybrid credential policies',
    )
    .version(blastlabVersion())
    .exitOverride()
    .showHelpAfterError('usage: blastlab <command> [options]  (blastlab --help lists the commands)');
  const names = commandsFor(argv);
  const registers = await Promise.all(names.map((name) => COMMANDS.get(name)!()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommandFailure) return reportError(error.error, error.usage);
    // Commander already printed its message (and our usage line); help and --version exit 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(error);
  }
}
