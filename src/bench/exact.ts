/**
 * The engine's shortcuts against the reference engine (docs/semantics-engine.md S9, S10): every
 * (policy, attack) cell of the scenarios, of their attacker tempo variants and, on request, of their
 * attribution variants (docs/controls.md A2), run trial by trial with
 * the shortcuts and without them (`reference: true`). The shortcuts must change how much work a trial
 * does, never what it finds. Used by `bench/exact-shipped.mjs` and `test/reach/exact-shipped.test.ts`.
 */
import { TEMPO_HOP_DELAYS, withHopDelay } from '../attacks/tempo.js';
import type { Scenario } from '../domain/scenario.js';
import { variantPlan } from '../exec/attribution.js';
import { baselines } from '../exec/baseline.js';
import { planTrials } from '../exec/plan.js';
import type { CompiledModel } from '../model/compile.js';
import { compile } from '../model/compile.js';
import { runTrialDetailed } from '../sim/trial.js';

/** Trials compared, and one line per trial whose metrics differ (cell, trial, and each differing metric). */
export interface ShortcutCheck {
  readonly compared: number;
  readonly differing: string[];
}

/** Compares trials `[0, trials)` of every cell of `scenarios`, of their tempo variants and (`attribution`) of their attribution variants. */
export function shortcutMismatches(scenarios: readonly Scenario[], trials: number, attribution = false): ShortcutCheck {
  const differing: string[] = [];
  let compared = 0;
  const check = (model: CompiledModel, label: string, p: number, a: number, trial: number): void => {
    compared++;
    const fast: Readonly<Record<string, unknown>> = runTrialDetailed(model, p, a, trial, { riskOnly: true }).metrics;
    const reference: Readonly<Record<string, unknown>> = runTrialDetailed(model, p, a, trial, {
      riskOnly: true,
      reference: true,
    }).metrics;
    const keys = Object.keys(fast).filter((k) => !Object.is(fast[k], reference[k]));
    if (keys.length === 0) return;
    const { scenario } = model;
    const cell = `${scenario.name} (${label}) ${scenario.policies[p]!.name} × ${scenario.attacks[a]!.name} #${trial}`;
    differing.push(`${cell}: ${keys.map((k) => `${k} ${String(fast[k])} vs ${String(reference[k])}`).join('; ')}`);
  };
  for (const scenario of scenarios) {
    const variants: [string, Scenario][] = [
      ['run', scenario],
      ...TEMPO_HOP_DELAYS.map(({ label, hopDelay }): [string, Scenario] => [label, withHopDelay(scenario, hopDelay)]),
    ];
    for (const [label, variant] of variants) {
      const model = compile(variant);
      for (let p = 0; p < variant.policies.length; p++)
        for (let a = 0; a < variant.attacks.length; a++)
          for (let trial = 0; trial < trials; trial++) check(model, label, p, a, trial);
    }
  }
  if (attribution) {
    const plan = planTrials(scenarios);
    const models = plan.scenarios.map((scenario) => compile(scenario));
    const variants = variantPlan(plan, models, baselines(plan), trials);
    for (const c of variants.plan.cells) {
      const label = `attribution: ${variants.labels[c.scenarioIndex]![c.policyIndex]!.variant}`;
      for (let trial = c.trialStart; trial < c.trialEnd; trial++)
        check(variants.models[c.scenarioIndex]!, label, c.policyIndex, c.attackIndex, trial);
    }
  }
  return { compared, differing };
}
