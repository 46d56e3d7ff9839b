import { describe, expect, it } from 'vitest';
import { tempoVariants, withHopDelay } from '../../src/attacks/tempo.js';
import {
  HOUR,
  MIN,
  agent,
  credential,
  ephemeral,
  fixed,
  grants,
  holds,
  replay,
  resource,
  scenario,
  step,
  task,
} from '../arbitraries/build.js';
import { runOne } from '../arbitraries/run.js';

describe('attacks/tempo', () => {
  // A minted token (ttl 15m) obtained at one hop is used at the next: the attacker's tempo decides.
  const s = scenario({
    nodes: [agent('bot'), resource('store'), credential('k0', { ephemeralCapable: false }), credential('tok'), resource('db')],
    edges: [
      holds('bot', 'k0'),
      grants('k0', 'store', ['read']),
      holds('store', 'tok'),
      grants('tok', 'db', ['read']),
      holds('bot', 'tok'),
    ],
    workload: [task('bot', [step('db', 'read', 'tok')], { everyMs: 24 * HOUR, atMs: 0, durationMs: 10 * MIN })],
    // k0 leaks and is replayed at 1m; the store then holds the token minted at 0 (valid to 15m).
    attacks: [replay('k0', 'bot', 0, fixed(MIN), { hopDelay: fixed(HOUR) })],
    policies: [ephemeral('e', { ttlMs: 15 * MIN })],
  });

  it("should replace every attack's hopDelay and leave the original untouched", () => {
    const variant = withHopDelay(s, fixed(MIN));
    expect(variant.attacks[0]?.hopDelay).toEqual(fixed(MIN));
    expect(s.attacks[0]?.hopDelay).toEqual(fixed(HOUR));
    expect(tempoVariants(s).map((v) => v.label)).toEqual(['1m', '10m', '1h']);
  });

  it('should let the tempo change what a policy stops', () => {
    const [oneMinute, tenMinutes, oneHour] = tempoVariants(s);
    // The token copy read at 1m is usable one hop later: at 2m and 11m it is alive, at 1h1m dead.
    expect(runOne(oneMinute!.scenario).resources_reached).toBe(2);
    expect(runOne(tenMinutes!.scenario).resources_reached).toBe(2);
    expect(runOne(oneHour!.scenario).resources_reached).toBe(1);
  });
});
