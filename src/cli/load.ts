/** `blastlab load <url>` (placeholder until the load harness lands). */
import type { Command } from 'commander';

/** Registers `load` on the program. */
export function registerLoad(program: Command): Command {
  return program.command('load');
}
