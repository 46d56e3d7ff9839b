/**
 * The benign side of human approval (docs/controls.md C4): each workload step whose action the policy
 * gates waits for its approval, drawn from `approval.wait`. The waits of an occurrence are taken at its
 * start, before any token is requested (the approver sees the plan, then the workload runs), so they
 * delay the task's end and count in issuance_wait_p95_ms (one entry per gated step).
 */
import type { Policy } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import { keyedUniform } from '../lib/rng.js';
import { sampleAt } from '../lib/distribution.js';

/** Purpose tag of approval-wait draws (occurrence.ts uses 0 for latency, 1 for availability). */
const APPROVAL_WAIT = 2;

/** Total approval wait of occurrence `k` of a task in ms (0 without approval); each step's wait goes to `out`. */
export function approvalWait(
  model: CompiledModel,
  policy: Policy,
  costSeed: number,
  taskIndex: number,
  k: number,
  out: { pushWait(wait: number): void },
): number {
  const approval = policy.approval;
  if (approval === null) return 0;
  let total = 0;
  model.scenario.workload[taskIndex]!.steps.forEach((step, i) => {
    if (!approval.actions.includes(step.action)) return;
    const wait = sampleAt(approval.wait, keyedUniform(costSeed, model.taskHash[taskIndex]!, k, i, APPROVAL_WAIT));
    out.pushWait(wait);
    total += wait;
  });
  return total;
}
