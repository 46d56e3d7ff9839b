/**
 * Attacker tempo variants (SPEC §1 "attacker tempo", docs/semantics-engine.md E6): the same scenario
 * with every attack's `hopDelay` set to a fixed 1m, 10m or 1h, so a report can show how each policy's
 * reduction changes with the attacker's speed. Names and seeds are kept: trial i of a variant draws
 * the same foothold delays as trial i of the original; only the hop timing differs.
 */
import type { Distribution, Scenario } from '../domain/scenario.js';

/** The hop delays a tempo comparison uses, by label. */
export const TEMPO_HOP_DELAYS: readonly { readonly label: string; readonly hopDelay: Distribution }[] = [
  { label: '1m', hopDelay: { kind: 'fixed', valueMs: 60_000 } },
  { label: '10m', hopDelay: { kind: 'fixed', valueMs: 600_000 } },
  { label: '1h', hopDelay: { kind: 'fixed', valueMs: 3_600_000 } },
];

/** `scenario` with every attack's hopDelay replaced by `hopDelay` (a new frozen object; the original is untouched). */
export function withHopDelay(scenario: Scenario, hopDelay: Distribution): Scenario {
  return Object.freeze({
    ...scenario,
    attacks: Object.freeze(scenario.attacks.map((attack) => Object.freeze({ ...attack, hopDelay }))),
  });
}

/** One variant per TEMPO_HOP_DELAYS entry. */
export function tempoVariants(scenario: Scenario): { readonly label: string; readonly scenario: Scenario }[] {
  return TEMPO_HOP_DELAYS.map(({ label, hopDelay }) => ({ label, scenario: withHopDelay(scenario, hopDelay) }));
}
