/**
 * secret-replay — a credential leaks from one place and is replayed later.
 *
 * Semantics: at `leakAt` the material of `credential` present at `from` leaks — the standing version
 * current then (dead at the next rotation), or under a broker the newest token copy there (dead at its
 * expiry or revocation; a bound token is useless away from its workload). The attacker first uses it
 * `replayDelay` later; from there the common expansion rules apply (src/reach/engine.ts). From a live
 * leak source (`exposure: live`, docs/semantics-engine.md E2) the attacker instead reads the newest
 * material there from that moment on, whenever it looks: a dead copy means waiting for the next one.
 *
 * Incidents: xAI API key committed to a public repository (2025); Internet Archive's GitLab token in a
 * public config file (2022–2024); Cloudflare's unrotated service token from Okta HAR files (2023);
 * CircleCI's stolen SSO session (2023).
 */
import type { SecretReplayAttack } from '../domain/scenario.js';
import { sampleAt } from '../lib/distribution.js';
import { leakedInstance } from '../reach/engine.js';
import type { PatternDefinition } from './pattern.js';

export const secretReplay: PatternDefinition<SecretReplayAttack> = {
  id: 'secret-replay',
  summary: 'a credential leaks from where it is held and is replayed after a delay',
  foothold(ctx, attack) {
    const useAt = attack.leakAtMs + sampleAt(attack.replayDelay, ctx.rng());
    const cred = ctx.model.indexOf.get(attack.credential)!;
    const holder = ctx.model.indexOf.get(attack.from)!;
    if (ctx.model.live[holder] === 1) {
      return {
        startMs: attack.leakAtMs,
        firstHopMs: useAt,
        instances: [],
        control: [],
        attemptFilter: null,
        countFilter: null,
        liveFeeds: [{ holder, cred }],
      };
    }
    const instance = leakedInstance(ctx, cred, attack.leakAtMs, useAt);
    return {
      startMs: attack.leakAtMs,
      firstHopMs: useAt,
      instances: instance === null ? [] : [instance],
      control: [],
      attemptFilter: null,
      countFilter: null,
    };
  },
};
