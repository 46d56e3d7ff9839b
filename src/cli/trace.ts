/** `blastlab trace <file>`: one trial, step by step, with the reason each step worked or was denied. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { applyOverrides } from '../exec/plan.js';
import { compile } from '../model/compile.js';
import { renderTrace } from '../report/trace.js';
import { didYouMean } from '../scenario/hints.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { TraceEvent } from '../reach/engine.js';
import { runTrialDetailed, trialSeed } from '../sim/trial.js';
import { defineAction } from './command.js';
import { intParser, parseSeed } from './options.js';

/** Registers `trace` on the program. */
export function registerTrace(program: Command): Command {
  const cmd = program
    .command('trace')
    .description('replay one trial step by step: what the attacker did, when, and why it worked or was denied')
    .argument('<file>', 'scenario file')
    .option('--policy <name>', 'policy (default: the first in the file)')
    .option('--attack <name>', 'attack (default: the first in the file)')
    .option('--trial <n>', 'trial index, as in trials.csv', intParser(0, 999_999), 0)
    .option('--seed <s>', 'base seed, overrides the scenario file (as `run --seed`)', parseSeed);
  return defineAction(cmd, (file: string, flags: { policy?: string; attack?: string; trial: number; seed?: number }) => {
    const scenario = applyOverrides(loadScenarioFile(file), { seed: flags.seed });
    const policyIndex = indexOf('policy', flags.policy, scenario.policies.map((p) => p.name));
    const attackIndex = indexOf('attack', flags.attack, scenario.attacks.map((a) => a.name));
    const model = compile(scenario);
    const events: TraceEvent[] = [];
    const { metrics } = runTrialDetailed(model, policyIndex, attackIndex, flags.trial, { trace: (e) => events.push(e) });
    const header = {
      scenario: scenario.name,
      policy: scenario.policies[policyIndex]!.name,
      attack: scenario.attacks[attackIndex]!.name,
      trial: flags.trial,
      seed: trialSeed(model, policyIndex, attackIndex, flags.trial),
    };
    process.stdout.write(renderTrace(model, header, events, metrics));
  });
}

function indexOf(what: string, name: string | undefined, names: readonly string[]): number {
  if (name === undefined) return 0;
  const index = names.indexOf(name);
  if (index >= 0) return index;
  const hint = didYouMean(name, names);
  throw new UsageError(`no ${what} "${name}" in the scenario (${names.join(', ')})${hint === undefined ? '' : `; ${hint}`}`);
}
