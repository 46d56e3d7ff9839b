/** Every command and every flag of the CLI is documented in docs/ (the reference), so the two cannot drift. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

const DOCS = join(import.meta.dirname, '../../docs');
const docs = readdirSync(DOCS)
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(DOCS, f), 'utf8'))
  .join('\n');

describe('cli/docs', async () => {
  const program = await buildProgram();

  it('should document every command in docs/', () => {
    const missing = program.commands.map((c) => c.name()).filter((name) => !docs.includes(`blastlab ${name}`));
    expect(missing).toEqual([]);
  });

  it('should document every flag of every command in docs/', () => {
    const missing: string[] = [];
    for (const cmd of program.commands) {
      for (const option of cmd.options) {
        const flag = option.long ?? option.short;
        if (flag === undefined || flag === '--help') continue;
        if (!docs.includes(`\`${flag}`) && !docs.includes(`${flag} `) && !docs.includes(`${flag},`))
          missing.push(`${cmd.name()} ${flag}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
