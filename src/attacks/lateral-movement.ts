/**
 * lateral-movement — the attacker controls one node and moves on from it.
 *
 * Semantics: from `at` the attacker controls `entry` (R1: uses every credential it holds that is valid
 * then, invokes what it invokes) and expands by the common rules, one hop per `hopDelay`.
 *
 * Incidents: Uber (2022: network share → hard-coded PAM admin credentials → cloud consoles);
 * Sisense (2024: GitLab → credential in a repository → storage buckets); Dropbox Sign (2024:
 * configuration-tool service account → production → customer database).
 */
import type { LateralMovementAttack } from '../domain/scenario.js';
import type { PatternDefinition } from './pattern.js';

export const lateralMovement: PatternDefinition<LateralMovementAttack> = {
  id: 'lateral-movement',
  summary: 'the attacker controls an entry node and follows every credential and invocation from it',
  foothold(ctx, attack) {
    return {
      startMs: attack.atMs,
      firstHopMs: attack.atMs,
      instances: [],
      control: [ctx.model.indexOf.get(attack.entry)!],
      attemptFilter: null,
      countFilter: null,
    };
  },
};
