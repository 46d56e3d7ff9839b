/** The CLI loads only the chosen command's module; help, version and typos still see every command. */
import { describe, expect, it } from 'vitest';
import { buildProgram, commandsFor } from '../../src/cli/program.js';

describe('cli/program', () => {
  it('should load only the chosen command when one is named', async () => {
    expect(commandsFor(['serve', 'scenarios/ci-deploy-key.yaml', '--port', '0'])).toEqual(['serve']);
    const program = await buildProgram(['load', 'http://127.0.0.1:1']);
    expect(program.commands.map((c) => c.name())).toEqual(['load']);
  });

  it('should load every command for help, version, no command or an unknown one', () => {
    for (const argv of [[], ['--help'], ['-V'], ['help', 'run'], ['srve', 'x.yaml']])
      expect(commandsFor(argv)).toContain('export');
    expect(commandsFor(['--help'])).toHaveLength(11);
  });
});
