/**
 * The engine's shortcuts against the reference engine (docs/semantics-engine.md S9, S10): every
 * (policy, attack) cell of the scenarios and of their attacker tempo variants, run trial by trial with
 * the shortcuts and without them (`reference: true`). The shortcuts must change how much work a trial
 * does, never what it finds. Used by `bench/exact-shipped.mjs` and `test/reach/exact-shipped.test.ts`.
 */
import { TEMPO_HOP_DELAYS, withHopDelay } from '../attacks/tempo.js';
import type { Scenario } from '../domain/scenario.js';
import { compile } from '../model/compile.js';
import { runTrialDetailed } from '../sim/trial.js';

/** Trials compared, and one line per trial whose metrics differ (cell, trial, and each differing metric). */
export interface ShortcutCheck {
  readonly compared: number;
  readonly differing: string[];
}

/** Compares trials `[0, trials)` of every cell of `scenarios` and of their tempo variants. */
export function shortcutMismatches(scenarios: readonly Scenario[], trials: number): ShortcutCheck {
  const differing: string[] = [];
  let compared = 0;
  for (const scenario of scenarios) {
    const variants: [string, Scenario][] = [
      ['run', scenario],
      ...TEMPO_HOP_DELAYS.map(({ label, hopDelay }): [string, Scenario] => [label, withHopDelay(scenario, hopDelay)]),
    ];
    for (const [label, variant] of variants) {
      const model = compile(variant);
      for (let p = 0; p < variant.policies.length; p++) {
        for (let a = 0; a < variant.attacks.length; a++) {
          for (let trial = 0; trial < trials; trial++) {
            compared++;
            const fast: Readonly<Record<string, unknown>> = runTrialDetailed(model, p, a, trial, { riskOnly: true }).metrics;
            const reference: Readonly<Record<string, unknown>> = runTrialDetailed(model, p, a, trial, {
              riskOnly: true,
              reference: true,
            }).metrics;
            const keys = Object.keys(fast).filter((k) => !Object.is(fast[k], reference[k]));
            if (keys.length === 0) continue;
            const cell = `${scenario.name} (${label}) ${variant.policies[p]!.name} × ${variant.attacks[a]!.name} #${trial}`;
            differing.push(`${cell}: ${keys.map((k) => `${k} ${String(fast[k])} vs ${String(reference[k])}`).join('; ')}`);
          }
        }
      }
    }
  }
  return { compared, differing };
}
