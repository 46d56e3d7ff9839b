import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTrials, planUnits, type TrialPlan } from '../../src/exec/plan.js';
import { expandOutPath, parseShard, shardFromEnvironment, shardPlan } from '../../src/exec/shard.js';
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
        fc.array(
          fc.record({
            np: fc.integer({ min: 1, max: 3 }),
            na: fc.integer({ min: 1, max: 3 }),
            trials: fc.integer({ min: 1, max: 40 }),
          }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        fc.integer({ min: 1, max: 12 }),
        (specs, count) => {
          const scenarios = specs.map((s, i) =>
            fakeScenario(
              `s${i}`,
              Array.from({ length: s.np }, (_, j) => `p${j}`),
              Array.from({ length: s.na }, (_, j) => `a${j}`),
              s.trials,
            ),
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

describe('exec/shard: --shard auto', () => {
  it('should read Kubernetes Indexed Jobs (index from the Job, count passed in)', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '3', BLASTLAB_SHARD_COUNT: '4' })).toEqual({ index: 3, count: 4 });
  });

  it('should read AWS Batch array jobs', () => {
    expect(shardFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toEqual({
      index: 0,
      count: 10,
    });
  });

  it('should prefer the explicit BLASTLAB_SHARD_INDEX (a GitHub Actions matrix) over an engine', () => {
    expect(
      shardFromEnvironment({
        BLASTLAB_SHARD_INDEX: '1',
        BLASTLAB_SHARD_COUNT: '2',
        AWS_BATCH_JOB_ARRAY_INDEX: '5',
        AWS_BATCH_JOB_ARRAY_SIZE: '9',
      }),
    ).toEqual({ index: 1, count: 2 });
  });

  it.each([
    [{}, /no shard in the environment/],
    [{ JOB_COMPLETION_INDEX: '1' }, /JOB_COMPLETION_INDEX is set but BLASTLAB_SHARD_COUNT is not/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '4', AWS_BATCH_JOB_ARRAY_SIZE: '4' }, /"4\/4" is not a shard/],
    [{ BLASTLAB_SHARD_INDEX: 'x', BLASTLAB_SHARD_COUNT: '2' }, /is not a shard/],
  ])('should refuse %j with a UsageError naming what is wrong', (env, message) => {
    expect(() => shardFromEnvironment(env)).toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(message) }),
    );
  });
});

describe('exec/shard: --out with {shard}', () => {
  it('should put the shard index into the output path, and 0 for an unsharded run', () => {
    expect(expandOutPath('/results/shard-{shard}', { index: 7, count: 8 })).toBe('/results/shard-7');
    expect(expandOutPath('out-{shard}/x', undefined)).toBe('out-0/x');
    expect(expandOutPath('plain', { index: 1, count: 2 })).toBe('plain');
  });
});
