/**
 * orphaned-credential — an agent is retired without offboarding; its credentials are found later.
 *
 * Semantics: at `retiredAt` the agent stops; the material it held then stays where it was. `foundDelay`
 * later an attacker finds it: a standing secret is still good until its next rotation (forever when it
 * never rotates — the offboarding failure); under a broker the agent's newest token copy died with its
 * last task (at its expiry or revocation), so the find is usually worthless.
 *
 * Incidents: Cloudflare (2023: one service token and three service-account credentials left
 * unrotated as "unused"); Internet Archive (2024: a GitLab token live for ~690 days); OWASP NHI1
 * improper offboarding.
 */
import type { OrphanedCredentialAttack } from '../domain/scenario.js';
import { sampleAt } from '../lib/distribution.js';
import { leakedInstance } from '../reach/engine.js';
import type { Instance } from '../reach/engine.js';
import type { PatternDefinition } from './pattern.js';

export const orphanedCredential: PatternDefinition<OrphanedCredentialAttack> = {
  id: 'orphaned-credential',
  summary: 'a retired agent keeps its credentials; an attacker finds them later',
  foothold(ctx, attack) {
    const useAt = attack.retiredAtMs + sampleAt(attack.foundDelay, ctx.rng());
    const instances: Instance[] = [];
    for (const id of attack.credentials) {
      const inst = leakedInstance(ctx, ctx.model.indexOf.get(id)!, attack.retiredAtMs, useAt, attack.retiredAtMs);
      if (inst !== null) instances.push(inst);
    }
    return { startMs: attack.retiredAtMs, firstHopMs: useAt, instances, control: [], attemptFilter: null, countFilter: null };
  },
};
