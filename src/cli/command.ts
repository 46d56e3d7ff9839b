/** Glue between commander and our error reporting: actions that fail carry their command's usage line. */
import type { Command } from 'commander';

/** An action's error together with the usage line of the command that failed. */
export class CommandFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly usage: string,
  ) {
    super('command failed', { cause: error });
    this.name = 'CommandFailure';
  }
}

/** `usage: blastlab <command> <arguments>`. */
export function usageLine(cmd: Command): string {
  const parent = cmd.parent === null ? '' : `${cmd.parent.name()} `;
  return `usage: ${parent}${cmd.name()} ${cmd.usage()}`;
}

/** Sets the command's action; errors are rethrown as CommandFailure, and parse errors print the usage line. */
export function defineAction<A extends unknown[]>(cmd: Command, fn: (...args: A) => Promise<void> | void): Command {
  cmd.showHelpAfterError(usageLine(cmd));
  return cmd.action(async (...args: unknown[]) => {
    try {
      await fn(...(args as A));
    } catch (error) {
      throw new CommandFailure(error, usageLine(cmd));
    }
  });
}
