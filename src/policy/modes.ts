/**
 * How a policy manages each credential (DESIGN §2.1): standing secret (with its rotation period) or
 * minted per task by the broker.
 *
 * - persistent → standing.
 * - ephemeral → minted when the credential is `ephemeralCapable`, else standing (a legacy system).
 * - hybrid → standing when the first exception whose `match` accepts the credential (every holder and
 *   every target satisfies every given key; `ids` lists credential ids) — with that exception's
 *   rotation — else as under ephemeral.
 * Rotation of a standing secret: exception rotation ?? the credential's own ?? the policy's ?? the
 * scenario default.
 *
 * Real timestamps (docs/import.md "Timestamp rules", T1–T4; time 0 = the scenario's `asOf`):
 * - T1 phase: the standing version in force at time 0 was issued at `lastRotatedAt`, else `createdAt`,
 *   else 0; rotations continue from that instant every period (boundaries at issued + k·rotation).
 * - T2 expiry: `expiresAt` ends every standing version; after it the credential has no valid
 *   standing material. (Tokens a broker mints under an ephemeral policy are the policy's, not it.)
 * - T3 staleness: a credential whose `lastUsedAt` is older than `staleAfter` at time 0 is stale
 *   (reports, `--attacks auto`); the scenario's `staleAfter` (default 90d) classifies.
 * - T4 hygiene: a policy that sets its own `staleAfter` disables the standing credentials stale under
 *   it at time 0 (as "deactivate unused keys after N days" does); without it nothing is disabled.
 */
import type {
  BrokerSettings,
  CredentialNode,
  CredentialTimes,
  HybridException,
  Policy,
  Scenario,
  ScenarioNode,
} from '../domain/scenario.js';
import { brokerOf, SENSITIVITIES } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import { KIND_CREDENTIAL } from '../model/compile.js';

/** Per credential node index: managed by the broker (1) or standing (0), and the standing rotation. */
export interface CredentialModes {
  readonly ephemeral: Uint8Array;
  /** Rotation period of standing secrets (Infinity = never); NaN for broker-managed credentials. */
  readonly rotationMs: Float64Array;
  /** T1: when the standing version in force at time 0 was issued (≤ 0; 0 without timestamps). */
  readonly phaseMs: Float64Array;
  /** T2/T4: end of every standing version (Infinity = no expiry; 0 = disabled at time 0). */
  readonly expiresAtMs: Float64Array;
}

function nodeMatches(node: ScenarioNode, match: HybridException['match']): boolean {
  if (match.environment !== null && node.kind !== 'credential' && node.environment !== match.environment) return false;
  if (match.replans !== null && node.kind === 'agent' && node.replans !== match.replans) return false;
  if (match.maxSensitivity !== null && node.kind === 'resource') {
    if (SENSITIVITIES.indexOf(node.sensitivity) > SENSITIVITIES.indexOf(match.maxSensitivity)) return false;
  }
  return true;
}

/** Whether a hybrid exception keeps `credential` persistent: every holder and target matches. */
export function exceptionMatches(model: CompiledModel, credIndex: number, exception: HybridException): boolean {
  const { match } = exception;
  const cred = model.scenario.nodes[credIndex] as CredentialNode;
  if (match.ids !== null && !match.ids.includes(cred.id)) return false;
  const nodes = model.scenario.nodes;
  const { holders, grants } = model;
  for (let k = holders.off[credIndex]!; k < holders.off[credIndex + 1]!; k++) {
    if (!nodeMatches(nodes[holders.to[k]!]!, match)) return false;
  }
  for (let k = grants.off[credIndex]!; k < grants.off[credIndex + 1]!; k++) {
    if (!nodeMatches(nodes[grants.to[k]!]!, match)) return false;
  }
  return true;
}

function standingRotation(scenario: Scenario, policy: Policy, cred: CredentialNode): number {
  return cred.rotationMs ?? policy.rotationMs ?? scenario.defaultRotationMs;
}

/**
 * What of a policy (and of its scenario) `credentialModes` depends on: its kind, hybrid exceptions,
 * rotation and staleness, and the scenario's default rotation. Policies of one graph with the same key
 * have the same modes (reach/workspace.ts keeps one per key: an attribution variant that keeps its
 * policy's lifetime shares its policy's).
 */
