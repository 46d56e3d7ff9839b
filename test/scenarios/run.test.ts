import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import { loadScenarios } from '../../src/scenario/load.js';
import { compile, type CompiledModel } from '../../src/model/compile.js';
import { runTrial } from '../../src/sim/trial.js';
import { METRICS } from '../../src/domain/metrics.js';
import type { Scenario } from '../../src/domain/scenario.js';
import { SCENARIOS_DIR } from './suites.js';

const { scenarios, issues } = loadScenarios([SCENARIOS_DIR]);
const byName = (name: string): Scenario => {
  const s = scenarios.find((x) => x.name === name);
  if (s === undefined) throw new Error(`scenario ${name} not loaded`);
  return s;
};

const compiled = new Map<Scenario, CompiledModel>();
/** Compiles once per scenario, so the engine's per-model caches are reused across calls. */
function modelOf(s: Scenario): CompiledModel {
  let model = compiled.get(s);
  if (model === undefined) {
    model = compile(s);
    compiled.set(s, model);
  }
  return model;
}

/** Mean of one metric over `n` trials of (policy, attack), both by name. */
function mean(s: Scenario, policy: string, attack: string, metric: (typeof METRICS)[number], n = 5): number {
  const model = modelOf(s);
  const p = s.policies.findIndex((x) => x.name === policy);
  const a = s.attacks.findIndex((x) => x.name === attack);
  if (p < 0) throw new Error(`${s.name}: no policy named ${policy}`);
  if (a < 0) throw new Error(`${s.name}: no attack named ${attack}`);
  let sum = 0;
  for (let t = 0; t < n; t++) sum += runTrial(model, p, a, t)[metric] ?? 0;
  return sum / n;
}

describe('scenario suites: loading', () => {
  it('should validate every shipped scenario with zero issues', () => {
    expect(issues.map(formatIssue)).toEqual([]);
    expect(scenarios.length).toBeGreaterThanOrEqual(5 + 12 + 4);
  });

  it('should resolve each breach baseline to a standing policy named as-was', () => {
    for (const s of scenarios.filter((x) => x.source.file.includes('breaches'))) {
      expect(s.policies[0]?.name, s.name).toBe('as-was');
      expect(s.policies[0]?.kind, s.name).toBe('persistent');
    }
  });
});

describe('scenario suites: running', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('should run %s under every policy and attack (5 trials)', (_name, s) => {
    const model = modelOf(s);
    const resources = s.nodes.filter((n) => n.kind === 'resource').length;
    for (let p = 0; p < s.policies.length; p++) {
      for (let a = 0; a < s.attacks.length; a++) {
        for (let t = 0; t < 5; t++) {
          const m = runTrial(model, p, a, t);
          for (const metric of METRICS) {
            const v = m[metric];
            if (v !== null) expect(Number.isFinite(v), `${s.name} ${metric}`).toBe(true);
          }
          expect(m.resources_reached ?? 0).toBeLessThanOrEqual(resources);
          expect([0, 1]).toContain(m.attack_success);
          expect(m.attack_success).toBe((m.resources_reached ?? 0) > 0 ? 1 : 0);
        }
      }
    }
  });
});

// What each built-in claims in its description.
describe('scenario suites: the trade-offs the descriptions claim', () => {
  it('should break the non-refreshable 3h batch job every night under 15m tokens but not under the hybrid exception', () => {
    const s = byName('legacy-batch');
    const attack = s.attacks[0]?.name ?? '';
    const nights = 30;
    // The hybrid still fails the odd API call when the issuer is unavailable (availability 0.999).
    const hybrid = mean(s, 'hybrid', attack, 'tasks_failed', 3);
    expect(mean(s, 'ephemeral-15m', attack, 'tasks_failed', 3)).toBeGreaterThanOrEqual(nights);
    expect(hybrid).toBeLessThan(nights / 2);
    expect(mean(s, 'persistent', attack, 'tasks_failed', 3)).toBe(0);
  });

  it('should make the poller cost issuance under all-ephemeral but barely under the hybrid', () => {
    const s = byName('stable-service-account');
    const eph = mean(s, 'ephemeral-15m', 'poller-key-replay', 'tokens_issued', 3);
    const hyb = mean(s, 'hybrid', 'poller-key-replay', 'tokens_issued', 3);
    expect(eph).toBeGreaterThan(10 * hyb);
  });

  it('should cut replay success of the CI deploy key under ephemeral tokens', () => {
    const s = byName('ci-deploy-key');
    expect(mean(s, 'ephemeral-15m', 'secret-replay', 'attack_success')).toBeLessThan(mean(s, 'persistent', 'secret-replay', 'attack_success'));
  });

  const breachScenarios = scenarios.filter((x) => x.source.file.includes('breaches'));

  it('should let every breach attack reach something under the as-was policy (the incident happened)', () => {
    for (const s of breachScenarios) {
      for (const a of s.attacks) expect(mean(s, 'as-was', a.name, 'attack_success', 5), `${s.name} ${a.name}`).toBeGreaterThan(0.5);
    }
  });

  it('should reach every resource the record confirms in each as-recorded replay under as-was (5 trials)', () => {
    for (const s of breachScenarios) {
      const confirmed = s.nodes.filter((n) => n.kind === 'resource' && n.record?.reached === 'confirmed').length;
      for (const attack of s.record?.attacks ?? []) {
        for (let t = 0; t < 5; t++) {
          const p = s.policies.findIndex((x) => x.name === 'as-was');
          const a = s.attacks.findIndex((x) => x.name === attack);
          expect(runTrial(modelOf(s), p, a, t).confirmed_resources_reached ?? 0, `${s.name} ${attack} trial ${t}`).toBe(confirmed);
        }
      }
    }
  });

  it('should show, in every breach, a deployable policy that lowers the blast radius of some attack', () => {
    for (const s of breachScenarios) {
      const better = s.attacks.some((a) =>
        s.policies.slice(1).some((p) => mean(s, p.name, a.name, 'blast_radius', 5) < mean(s, 'as-was', a.name, 'blast_radius', 5)),
      );
      expect(better, s.name).toBe(true);
    }
  });

  it('should show where ephemeral access does not help: code running inside a CI job', () => {
    for (const [name, attack] of [['codecov-2021', 'altered-uploader-in-ci'], ['tj-actions-2025', 'poisoned-action-in-ci']] as const) {
      const s = byName(name);
      for (const p of s.policies) expect(mean(s, p.name, attack, 'attack_success', 5), `${name} ${p.name}`).toBe(1);
    }
  });

  it('should let intent drift succeed under role-scoped tokens and be denied by the re-evaluating broker', () => {
    const s = byName('data-agent');
    expect(mean(s, 'sts-1h', 'enrich-and-export-drift', 'attack_success', 5)).toBe(1);
    expect(mean(s, 'broker-15m', 'enrich-and-export-drift', 'attack_success', 5)).toBe(0);
  });
});
