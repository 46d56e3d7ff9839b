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
 */
import type { CredentialNode, HybridException, Policy, Scenario, ScenarioNode } from '../domain/scenario.js';
import { SENSITIVITIES } from '../domain/scenario.js';
import type { CompiledModel } from '../model/compile.js';
import { KIND_CREDENTIAL } from '../model/compile.js';

/** Per credential node index: managed by the broker (1) or standing (0), and the standing rotation. */
export interface CredentialModes {
  readonly ephemeral: Uint8Array;
  /** Rotation period of standing secrets (Infinity = never); NaN for broker-managed credentials. */
  readonly rotationMs: Float64Array;
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

/** Resolves every credential's mode under `policy`. */
export function credentialModes(model: CompiledModel, policy: Policy): CredentialModes {
  const n = model.nodeCount;
  const ephemeral = new Uint8Array(n);
  const rotationMs = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    if (model.kind[i] !== KIND_CREDENTIAL) continue;
    const cred = model.scenario.nodes[i] as CredentialNode;
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
  return { ephemeral, rotationMs };
}

/** End of the standing version current at `t` (the next rotation boundary; Infinity when never rotated). */
export function versionEnd(rotationMs: number, t: number): number {
  if (!Number.isFinite(rotationMs)) return Number.POSITIVE_INFINITY;
  return (Math.floor(t / rotationMs) + 1) * rotationMs;
}