export function modesKeyOf(model: CompiledModel, policy: Policy): string {
  return JSON.stringify([
    policy.kind,
    policy.kind === 'hybrid' ? policy.exceptions : null,
    policy.rotationMs,
    policy.staleAfterMs,
    model.scenario.defaultRotationMs,
  ]);
}

/** Resolves every credential's mode under `policy`. */
export function credentialModes(model: CompiledModel, policy: Policy): CredentialModes {
  const n = model.nodeCount;
  const ephemeral = new Uint8Array(n);
  const rotationMs = new Float64Array(n).fill(Number.NaN);
  const phaseMs = new Float64Array(n);
  const expiresAtMs = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const { credentialTimes } = model.scenario;
  for (let i = 0; i < n; i++) {
    if (model.kind[i] !== KIND_CREDENTIAL) continue;
    const cred = model.scenario.nodes[i] as CredentialNode;
    const times = Object.hasOwn(credentialTimes, cred.id) ? credentialTimes[cred.id] : undefined;
    if (times !== undefined) {
      phaseMs[i] = Math.min(0, times.lastRotatedAtMs ?? times.createdAtMs ?? 0);
      if (times.expiresAtMs !== null) expiresAtMs[i] = times.expiresAtMs;
      if (policy.staleAfterMs !== null && isStale(times, policy.staleAfterMs)) expiresAtMs[i] = Math.min(expiresAtMs[i]!, 0);
    }
    switch (policy.kind) {
      case 'persistent':
        rotationMs[i] = standingRotation(model.scenario, policy, cred);
        break;
      case 'ephemeral':
        if (cred.ephemeralCapable) ephemeral[i] = 1;
        else rotationMs[i] = standingRotation(model.scenario, policy, cred);
        break;
      case 'hybrid': {
        const exception = policy.exceptions.find((e) => exceptionMatches(model, i, e));
        if (exception !== undefined) rotationMs[i] = exception.rotationMs;
        else if (cred.ephemeralCapable) ephemeral[i] = 1;
        else rotationMs[i] = standingRotation(model.scenario, policy, cred);
        break;
      }
    }
  }
  return { ephemeral, rotationMs, phaseMs, expiresAtMs };
}

/**
 * The broker that mints the managed credentials of `credentialModes(…, policy)`. A persistent policy
 * manages none, so code on a managed credential's path never asks with one: reaching the throw is a bug.
 */
export function brokerFor(policy: Policy): BrokerSettings {
  const broker = brokerOf(policy);
  if (broker === null) throw new Error(`brokerFor: policy "${policy.name}" is persistent and mints no tokens`);
  return broker;
}

/**
 * R7 binding: a token is bound to the workload that requested it when the broker binds tokens and
 * both that requester and the workload whose task it serves are workload identities.
 */
export function boundToRequester(model: CompiledModel, broker: BrokerSettings, principal: number, requester: number): boolean {
  return broker.bindToWorkload && model.isWorkloadIdentity[principal] === 1 && model.isWorkloadIdentity[requester] === 1;
}

/** T3: stale when the last use is known and older than `staleAfterMs` at time 0. */
export function isStale(times: CredentialTimes, staleAfterMs: number): boolean {
  return times.lastUsedAtMs !== null && -times.lastUsedAtMs > staleAfterMs;
}

/**
 * T1: end of the standing version current at `t` — the next rotation boundary counted from the
 * version's issue time `phaseMs` (≤ 0); Infinity when never rotated.
 */
export function versionEnd(rotationMs: number, t: number, phaseMs = 0): number {
  if (!Number.isFinite(rotationMs)) return Number.POSITIVE_INFINITY;
  return phaseMs + (Math.floor((t - phaseMs) / rotationMs) + 1) * rotationMs;
}

/** T1+T2: until when the standing material of credential `cred` current at `t` is valid (≤ t once expired). */
export function standingEnd(modes: CredentialModes, cred: number, t: number): number {
  return Math.min(versionEnd(modes.rotationMs[cred]!, t, modes.phaseMs[cred]), modes.expiresAtMs[cred]!);
}

/** When new standing material of `cred` appears after `t`: the next rotation, or Infinity past the expiry. */
export function nextStandingVersion(modes: CredentialModes, cred: number, t: number): number {
  const next = versionEnd(modes.rotationMs[cred]!, t, modes.phaseMs[cred]);
  return next < modes.expiresAtMs[cred]! ? next : Number.POSITIVE_INFINITY;
}
