/**
 * The operational cost of a policy for one trial (SPEC §5 cost metrics), from the workload schedule:
 * every task occurrence inside the horizon, plus the rotations of standing secrets. Attacker requests
 * are not counted. Initial provisioning at time 0 is not an issuance (the secrets exist already).
 */
import type { Policy } from '../scenario/types.js';
import type { CompiledModel } from '../model/compile.js';
import { KIND_CREDENTIAL } from '../model/compile.js';
import type { CredentialModes } from '../policy/modes.js';
import type { CostMetrics } from '../metrics/columns.js';
import { occurrenceCount, simulateOccurrence } from './occurrence.js';

/** Nearest-rank p95 of the waits (a request wait is one of the draws; no interpolation needed). */
function p95(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.ceil(0.95 * sorted.length) - 1]!;
}

/** Computes the cost metrics of `policy` over the whole workload for one trial. */
export function workloadCost(model: CompiledModel, policy: Policy, modes: CredentialModes, costSeed: number): CostMetrics {
  const horizon = model.scenario.horizonMs;
  const perSecond = new Map<number, number>();
  const bump = (ms: number, count: number): void => {
    const second = Math.floor(ms / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + count);
  };
  let tokensIssued = 0;
  let tasksTotal = 0;
  let tasksFailed = 0;
  let reauthorizations = 0;
  const waits: number[] = [];

  // Rotations of standing secrets inside the horizon: at R, 2R, … < horizon.
  for (let c = 0; c < model.nodeCount; c++) {
    if (model.kind[c] !== KIND_CREDENTIAL || modes.ephemeral[c] === 1) continue;
    const rotation = modes.rotationMs[c]!;
    if (!Number.isFinite(rotation) || rotation <= 0) continue;
    for (let at = rotation; at < horizon; at += rotation) {
      tokensIssued++;
      bump(at, 1);
    }
  }

  model.scenario.workload.forEach((task, t) => {
    const count = occurrenceCount(task, horizon);
    for (let k = 0; k < count; k++) {
      const occurrence = simulateOccurrence(model, policy, modes, costSeed, t, k, waits);
      tasksTotal++;
      if (occurrence.status !== 'completed') tasksFailed++;
      reauthorizations += occurrence.reauthorizations;
      tokensIssued += occurrence.issuances.length;
      for (const token of occurrence.issuances) bump(token.mintAt, 1);
    }
  });

  let peak = 0;
  for (const count of perSecond.values()) peak = Math.max(peak, count);
  return {
    tokens_issued: tokensIssued,
    peak_issuance_per_s: peak,
    issuance_wait_p95_ms: p95(waits),
    tasks_total: tasksTotal,
    tasks_failed: tasksFailed,
    reauthorizations,
  };
}
