/**
 * The trial plan: every (scenario, policy, attack, trial) unit of a run, in one fixed order.
 *
 * Order: scenarios by source path, then policies and attacks in file order, then trial index
 * ascending. The plan is stored as cells — one per (scenario, policy, attack) with a contiguous trial
 * range — so a million-trial run costs a few objects, not a million. Seeds are not stored: a trial's
 * seed derives only from (scenario seed, scenario, policy, attack, trial index) inside `sim/`, so
 * neither the worker that runs it nor the shard that holds it can change it.
 */
import { UsageError } from '../errors.js';
import type { Scenario } from '../domain/scenario.js';

/** Command-line overrides of the scenario files' own settings. */
export interface PlanOptions {
  /** Replaces every scenario's `trials`. */
  readonly trials?: number | undefined;
  /** Replaces every scenario's `seed`. */
  readonly seed?: number | undefined;
  /** Keeps only these policies (file order is kept, not the order given here). */
  readonly policies?: readonly string[] | undefined;
}

/** One (scenario, policy, attack) combination and its trials `[trialStart, trialEnd)`. */
export interface PlanCell {
  readonly scenarioIndex: number;
  /** Index into `scenario.policies` (unfiltered, so it is the compiled model's index too). */
  readonly policyIndex: number;
  readonly attackIndex: number;
  readonly trialStart: number;
  readonly trialEnd: number;
}

/** One unit of work: a single trial. */
export interface TrialUnit {
  readonly scenarioIndex: number;
  readonly policyIndex: number;
  readonly attackIndex: number;
  readonly trial: number;
}

/** The ordered plan of a run (or of one shard of it). */
export interface TrialPlan {
  /** Scenarios with the overrides applied, sorted by source path. */
  readonly scenarios: readonly Scenario[];
  /** Cells in plan order; a shard's plan may hold cells with empty ranges. */
  readonly cells: readonly PlanCell[];
  /** Number of trial units (sum of the cells' ranges). */
  readonly size: number;
}

/** Returns the scenario with `--trials` / `--seed` applied (the loader's object stays untouched). */
export function applyOverrides(scenario: Scenario, options: PlanOptions): Scenario {
  if (options.trials === undefined && options.seed === undefined) return scenario;
  return Object.freeze({
    ...scenario,
    trials: options.trials ?? scenario.trials,
    seed: options.seed ?? scenario.seed,
  });
}

/** Plans every trial of the given scenarios; throws UsageError when `--policies` names a policy no scenario has. */
export function planTrials(scenarios: readonly Scenario[], options: PlanOptions = {}): TrialPlan {
  const wanted = options.policies === undefined ? null : new Set(options.policies);
  // A scenario none of whose policies is kept has nothing to run: it leaves the plan (and the outputs).
  const sorted = [...scenarios]
    .sort((a, b) => compareStrings(a.source.file, b.source.file))
    .filter((s) => wanted === null || s.policies.some((p) => wanted.has(p.name)))
    .map((s) => applyOverrides(s, options));
  if (wanted !== null) {
    const known = new Set(scenarios.flatMap((s) => s.policies.map((p) => p.name)));
    const unknown = [...wanted].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new UsageError(
        `--policies: unknown policy ${unknown.map((n) => JSON.stringify(n)).join(', ')} (the scenarios define: ${[...known].join(', ')})`,
      );
    }
  }
  const cells: PlanCell[] = [];
  let size = 0;
  sorted.forEach((scenario, scenarioIndex) => {
    scenario.policies.forEach((policy, policyIndex) => {
      if (wanted !== null && !wanted.has(policy.name)) return;
      scenario.attacks.forEach((_attack, attackIndex) => {
        cells.push({ scenarioIndex, policyIndex, attackIndex, trialStart: 0, trialEnd: scenario.trials });
        size += scenario.trials;
      });
    });
  });
  return { scenarios: sorted, cells, size };
}

/** Iterates the plan's trial units in plan order. */
export function* planUnits(plan: TrialPlan): Generator<TrialUnit> {
  for (const cell of plan.cells) {
    for (let trial = cell.trialStart; trial < cell.trialEnd; trial++) {
      yield { scenarioIndex: cell.scenarioIndex, policyIndex: cell.policyIndex, attackIndex: cell.attackIndex, trial };
    }
  }
}

/** Code-unit string order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
