/** The `blastlab` program: every command registered, errors mapped to exit codes. */
import { Command, CommanderError } from 'commander';
import { blastlabVersion } from '../exec/manifest.js';
import { CommandFailure } from './command.js';
import { EXIT, reportError } from './errors.js';
import { registerBench } from './bench.js';
import { registerExport } from './export.js';
import { registerGenerate } from './generate.js';
import { registerImport } from './import.js';
import { registerMerge } from './merge.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerLoad } from './load.js';
import { registerSweep } from './sweep.js';
import { registerTrace } from './trace.js';
import { registerValidate } from './validate.js';

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('blastlab')
    .description(
      'Risk simulation and benchmarking for non-human identities: blast radius under persistent, ephemeral and hybrid credential policies',
    )
    .version(blastlabVersion())
    .exitOverride()
    .showHelpAfterError('usage: blastlab <command> [options]  (blastlab --help lists the commands)');
  registerRun(program);
  registerValidate(program);
  registerSweep(program);
  registerMerge(program);
  registerBench(program);
  registerGenerate(program);
  registerTrace(program);
  registerServe(program);
  registerLoad(program);
  registerImport(program);
  registerExport(program);
  return program;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommandFailure) return reportError(error.error, error.usage);
    // Commander already printed its message (and our usage line); help and --version exit 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(error);
  }
}
