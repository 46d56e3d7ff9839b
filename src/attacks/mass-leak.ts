/**
 * mass-leak — everything present at one holder leaks at once.
 *
 * Semantics: at `leakAt` the material of every credential `holder` holds leaks — standing versions and,
 * under a broker, the live token copies there; each is replayed `replayDelay` later (one draw for the
 * whole dump) and expanded by the common rules. From a live leak source (`exposure: live`,
 * docs/semantics-engine.md E2) the attacker reads the newest material there from then on, whenever it looks.
 *
 * Incidents: tj-actions/changed-files (2025: runner memory dumped into public CI logs); Codecov (2021:
 * an altered uploader posted every customer CI environment); CircleCI (2023: customers' environment
 * variables and keys).
 */
import type { MassLeakAttack } from '../domain/scenario.js';
import { sampleAt } from '../lib/distribution.js';
import { leakedInstance } from '../reach/engine.js';
import type { Instance, LiveFeed } from '../reach/engine.js';
import type { PatternDefinition } from './pattern.js';

export const massLeak: PatternDefinition<MassLeakAttack> = {
  id: 'mass-leak',
  summary: 'every credential present at one holder leaks at once and is replayed',
  foothold(ctx, attack) {
    const { model } = ctx;
    const useAt = attack.leakAtMs + sampleAt(attack.replayDelay, ctx.rng());
    const holder = model.indexOf.get(attack.holder)!;
    const instances: Instance[] = [];
    if (model.live[holder] === 1) {
      const liveFeeds: LiveFeed[] = [];
      for (let k = model.holds.off[holder]!; k < model.holds.off[holder + 1]!; k++)
        liveFeeds.push({ holder, cred: model.holds.to[k]! });
      return {
        startMs: attack.leakAtMs,
        firstHopMs: useAt,
        instances,
        control: [],
        attemptFilter: null,
        countFilter: null,
        liveFeeds,
      };
    }
    for (let k = model.holds.off[holder]!; k < model.holds.off[holder + 1]!; k++) {
      const inst = leakedInstance(ctx, model.holds.to[k]!, attack.leakAtMs, useAt);
      if (inst !== null) instances.push(inst);
    }
    return { startMs: attack.leakAtMs, firstHopMs: useAt, instances, control: [], attemptFilter: null, countFilter: null };
  },
};
