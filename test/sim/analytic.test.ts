/**
 * Closed form check: a token leaked with remaining life r, replayed after an exponential delay of
 * mean μ, works with probability 1 − exp(−r/μ). The simulated rate must be within 3 standard errors.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/domain/scenario.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  ephemeral,
  exponential,
  grants,
  holds,
  persistent,
  replay,
  resource,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';
import { runMany } from '../arbitraries/run.js';

const N = 2000;
const MEAN = 15 * MIN;
const PERIOD = 2 * HOUR;
const PHASE = 2 * MIN;
const LEAK_AT = 5 * PERIOD + PHASE; // two minutes after the sixth mint

function replaySuccessRate(policy: Policy): number {
  const s = scenario({
    horizonMs: 2 * DAY,
    nodes: [agent('ci'), resource('logs'), credential('key', { rotationMs: policy.rotationMs }), resource('db')],
    edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read'])],
    workload: [task('ci', [step('db', 'read', 'key')], { everyMs: PERIOD, atMs: 0, durationMs: MIN })],
    attacks: [replay('key', 'logs', LEAK_AT, exponential(MEAN))],
    policies: [policy],
  });
  return runMany(s, N).reduce((sum, m) => sum + m.attack_success!, 0) / N;
}

function expectClose(rate: number, remainingMs: number): void {
  const p = 1 - Math.exp(-remainingMs / MEAN);
  const se = Math.sqrt((p * (1 - p)) / N);
  expect(Math.abs(rate - p)).toBeLessThanOrEqual(3 * se);
}

describe('sim/trial analytic replay success', () => {
  for (const ttlMs of [5 * MIN, 15 * MIN, 30 * MIN, HOUR]) {
    it(`should match 1 − exp(−(ttl − phase)/μ) for ttl ${ttlMs / MIN} min`, () => {
      const rate = replaySuccessRate(ephemeral(`ttl-${ttlMs}`, { ttlMs }));
      expectClose(rate, ttlMs - PHASE);
    });
  }

  it('should be 0 when the token is already dead at the leak', () => {
    expect(replaySuccessRate(ephemeral('short', { ttlMs: MIN }))).toBe(0);
  });

  it('should match 1 − exp(−(R − phase)/μ) for a standing secret rotated every R', () => {
    // Rotation every 2 h + 10 min: the version current at the leak ends at the next boundary.
    const rotationMs = 2 * HOUR + 10 * MIN;
    const remaining = Math.ceil(LEAK_AT / rotationMs) * rotationMs - LEAK_AT;
    const rate = replaySuccessRate(persistent('rotated', { rotationMs }));
    expectClose(rate, remaining);
  });
});
