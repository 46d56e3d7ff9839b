import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionPolicy } from '../../src/issuer/decision.js';
import { buildIntentIndex, decide, declaredActions } from '../../src/issuer/decision.js';
import { generateEstate } from '../../src/estate/synthetic.js';
import { ACTIONS } from '../../src/domain/scenario.js';
import { WORKLOAD_JKT, makeIssuer } from './fixture.js';
import { runs } from '../runs.js';

const OPEN: DecisionPolicy = { maxSensitivity: 'regulated', window: null, requireReason: true };
const estate = generateEstate({ agents: 30, seed: 21 });
const index = buildIntentIndex(estate);

describe('issuer decision', () => {
  it('should allow every pair an agent declared in its workload', () => {
    for (const task of estate.workload) {
      const pairs = task.steps.map((s) => ({ target: s.target, action: s.action }));
      expect(decide({ agent: task.agent, pairs, reason: task.id, atMs: 0 }, index, OPEN)).toEqual({ allow: true });
    }
  });

  it('should deny any pair outside the declared intent, naming the action and target', () => {
    const targets = estate.nodes.filter((n) => n.kind === 'resource').map((n) => n.id);
    const agents = [...index.intents.keys()];
    fc.assert(
      fc.property(
        fc.constantFrom(...agents),
        fc.constantFrom(...targets),
        fc.constantFrom(...ACTIONS),
        (agent, target, action) => {
          fc.pre(!declaredActions(index, agent, target).includes(action));
          expect(decide({ agent, pairs: [{ target, action }], reason: 'r', atMs: 0 }, index, OPEN)).toEqual({
            allow: false,
            code: 'out-of-intent',
            reason: `out-of-intent ${action} on ${target}`,
          });
        },
      ),
      runs(200),
    );
  });

  it('should check the context: reason, time window and sensitivity ceiling', () => {
    const task = estate.workload.find((t) =>
      t.steps.some((s) => estate.nodes.some((n) => n.id === s.target && n.kind === 'resource' && n.sensitivity === 'regulated')),
    );
    const step = task!.steps.find((s) =>
      estate.nodes.some((n) => n.id === s.target && n.kind === 'resource' && n.sensitivity === 'regulated'),
    )!;
    const request = {
      agent: task!.agent,
      pairs: [{ target: step.target, action: step.action }],
      reason: 'nightly export',
      atMs: 2 * 3_600_000,
    };
    expect(decide({ ...request, reason: '  ' }, index, OPEN)).toMatchObject({ allow: false, code: 'no-reason' });
    const business: DecisionPolicy = { ...OPEN, window: { fromMs: 8 * 3_600_000, toMs: 18 * 3_600_000 } };
    expect(decide(request, index, business)).toMatchObject({ allow: false, code: 'outside-window' });
    expect(decide({ ...request, atMs: 86_400_000 + 9 * 3_600_000 }, index, business)).toEqual({ allow: true });
    const overnight: DecisionPolicy = { ...OPEN, window: { fromMs: 22 * 3_600_000, toMs: 4 * 3_600_000 } };
    expect(decide(request, index, overnight)).toEqual({ allow: true });
    const capped = decide(request, index, { ...OPEN, maxSensitivity: 'confidential' });
    expect(capped).toEqual({
      allow: false,
      code: 'too-sensitive',
      reason: `${step.target} is regulated, above the policy's confidential`,
    });
  });

  it('should mint only what the decision allows, with a SPIFFE subject and the binding', () => {
    const { issuer } = makeIssuer();
    const task = estate.workload[0]!;
    const pairs = task.steps.map((s) => ({ target: s.target, action: s.action }));
    const agent = estate.nodes.find((n) => n.id === task.agent)!;
    const environment = agent.kind === 'agent' ? agent.environment : 'default';
    const ok = issuer.issue(
      { agent: task.agent, environment, pairs, reason: task.id, ttlMs: 900_000, bindTo: WORKLOAD_JKT },
      index,
      OPEN,
    );
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.minted.claims.sub).toBe(`spiffe://estate.test/${environment}/${task.agent}`);
      expect(ok.minted.claims.cnf).toEqual({ jkt: WORKLOAD_JKT });
      for (const pair of pairs)
        expect(issuer.verifier.verify(ok.minted.token, { ...pair, presentedJkt: WORKLOAD_JKT }).ok).toBe(true);
    }
    const denied = issuer.issue(
      { agent: task.agent, environment, pairs: [{ target: 'nowhere', action: 'admin' }], reason: 'x', ttlMs: 900_000 },
      index,
      OPEN,
    );
    expect(denied).toEqual({
      ok: false,
      decision: { allow: false, code: 'out-of-intent', reason: 'out-of-intent admin on nowhere' },
    });
  });
});
