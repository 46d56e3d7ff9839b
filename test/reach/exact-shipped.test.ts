/**
 * docs/semantics-engine.md S9, S10: the engine's shortcuts change how much work a trial does, never
 * what it finds — on the shipped scenarios too, where the random-estate properties rarely go (a month
 * of token copies, tasks starting together, tools with rotating secrets). Every cell of every shipped
 * scenario and of its attacker tempo variants, first trials, with and without the shortcuts.
 * `node bench/exact-shipped.mjs [trials]` runs the same check over more trials.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPO_HOP_DELAYS, withHopDelay } from '../../src/attacks/tempo.js';
import type { Scenario } from '../../src/domain/scenario.js';
import { compile } from '../../src/model/compile.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { runTrialDetailed } from '../../src/sim/trial.js';

const TRIALS = 3;

/** Scenario files under `dir` (policy snippets are not scenarios). */
function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'policies' ? [] : scenarioFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

describe('shipped scenarios against the reference engine', () => {
  it('should give every trial of every cell, tempo variants included, the metrics of the engine without shortcuts', () => {
    const differing: string[] = [];
    let compared = 0;
    for (const file of scenarioFiles('scenarios')) {
      const scenario = loadScenarioFile(file);
      const variants: [string, Scenario][] = [
        ['run', scenario],
        ...TEMPO_HOP_DELAYS.map(({ label, hopDelay }): [string, Scenario] => [label, withHopDelay(scenario, hopDelay)]),
      ];
      for (const [label, variant] of variants) {
        const model = compile(variant);
        for (let p = 0; p < variant.policies.length; p++) {
          for (let a = 0; a < variant.attacks.length; a++) {
            for (let trial = 0; trial < TRIALS; trial++) {
              compared++;
              const fast = runTrialDetailed(model, p, a, trial, { riskOnly: true }).metrics;
              const reference = runTrialDetailed(model, p, a, trial, { riskOnly: true, reference: true }).metrics;
              if (JSON.stringify(fast) !== JSON.stringify(reference))
                differing.push(
                  `${scenario.name} (${label}) ${variant.policies[p]!.name} × ${variant.attacks[a]!.name} #${trial}`,
                );
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(4000);
    expect(differing).toEqual([]);
  });
});
