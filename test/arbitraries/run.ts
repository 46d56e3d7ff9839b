/** Runs trials of a built scenario in tests: by policy/attack name or index, one trial or many. */
import type { Scenario } from '../../src/domain/scenario.js';
import type { TrialMetrics } from '../../src/domain/metrics.js';
import type { CompiledModel } from '../../src/model/compile.js';
import { compile } from '../../src/model/compile.js';
import { runTrial, runTrialDetailed } from '../../src/sim/trial.js';

/** Which policy / attack (name or index, default the first) and trial index (default 0). */
export interface RunOptions {
  readonly policy?: string | number;
  readonly attack?: string | number;
  readonly trial?: number;
}

function indexOf(names: readonly { readonly name: string }[], which: string | number | undefined, what: string): number {
  if (which === undefined) return 0;
  if (typeof which === 'number') return which;
  const i = names.findIndex((n) => n.name === which);
  if (i < 0) throw new Error(`run: unknown ${what} "${which}"`);
  return i;
}

const compiled = new WeakMap<Scenario, CompiledModel>();
/** The compiled model of a scenario, compiled once per scenario object. */
export function modelOf(s: Scenario): CompiledModel {
  let model = compiled.get(s);
  if (model === undefined) {
    model = compile(s);
    compiled.set(s, model);
  }
  return model;
}

/** One trial's metrics. */
export function runOne(s: Scenario, options: RunOptions = {}): TrialMetrics {
  return runTrial(
    modelOf(s),
    indexOf(s.policies, options.policy, 'policy'),
    indexOf(s.attacks, options.attack, 'attack'),
    options.trial ?? 0,
  );
}

/** One trial's trace events, with node ids resolved. */
export function traceOne(
  s: Scenario,
  options: RunOptions = {},
): { t: number; kind: string; cred: string | null; target: string | null; reason: string; code: string | null }[] {
  const model = modelOf(s);
  const events: { t: number; kind: string; cred: string | null; target: string | null; reason: string; code: string | null }[] =
    [];
  runTrialDetailed(
    model,
    indexOf(s.policies, options.policy, 'policy'),
    indexOf(s.attacks, options.attack, 'attack'),
    options.trial ?? 0,
    {
      trace: (e) =>
        events.push({
          t: e.t,
          kind: e.kind,
          cred: e.cred >= 0 ? model.ids[e.cred]! : null,
          target: e.target >= 0 ? model.ids[e.target]! : null,
          reason: e.reason,
          code: e.code ?? null,
        }),
    },
  );
  return events;
}

/** Metrics of trials 0 … n−1. */
export function runMany(s: Scenario, n: number, options: Omit<RunOptions, 'trial'> = {}): TrialMetrics[] {
  const out: TrialMetrics[] = [];
  for (let trial = 0; trial < n; trial++) out.push(runOne(s, { ...options, trial }));
  return out;
}

/** Mean of one metric over trials (null counts as 0). */
export function meanOf(rows: readonly TrialMetrics[], metric: keyof TrialMetrics): number {
  return rows.reduce((sum, r) => sum + (r[metric] ?? 0), 0) / rows.length;
}
