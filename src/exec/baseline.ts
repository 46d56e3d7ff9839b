/** The baseline policy of each scenario: the first policy kept in the plan unless `--baseline NAME` says otherwise. */
import { UsageError } from '../errors.js';
import type { TrialPlan } from './plan.js';

/**
 * Maps scenario name → baseline policy name. With `--baseline NAME`, scenarios that run NAME use it and
 * the others keep their first policy; a NAME that no scenario runs is a UsageError.
 */
export function baselines(plan: TrialPlan, baseline?: string): Map<string, string> {
  const kept = plan.scenarios.map((s, i) => {
    const indices = [...new Set(plan.cells.filter((c) => c.scenarioIndex === i).map((c) => c.policyIndex))];
    return indices.map((p) => s.policies[p]!.name);
  });
  if (baseline !== undefined && !kept.some((names) => names.includes(baseline))) {
    throw new UsageError(
      `--baseline: no scenario runs a policy named "${baseline}" (policies: ${[...new Set(kept.flat())].join(', ')})`,
    );
  }
  const out = new Map<string, string>();
  plan.scenarios.forEach((s, i) => {
    const names = kept[i]!;
    const chosen = baseline !== undefined && names.includes(baseline) ? baseline : names[0];
    if (chosen !== undefined) out.set(s.name, chosen);
  });
  return out;
}
