/**
 * PROVISIONAL interface (the lead is implementing this module): runs one trial — one policy, one
 * attack, one trial index — and returns its metrics. Pure and synchronous.
 */
import type { CompiledModel } from '../model/compile.js';
import type { TrialMetrics } from '../metrics/columns.js';
import { METRICS } from '../metrics/columns.js';

/** The seed column of trials.csv for this trial (uint32). */
export function trialSeed(model: CompiledModel, policyIndex: number, attackIndex: number, trialIndex: number): number {
  const s = model.scenario;
  const key = `${s.seed}|${s.name}|${s.policies[policyIndex]?.name}|${s.attacks[attackIndex]?.name}|${trialIndex}`;
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Runs one trial. */
export function runTrial(model: CompiledModel, policyIndex: number, attackIndex: number, trialIndex: number): TrialMetrics {
  const seed = trialSeed(model, policyIndex, attackIndex, trialIndex);
  const out: Record<string, number | null> = {};
  for (const m of METRICS) out[m] = (seed % 7) + m.length;
  return out as TrialMetrics;
}
