import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTrials, planUnits } from '../../src/exec/plan.js';
import { fakeScenario } from './helpers.js';

describe('exec/plan', () => {
  it('should order units by scenario path, then policy and attack in file order, then trial', () => {
    const b = fakeScenario('b', ['p1', 'p2'], ['a1'], 2, 'z/b.yaml');
    const a = fakeScenario('a', ['q'], ['x', 'y'], 1, 'a.yaml');
    const plan = planTrials([b, a]);
    const units = [...planUnits(plan)].map((u) => {
      const s = plan.scenarios[u.scenarioIndex]!;
      return `${s.name}/${s.policies[u.policyIndex]!.name}/${s.attacks[u.attackIndex]!.name}/${u.trial}`;
    });
    expect(units).toEqual(['a/q/x/0', 'a/q/y/0', 'b/p1/a1/0', 'b/p1/a1/1', 'b/p2/a1/0', 'b/p2/a1/1']);
    expect(plan.size).toBe(6);
  });

  it('should apply --trials and --seed overrides without touching the loaded scenario', () => {
    const s = fakeScenario('s', ['p'], ['a'], 5);
    const plan = planTrials([s], { trials: 3, seed: 42 });
    expect(plan.scenarios[0]!.trials).toBe(3);
    expect(plan.scenarios[0]!.seed).toBe(42);
    expect(s.trials).toBe(5);
    expect(plan.size).toBe(3);
  });

  it('should keep only the --policies named, in file order, with their original indices', () => {
    const s = fakeScenario('s', ['p1', 'p2', 'p3'], ['a'], 1);
    const plan = planTrials([s], { policies: ['p3', 'p1'] });
    expect(plan.cells.map((c) => c.policyIndex)).toEqual([0, 2]);
  });

  it('should reject a --policies name that no scenario defines', () => {
    const s = fakeScenario('s', ['p1'], ['a'], 1);
    expect(() => planTrials([s], { policies: ['nope'] })).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });

  it('should plan scenarios × policies × attacks × trials units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 50 }),
        (np, na, trials) => {
          const s = fakeScenario(
            's',
            Array.from({ length: np }, (_, i) => `p${i}`),
            Array.from({ length: na }, (_, i) => `a${i}`),
            trials,
          );
          const plan = planTrials([s]);
          expect(plan.size).toBe(np * na * trials);
          expect([...planUnits(plan)]).toHaveLength(plan.size);
        },
      ),
    );
  });
});
