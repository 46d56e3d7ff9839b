/**
 * intent-drift — a benign agent re-plans and runs a workflow outside its declared intent.
 *
 * Semantics: from `at` the agent acts (R1) but attempts only the listed `targets` (target, action),
 * with the access it has: standing secrets do whatever they grant; under a broker, a token covers what
 * its scope covers (role: everything its credential grants; task/step: the declared pairs) and
 * `reevaluate` re-checks intent before privileged (or every) step, so the out-of-intent action is denied
 * — and a denial is an action that detection may notice. Only out-of-intent actions that succeeded
 * count as reached.
 *
 * Incidents: OWASP ASI01 agent goal hijack and LLM06 excessive agency; Schneider Electric (2024: Jira
 * credentials with API access used to scrape far more than the integration needed).
 */
import type { IntentDriftAttack } from '../domain/scenario.js';
import { actionBit } from '../domain/actions.js';
import type { PatternDefinition } from './pattern.js';

export const intentDrift: PatternDefinition<IntentDriftAttack> = {
  id: 'intent-drift',
  summary: 'an agent re-plans and tries actions outside its declared intent with the access it has',
  foothold(ctx, attack) {
    const { model } = ctx;
    const agent = model.indexOf.get(attack.agent)!;
    const intent = model.intent[agent]!;
    const attempts = new Map<number, number>();
    const counted = new Map<number, number>();
    for (const { target, action } of attack.targets) {
      const x = model.indexOf.get(target)!;
      const bit = actionBit(action);
      attempts.set(x, (attempts.get(x) ?? 0) | bit);
      if (((intent.get(x) ?? 0) & bit) === 0) counted.set(x, (counted.get(x) ?? 0) | bit);
    }
    return {
      startMs: attack.atMs,
      firstHopMs: attack.atMs,
      instances: [],
      control: [agent],
      attemptFilter: attempts,
      countFilter: counted,
    };
  },
};
