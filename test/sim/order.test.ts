/** A trial's result depends on its identity only: not on which trials ran before it in the same thread. */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/model/compile.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { runTrial } from '../../src/sim/trial.js';

describe('sim/trial (run order)', () => {
  it.each(['scenarios/support-agent.yaml', 'scenarios/multi-cloud.yaml', 'scenarios/breaches/uber-2022.yaml'])(
    'should give every trial of %s the same metrics in forward, reverse and interleaved order',
    (file) => {
      const scenario = loadScenarioFile(file);
      const ids: [number, number, number][] = [];
      scenario.policies.forEach((_, p) =>
        scenario.attacks.forEach((_, a) => {
          for (let i = 0; i < 6; i++) ids.push([p, a, i]);
        }),
      );
      const forward = compile(scenario);
      const expected = ids.map(([p, a, i]) => runTrial(forward, p, a, i));
      const reverse = compile(scenario);
      const backwards = [...ids]
        .reverse()
        .map(([p, a, i]) => runTrial(reverse, p, a, i))
        .reverse();
      expect(backwards).toEqual(expected);
      // The same model again, trials interleaved across policies and attacks: caches and scratch reused.
      const order = ids.map((_, k) => (k * 7) % ids.length);
      const again = new Array<unknown>(ids.length);
      for (const k of order) again[k] = runTrial(forward, ...ids[k]!);
      expect(again).toEqual(expected);
    },
  );
});
