/**
 * docs/semantics-engine.md S9, S10: the engine's shortcuts change how much work a trial does, never
 * what it finds — on the shipped scenarios too, where the random-estate properties rarely go (a month
 * of token copies, tasks starting together, tools with rotating secrets). Every cell of every shipped
 * scenario, of its attacker tempo variants and of its attribution variants, first trials, with and
 * without the shortcuts (an attribution variant once caught a shortcut the others did not: S9).
 * `node bench/exact-shipped.mjs [trials]` runs the same check over more trials.
 */
import { describe, expect, it } from 'vitest';
import { shortcutMismatches } from '../../src/bench/exact.js';
import { loadScenarios } from '../../src/scenario/load.js';

const TRIALS = 3;

describe('shipped scenarios against the reference engine', () => {
  it('should give every trial of every cell, tempo and attribution variants included, the metrics of the engine without shortcuts', () => {
    const { scenarios, issues } = loadScenarios(['scenarios']);
    expect(issues).toEqual([]);
    const { compared, differing } = shortcutMismatches(scenarios, TRIALS, true);
    expect(compared).toBeGreaterThan(8000);
    expect(differing).toEqual([]);
  });
});
