/**
 * One-line descriptions of a scenario's parts for the reports: what each breach pattern replays (from
 * the pattern registry), framework labels (from the framework list), attacks, policies, distributions.
 */
import { PATTERNS } from '../attacks/registry.js';
import { assertNever } from '../lib/assert.js';
import { formatDuration } from '../lib/duration.js';
import type { Attack, BrokerSettings, Distribution, PatternId, Policy } from '../domain/scenario.js';
import { brokerOf } from '../domain/scenario.js';
import { describeControls } from './attribution.js';
import { exactPercent } from './human.js';

/** What a breach pattern replays (SPEC §4), from the pattern registry, for the "what was replayed" list. */
export function patternSummary(pattern: PatternId): string {
  return PATTERNS[pattern].summary;
}

/** One line describing an attack's parameters. */
export function describeAttack(attack: Attack): string {
  const hops = `hop every ${describeDistribution(attack.hopDelay)}${attack.maxHops === Infinity ? '' : `, at most ${attack.maxHops} hops`}`;
  switch (attack.pattern) {
    case 'secret-replay':
      return `${attack.credential} leaks from ${attack.from} at ${formatDuration(attack.leakAtMs)}, replayed after ${describeDistribution(attack.replayDelay)}; ${hops}.`;
    case 'lateral-movement':
      return `Entry ${attack.entry} controlled from ${formatDuration(attack.atMs)}; ${hops}.`;
    case 'tool-chaining':
      return `${attack.agent} hijacked at ${formatDuration(attack.atMs)}; ${hops}.`;
    case 'intent-drift':
      return `${attack.agent} drifts at ${formatDuration(attack.atMs)} towards ${attack.targets.map((t) => `${t.action} ${t.target}`).join(', ')}; ${hops}.`;
    case 'orphaned-credential':
      return `${attack.agent} retired at ${formatDuration(attack.retiredAtMs)} still holding ${attack.credentials.join(', ')}, found after ${describeDistribution(attack.foundDelay)}; ${hops}.`;
    case 'mass-leak':
      return `Everything held at ${attack.holder} leaks at ${formatDuration(attack.leakAtMs)}, replayed after ${describeDistribution(attack.replayDelay)}; ${hops}.`;
    default:
      return assertNever(attack);
  }
}

/** One line describing a policy's settings that matter for its kind. */
export function describePolicy(policy: Policy): string {
  const parts: string[] = [];
  const brokerParts = (broker: BrokerSettings): void => {
    parts.push(`ttl ${formatDuration(broker.ttlMs)}`, `scope ${broker.scope}`);
    const revoke = (['completion', 'failure', 'timeout'] as const).filter((t) => broker.revokeOn[t]);
    if (revoke.length > 0) parts.push(`revoke on ${revoke.join(', ')}`);
    if (broker.reevaluate !== 'none') parts.push(`re-evaluate ${broker.reevaluate}`);
    if (broker.bindToWorkload) parts.push('bound to workload');
  };
  switch (policy.kind) {
    case 'persistent':
      parts.push(
        policy.rotationMs === null ? 'rotation: credential / scenario default' : `rotation ${formatDuration(policy.rotationMs)}`,
      );
      break;
    case 'ephemeral':
      brokerParts(policy.broker);
      break;
    case 'hybrid':
      brokerParts(policy.broker);
      parts.push(
        policy.exceptions.length === 0
          ? 'no persistent exceptions'
          : `${policy.exceptions.length} persistent exception${policy.exceptions.length === 1 ? '' : 's'} (${policy.exceptions.map((e) => `rotation ${formatDuration(e.rotationMs)}`).join(', ')})`,
      );
      break;
    default:
      return assertNever(policy);
  }
  parts.push(...describeControls(policy));
  if (policy.detection !== null) {
    parts.push(`detection ${exactPercent(policy.detection.probability)} after ${describeDistribution(policy.detection.delay)}`);
  }
  const envs = Object.keys(policy.revocationLatency.byEnvironment);
  if (policy.revocationLatency.default.kind !== 'fixed' || policy.revocationLatency.default.valueMs !== 0 || envs.length > 0) {
    parts.push(
      `revocation latency ${describeDistribution(policy.revocationLatency.default)}${envs
        .map(
          (e) => `, ${e} ${describeDistribution(policy.revocationLatency.byEnvironment[e] ?? policy.revocationLatency.default)}`,
        )
        .join('')}`,
    );
  }
  const issuer = brokerOf(policy)?.issuer ?? null; // a persistent policy has no issuer
  if (issuer !== null && (issuer.availability < 1 || issuer.latency.kind !== 'fixed' || issuer.latency.valueMs !== 0)) {
    parts.push(`issuer ${describeDistribution(issuer.latency)}, availability ${exactPercent(issuer.availability)}`);
  }
  return parts.join(' · ');
}

/** A distribution in the words of the scenario file (`fixed 1h`, `exponential mean 2h`, …). */
export function describeDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'fixed':
      return formatDuration(d.valueMs);
    case 'exponential':
      return `exponential(mean ${formatDuration(d.meanMs)})`;
    case 'lognormal':
      return `lognormal(median ${formatDuration(d.medianMs)}, σ ${d.sigma})`;
    case 'uniform':
      return `uniform(${formatDuration(d.minMs)}–${formatDuration(d.maxMs)})`;
    default:
      return assertNever(d);
  }
}
