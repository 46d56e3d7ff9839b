/** The agentic scenarios' claims about which control buys what (docs/controls.md), checked on a few trials. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Metric } from '../../src/domain/metrics.js';
import type { Scenario } from '../../src/domain/scenario.js';
import { meanOf, runMany } from '../arbitraries/run.js';
import { SCENARIOS_DIR } from './suites.js';

const load = (name: string): Scenario => loadScenarioFile(join(SCENARIOS_DIR, 'agents', `${name}.yaml`));
const mean = (s: Scenario, policy: string, attack: string, metric: Metric, n = 4): number => meanOf(runMany(s, n, { policy, attack }), metric);

describe('agentic scenarios (scenarios/agents/)', () => {
  it('data-agent: right-sized standing keys stop the drift exactly as the broker does, with no tokens and no failed tasks', () => {
    const s = load('data-agent');
    expect(mean(s, 'persistent', 'enrich-and-export-drift', 'blast_radius')).toBeGreaterThan(0);
    expect(mean(s, 'persistent-right-sized', 'enrich-and-export-drift', 'blast_radius')).toBe(0);
    expect(mean(s, 'broker-15m', 'enrich-and-export-drift', 'blast_radius')).toBe(0);
    expect(mean(s, 'persistent-right-sized', 'enrich-and-export-drift', 'tokens_issued', 1)).toBe(0);
    expect(mean(s, 'persistent-right-sized', 'enrich-and-export-drift', 'tasks_failed', 1)).toBe(0);
  });

  it('agentic-support: the ticket reply leaks what the injected agent reads under every policy', () => {
    const s = load('agentic-support');
    for (const p of s.policies) expect(mean(s, p.name, 'prompt-injected-ticket', 'records_exfiltrated', 2), p.name).toBeGreaterThanOrEqual(2_500_000);
  });

  it('coding-agent: the repository write reaches the CI runner under every token policy; only the review gate cuts it', () => {
    const s = load('coding-agent');
    const broker = mean(s, 'broker-15m', 'poisoned-issue', 'blast_radius');
    expect(broker).toBeGreaterThan(20);
    expect(mean(s, 'broker-15m-review-gate', 'poisoned-issue', 'blast_radius', 20)).toBeLessThan(broker);
  });

  it('multi-agent-handoff: without passthrough, standing keys lose most of the injected worker\'s reach', () => {
    const s = load('multi-agent-handoff');
    expect(mean(s, 'persistent', 'injected-web-page-conformant', 'blast_radius')).toBeLessThan(mean(s, 'persistent', 'injected-web-page', 'blast_radius'));
  });
});
