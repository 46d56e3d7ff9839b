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
import { addPresetsFlag, intParser, MAX_TRIALS, parseSeed, parseTrials } from './options.js';

/** Registers `trace` on the program. */
export function registerTrace(program: Command): Command {
  const cmd = program
    .command('trace')
    .description('replay one trial step by step: what the attacker did, when, and why it worked or was denied')
    .argument('<file>', 'scenario file')
    .option('--policy <name>', 'policy (default: the first in the file)')
    .option('--attack <name>', 'attack (default: the first in the file)')
    .option('--trial <n>', 'trial index, as in trials.csv (0 … trials − 1)', intParser(0, MAX_TRIALS - 1), 0)
    .option('--trials <n>', 'trials per (policy, attack), overrides the scenario file (as `run --trials`)', parseTrials)
    .option('--seed <s>', 'base seed, overrides the scenario file (as `run --seed`)', parseSeed)
    .option('--quiet', "print only the trial's metrics, not the steps")
    .option('--no-color', 'plain output without colours (the trace has none; accepted like every command)');
  addPresetsFlag(cmd);
  return defineAction(
    cmd,
    (
      file: string,
      flags: {
        policy?: string;
        attack?: string;
        trial: number;
        trials?: number;
        seed?: number;
        quiet?: boolean;
        presets?: string;
      },
    ) => {
      const scenario = applyOverrides(loadScenarioFile(file, { presets: flags.presets }), {
        seed: flags.seed,
        trials: flags.trials,
      });
      if (flags.trial >= scenario.trials) {
        throw new UsageError(
          `--trial ${flags.trial}: the plan runs trials 0 … ${scenario.trials - 1} of scenario "${scenario.name}" (pass --trials to trace a run made with more)`,
        );
      }
      const policyIndex = indexOf(
        'policy',
        flags.policy,
        scenario.policies.map((p) => p.name),
      );
      const attackIndex = indexOf(
        'attack',
        flags.attack,
        scenario.attacks.map((a) => a.name),
      );
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
      process.stdout.write(renderTrace(model, header, events, metrics, { metricsOnly: flags.quiet === true }));
    },
  );
}

function indexOf(what: string, name: string | undefined, names: readonly string[]): number {
  if (name === undefined) return 0;
  const index = names.indexOf(name);
  if (index >= 0) return index;
  const hint = didYouMean(name, names);
  throw new UsageError(`no ${what} "${name}" in the scenario (${names.join(', ')})${hint === undefined ? '' : `; ${hint}`}`);
}
