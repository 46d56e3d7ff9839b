/** `blastlab validate [paths…]`: checks scenario files and reports every problem of every file (exit 2 on any). */
import type { Command } from 'commander';
import { formatIssue, ScenarioError, UsageError, type ScenarioIssue } from '../errors.js';
import { brokerOf } from '../domain/scenario.js';
import { DEFAULT_MAX_EVENTS, workBudgetIssues } from '../exec/budget.js';
import { realTokenSizes } from '../exec/run.js';
import { compile } from '../model/compile.js';
import { loadScenarios } from '../scenario/load.js';
import { defineAction } from './command.js';
import { addPresetsFlag, builtinNote, defaultPaths, intParser } from './options.js';

/** Registers `validate` on the program. */
export function registerValidate(program: Command): Command {
  const cmd = program
    .command('validate')
    .description('check scenario files (default: scenarios/); report every problem; exit 2 on any')
    .argument('[paths...]', 'scenario files or folders')
    .option('--quiet', 'print only problems')
    .option('--no-color', 'plain output without colours')
    .option(
      '--max-events <n>',
      `work budget: task events per trial (default ${DEFAULT_MAX_EVENTS}; docs/reliability.md)`,
      intParser(1, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--real-tokens',
      'check the real tokens too: note the role scopes carried by reference; refuse (exit 2) a token too long even so (without the flag: a warning)',
    );
  addPresetsFlag(cmd);
  type Flags = { quiet?: boolean; maxEvents?: number; presets?: string; realTokens?: boolean };
  return defineAction(cmd, (paths: string[], flags: Flags) => {
    const inputs = defaultPaths(paths);
    const note = builtinNote(paths, 'validate');
    if (note !== null && flags.quiet !== true) process.stderr.write(`${note}\n`);
    const { scenarios, issues, warnings } = loadScenarios(inputs, { presets: flags.presets });
    for (const warning of warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
    issues.push(...workBudgetIssues(scenarios, flags.maxEvents));
    // Only valid scenarios compile; token sizes are checked once everything else passes.
    const notes: ScenarioIssue[] = [];
    if (issues.length === 0) {
      // Only role-scoped policies mint scopes that can outgrow a token: compile nothing else.
      const roleScoped = scenarios.filter((s) => s.policies.some((p) => brokerOf(p)?.scope === 'role'));
      const sizes = roleScoped.map((s) => realTokenSizes(compile(s)));
      const tooLong = sizes.flatMap((s) => s.issues);
      if (flags.realTokens === true) {
        issues.push(...tooLong);
        notes.push(...sizes.flatMap((s) => s.byReference));
      } else for (const issue of tooLong) process.stderr.write(`warning: ${formatIssue(issue)}\n`);
    }
    if (issues.length > 0) throw new ScenarioError(issues);
    if (scenarios.length === 0) throw new UsageError(`no scenario files (*.yaml, *.yml, *.json) in ${inputs.join(', ')}`);
    if (flags.quiet === true) return;
    for (const s of scenarios) process.stdout.write(`ok ${s.source.file} (${s.name})\n`);
    for (const note of notes) process.stdout.write(`note: ${formatIssue(note)}\n`);
    const where = note === null ? inputs.join(', ') : `blastlab's built-in scenarios`;
    process.stdout.write(`${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} valid in ${where}\n`);
  });
}
