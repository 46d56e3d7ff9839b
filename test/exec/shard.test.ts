import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTrials, planUnits, type TrialPlan } from '../../src/exec/plan.js';
import { parseShard, shardPlan } from '../../src/exec/shard.js';
import { fakeScenario } from './helpers.js';

const key = (u: { scenarioIndex: number; policyIndex: number; attackIndex: number; trial: number }): string =>
  `${u.scenarioIndex}/${u.policyIndex}/${u.attackIndex}/${u.trial}`;

/** Re-interleaves shard units the way merge does: per cell, shard 0 … n−1. */
function merged(plan: TrialPlan, count: number): string[] {
  const shards = Array.from({ length: count }, (_, index) => shardPlan(plan, { index, count }));
  const out: string[] = [];
  plan.cells.forEach((_cell, c) => {
    for (const shard of shards) {
      const cell = shard.cells[c]!;
      for (let t = cell.trialStart; t < cell.trialEnd; t++) out.push(key({ ...cell, trial: t }));
    }
  });
  return out;
}

describe('exec/shard', () => {
  it('should parse i/n and reject anything else with a UsageError', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '-1/4', '1/0', 'a/b', '1', '1/2/3', '']) {
      expect(() => parseShard(bad), bad).toThrow(expect.objectContaining({ name: 'UsageError' }));
    }
  });

  it('should give every shard a block of every (scenario, policy, attack) when trials ≥ n', () => {
    const plan = planTrials([fakeScenario('s', ['p', 'q'], ['a', 'b'], 10)]);
    for (let index = 0; index < 4; index++) {
      const shard = shardPlan(plan, { index, count: 4 });
      expect(shard.cells.every((c) => c.trialEnd > c.trialStart)).toBe(true);
    }
  });

  it('should split the plan into disjoint shards whose per-cell concatenation is the plan, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ np: fc.integer({ min: 1, max: 3 }), na: fc.integer({ min: 1, max: 3 }), trials: fc.integer({ min: 1, max: 40 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer({ min: 1, max: 12 }),
        (specs, count) => {
          const scenarios = specs.map((s, i) =>
            fakeScenario(`s${i}`, Array.from({ length: s.np }, (_, j) => `p${j}`), Array.from({ length: s.na }, (_, j) => `a${j}`), s.trials),
          );
          const plan = planTrials(scenarios);
          const whole = [...planUnits(plan)].map(key);
          const parts = Array.from({ length: count }, (_, index) => [...planUnits(shardPlan(plan, { index, count }))].map(key));
          // Union is the plan and the shards are disjoint.
          expect(parts.flat().sort()).toEqual([...whole].sort());
          expect(new Set(parts.flat()).size).toBe(whole.length);
          // Sizes add up, and each shard's units come in plan order.
          expect(parts.reduce((n, p) => n + p.length, 0)).toBe(plan.size);
          for (const p of parts) {
            const positions = p.map((k) => whole.indexOf(k));
            expect(positions).toEqual([...positions].sort((a, b) => a - b));
          }
          // Per-cell re-interleaving restores plan order exactly.
          expect(merged(plan, count)).toEqual(whole);
        },
      ),
    );
  });
});
