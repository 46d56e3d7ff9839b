/** Hand-made inputs for the metrics and report tests: two small scenarios and their trial rows. */
import { METRICS, type Metric, type TrialMetrics, type TrialRow } from '../../src/domain/metrics.js';
import type { HybridException, PersistentPolicy, Policy, Scenario } from '../../src/domain/scenario.js';
import { ephemeral, hybrid, persistent, type BrokerExtra } from '../arbitraries/build.js';

/** Overrides of a fixture policy: its kind (default persistent) and settings, a broker's written flat. */
export type PolicyOverrides =
  | ({ readonly kind?: 'persistent' } & Partial<Omit<PersistentPolicy, 'kind'>>)
  | ({ readonly kind: 'ephemeral' } & BrokerExtra)
  | ({ readonly kind: 'hybrid' } & BrokerExtra & { readonly exceptions?: readonly HybridException[] });

/** A resolved policy with defaults (test/arbitraries/build.ts: standing scope all; 15m task tokens), overridable. */
export function policy(name: string, overrides: PolicyOverrides = {}): Policy {
  if (overrides.kind === 'ephemeral') {
    const { kind: _kind, ...extra } = overrides;
    return ephemeral(name, extra);
  }
  if (overrides.kind === 'hybrid') {
    const { kind: _kind, ...extra } = overrides;
    return hybrid(name, extra);
  }
  const { kind: _kind, ...extra } = overrides;
  return persistent(name, extra);
}

const zero = { kind: 'fixed', valueMs: 0 } as const;

/** A small resolved scenario with two attacks and the given policies. */
export function scenario(name: string, policies: readonly Policy[], extra: Partial<Scenario> = {}): Scenario {
  return {
    name,
    description: `A CI agent's deploy key (${name}) is echoed into build logs.`,
    references: ['https://example.org/incident-report'],
    frameworks: { 'owasp-nhi': ['NHI2:2025', 'NHI7:2025'], attack: ['T1552.001'], 'nist-csf': ['PR.AA-05'] },
    seed: 7,
    trials: 4,
    horizonMs: 30 * 86_400_000,
    sensitivityWeights: { public: 0, internal: 1, confidential: 3, regulated: 10 },
    defaultRotationMs: Infinity,
    asOf: null,
    staleAfterMs: 90 * 86_400_000,
    credentialTimes: {},
    provenance: {},
    nodes: [
      { kind: 'agent', id: 'ci-agent', replans: false, environment: 'aws', identity: 'workload', exposure: 'snapshot' },
      {
        kind: 'resource',
        id: 'prod-db',
        sensitivity: 'regulated',
        weight: 10,
        records: 2_000_000,
        environment: 'aws',
        exposure: 'snapshot',
        egress: false,
      },
      { kind: 'credential', id: 'deploy-key', type: 'api-key', ephemeralCapable: true, rotationMs: null },
    ],
    edges: [],
    workload: [],
    attacks: [
      {
        pattern: 'secret-replay',
        name: 'secret-replay',
        credential: 'deploy-key',
        from: 'ci-agent',
        leakAtMs: 86_400_000,
        replayDelay: zero,
        hopDelay: zero,
        maxHops: Infinity,
      },
      {
        pattern: 'lateral-movement',
        name: 'lateral-movement',
        entry: 'ci-agent',
        atMs: 0,
        hopDelay: zero,
        maxHops: Infinity,
      },
    ],
    policies,
    source: { file: `${name}.yaml`, sha256: '0'.repeat(64) },
    ...extra,
  };
}

/** Trial metrics with every metric 0 except the given ones. */
export function metrics(values: Partial<Record<Metric, number | null>>): TrialMetrics {
  const out: Record<string, number | null> = {};
  for (const m of METRICS) out[m] = m in values ? (values[m] ?? null) : 0;
  return out as TrialMetrics;
}

/** One trial row. */
export function trial(
  scenarioName: string,
  policyName: string,
  attack: string,
  index: number,
  values: Partial<Record<Metric, number | null>>,
): TrialRow {
  return { scenario: scenarioName, policy: policyName, attack, trial: index, seed: 1000 + index, metrics: metrics(values) };
}

/**
 * Deterministic rows for a scenario: the persistent baseline leaks everything (blast 10, exposure
 * about 2 days), the ephemeral policy contains most trials (blast 10 in one trial of four, exposure
 * minutes) and costs tokens.
 */
export function trialsFor(s: Scenario): TrialRow[] {
  const rows: TrialRow[] = [];
  for (const p of s.policies) {
    const ephemeral = p.kind !== 'persistent';
    for (const a of s.attacks) {
      for (let i = 0; i < s.trials; i++) {
        const hit = !ephemeral || i === 0;
        rows.push(
          trial(s.name, p.name, a.name, i, {
            resources_reached: hit ? 1 : 0,
            attack_success: hit ? 1 : 0,
            blast_radius: hit ? 10 : 0,
            records_exposed: hit ? 2_000_000 : 0,
            privileged_resources: hit ? 1 : 0,
            credentials_harvested: 1,
            max_hops: hit ? 1 : 0,
            exposure_window_s: ephemeral ? 300 + 60 * i : 172_800 + 3600 * i,
            access_window_s: ephemeral ? 300 + 60 * i : 172_800 + 3600 * i,
            time_to_first_access_s: hit ? 60 : null,
            time_to_containment_s: ephemeral && i > 1 ? 900 : null,
            tokens_issued: ephemeral ? 720 + i : 0,
            peak_issuance_per_s: ephemeral ? 2 : 0,
            issuance_wait_p95_ms: ephemeral ? 120 : 0,
            tasks_total: 720,
            tasks_failed: ephemeral ? i : 0,
            reauthorizations: ephemeral ? 3 : 0,
          }),
        );
      }
    }
  }
  return rows;
}
