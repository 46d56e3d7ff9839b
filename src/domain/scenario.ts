/**
 * The resolved, frozen scenario: what every module downstream of `src/scenario/` sees.
 *
 * Produced once by the loader (file → parsed document → schema → reference checks → defaults
 * resolved). Nothing downstream re-validates and nothing here is optional: every default is already
 * applied, every duration is integer milliseconds (`Infinity` for `never`), every sensitivity has
 * its weight.
 */

export const NODE_KINDS = ['agent', 'tool', 'resource', 'credential'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_KINDS = ['holds', 'grants', 'invokes', 'assumes', 'runs', 'issues'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export const ACTIONS = ['read', 'write', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

export const SENSITIVITIES = ['public', 'internal', 'confidential', 'regulated'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];
export const DEFAULT_SENSITIVITY_WEIGHTS: Readonly<Record<Sensitivity, number>> = {
  public: 0,
  internal: 1,
  confidential: 3,
  regulated: 10,
};

export const IDENTITIES = ['workload', 'shared-secret'] as const;
export type Identity = (typeof IDENTITIES)[number];

/** How a holder leaks (SPEC §1 "What short-lived access does not stop"): a one-time copy, or the newest material whenever the attacker looks. */
export const EXPOSURES = ['snapshot', 'live'] as const;
export type Exposure = (typeof EXPOSURES)[number];

export const POLICY_KINDS = ['persistent', 'ephemeral', 'hybrid'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const SCOPES = ['task', 'step', 'role', 'intent', 'all'] as const;
export type Scope = (typeof SCOPES)[number];
/** Scopes a broker-minted token may have (ephemeral and hybrid policies). */
export const TOKEN_SCOPES = ['task', 'step', 'role'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
/** Scopes of standing secrets (persistent policies): right-sized to declared intent, or everything granted. */
export const STANDING_SCOPES = ['intent', 'all'] as const;
export type StandingScope = (typeof STANDING_SCOPES)[number];

export const CALL_CHAINS = ['propagated', 'none'] as const;
export type CallChain = (typeof CALL_CHAINS)[number];

export const REVOKE_TRIGGERS = ['completion', 'failure', 'timeout'] as const;
export type RevokeTrigger = (typeof REVOKE_TRIGGERS)[number];

export const REEVALUATE_MODES = ['none', 'privileged', 'every-step'] as const;
export type ReevaluateMode = (typeof REEVALUATE_MODES)[number];

export const PATTERN_IDS = [
  'secret-replay',
  'lateral-movement',
  'tool-chaining',
  'intent-drift',
  'orphaned-credential',
  'mass-leak',
] as const;
export type PatternId = (typeof PATTERN_IDS)[number];

import type { Distribution } from '../lib/distribution.js';
export type { Distribution };

export interface AgentNode {
  readonly kind: 'agent';
  readonly id: string;
  readonly replans: boolean;
  readonly environment: string;
  readonly identity: Identity;
  readonly exposure: Exposure;
}

export interface ToolNode {
  readonly kind: 'tool';
  readonly id: string;
  readonly environment: string;
  readonly exposure: Exposure;
}

export interface ResourceNode {
  readonly kind: 'resource';
  readonly id: string;
  readonly sensitivity: Sensitivity;
  /** Sensitivity weight after the scenario's overrides. */
  readonly weight: number;
  readonly records: number;
  readonly environment: string;
  /** Data leaves through it (email, ticket replies, comments, outbound web): see records_exfiltrated. */
  readonly egress: boolean;
  readonly exposure: Exposure;
  /** What the public record says about this resource in the incident replayed; absent = `potential`, no source. */
  readonly record?: ResourceRecord;
}

/** Whether an incident's public record says a resource was reached (docs/incidents.md). */
export const REACHED_STATES = ['confirmed', 'denied', 'potential'] as const;
export type ReachedState = (typeof REACHED_STATES)[number];
export interface ResourceRecord {
  readonly reached: ReachedState;
  /** The public source (`null` only for `potential`). */
  readonly source: string | null;
}
/** Scenario-level record of an incident: the recorded dwell and the attacks that replay it as recorded. */
export interface ScenarioRecord {
  /** `null` when the record does not give the dwell. */
  readonly dwellMs: number | null;
  readonly source: string;
  readonly attacks: readonly string[];
}

export interface CredentialNode {
  readonly kind: 'credential';
  readonly id: string;
  readonly type: string;
  readonly ephemeralCapable: boolean;
  /** The credential's own rotation period, or `null` when it did not set one (policy / scenario default applies). */
  readonly rotationMs: number | null;
}

export type ScenarioNode = AgentNode | ToolNode | ResourceNode | CredentialNode;

/**
 * A credential's real timestamps as simulated times in milliseconds (0 = the scenario's `asOf`, so
 * past instants are negative); `null` = not given. Rules in docs/import.md "Timestamp rules".
 */
export interface CredentialTimes {
  readonly createdAtMs: number | null;
  readonly lastRotatedAtMs: number | null;
  readonly lastUsedAtMs: number | null;
  readonly expiresAtMs: number | null;
  /** The issuer's own token lifetime (informational: policies decide lifetimes in the simulation). */
  readonly nativeTtlMs: number | null;
}

/** Where an imported node came from. */
export interface Provenance {
  readonly source: string;
  readonly id: string;
}

export interface ScenarioEdge {
  /** Deterministic key: `<kind>:<from>-><to>#<n>` where n counts repeats of the same triple in file order. */
  readonly key: string;
  readonly kind: EdgeKind;
  readonly from: string;
  readonly to: string;
  /** `grants` only: the allowed actions (deduplicated, in ACTIONS order); empty for other kinds. */
  readonly actions: readonly Action[];
}

export interface TaskStep {
  readonly target: string;
  readonly action: Action;
  /** The tool the step goes through, or `null` when the agent acts directly. */
  readonly via: string | null;
  /**
   * The credential the step uses, resolved at load time: the one the file names, or else the single
   * credential held by the actor (the agent, or the `via` tool) that grants `action` on `target`
   * (first in file order when several do).
   */
  readonly credential: string;
}

/** A token exchange a task declares (`{exchange: {from, to}}`): part of the agent's intent (SPEC §1). */
export interface TaskExchange {
  /** The credential the agent holds, or obtains by an earlier declared exchange. */
  readonly from: string;
  /** The credential it obtains (`from` has an `assumes` edge to it). */
  readonly to: string;
}

export interface Task {
  /** `<agent>#<index in workload list>` — stable, used in keyed random draws. */
  readonly id: string;
  readonly index: number;
  readonly agent: string;
  /** Period between starts, or `Infinity` for a one-off task. */
  readonly everyMs: number;
  /** First start (default 0). */
  readonly atMs: number;
  readonly durationMs: number;
  /** Abort the task (a `timeout`) when it runs longer than this; `Infinity` = no limit. */
  readonly timeoutMs: number;
  readonly refreshable: boolean;
  /** The action steps, in file order (exchange steps are listed apart in `exchanges`). */
  readonly steps: readonly TaskStep[];
  /** The declared exchange steps, in file order. */
  readonly exchanges: readonly TaskExchange[];
}

export interface Detection {
  /** Each attacker attempt is noticed with this probability (0 when only `at` is given). */
  readonly probability: number;
  readonly delay: Distribution;
  /** Recorded detection: the moment (from time 0) the incident is noticed; `Infinity` = none. */
  readonly atMs: number;
}

/** Human approval of gated actions (docs/controls.md C4). */
export interface Approval {
  readonly actions: readonly Action[];
  /** Probability that an attacker request for a gated action is refused. */
  readonly refuse: number;
  /** How long a benign task waits for each gated step's approval. */
  readonly wait: Distribution;
}

export interface HybridException {
  readonly match: {
    readonly replans: boolean | null;
    readonly maxSensitivity: Sensitivity | null;
    readonly environment: string | null;
    readonly ids: readonly string[] | null;
  };
  readonly rotationMs: number;
}

/** What every policy kind has: standing rotation, detection, revocation, hygiene, approval. */
interface PolicyBase {
  readonly name: string;
  /** Standing rotation period; `null` when the policy does not set one (credential / scenario default applies). */
  readonly rotationMs: number | null;
  /** Human approval of gated actions, under every kind (docs/controls.md C4); `null` = none. */
  readonly approval: Approval | null;
  /** Attacker-created material (SPEC §1 persistence via `issues` edges) is forbidden. */
  readonly forbidCreation: boolean;
  /** `null` = never noticed. */
  readonly detection: Detection | null;
  /** Time from a detection to revocation taking effect, per environment (`default` for the rest). */
  readonly revocationLatency: { readonly default: Distribution; readonly byEnvironment: Readonly<Record<string, Distribution>> };
  /** Unused for longer = stale; `null` = the scenario's `staleAfterMs`. */
  readonly staleAfterMs: number | null;
}

/** How the token broker of an ephemeral or hybrid policy mints, checks and revokes tokens. */
export interface BrokerSettings {
  readonly ttlMs: number;
  readonly scope: TokenScope;
  readonly revokeOn: Readonly<Record<RevokeTrigger, boolean>>;
  readonly reevaluate: ReevaluateMode;
  readonly bindToWorkload: boolean;
  /** Whose intent the broker checks a tool's token request against (docs/controls.md C3). */
  readonly callChain: CallChain;
  readonly issuer: { readonly latency: Distribution; readonly availability: number };
}

/** Every credential is a standing secret; nothing is minted. */
export interface PersistentPolicy extends PolicyBase {
  readonly kind: 'persistent';
  /** What a standing secret grants: everything (`all`) or its users' declared intent (docs/controls.md C2). */
  readonly scope: StandingScope;
}

/** The broker mints each ephemeral-capable credential per task; the others stay standing (legacy systems). */
export interface EphemeralPolicy extends PolicyBase {
  readonly kind: 'ephemeral';
  readonly broker: BrokerSettings;
}

/** As ephemeral, except the credentials an exception matches, which stay standing with its rotation. */
export interface HybridPolicy extends PolicyBase {
  readonly kind: 'hybrid';
  readonly broker: BrokerSettings;
  readonly exceptions: readonly HybridException[];
}

/** A resolved policy, narrowed on `kind`: broker settings exist only where a broker mints. */
export type Policy = PersistentPolicy | EphemeralPolicy | HybridPolicy;
/** A policy whose broker mints tokens (what `serve` can apply). */
export type BrokerPolicy = EphemeralPolicy | HybridPolicy;

/** The broker settings of a policy; `null` for a persistent one (it mints nothing). */
export function brokerOf(policy: Policy): BrokerSettings | null {
  switch (policy.kind) {
    case 'persistent':
      return null;
    case 'ephemeral':
    case 'hybrid':
      return policy.broker;
  }
}

interface AttackBase {
  /** The value of the `attack` column. */
  readonly name: string;
  readonly hopDelay: Distribution;
  /** `Infinity` = unbounded. */
  readonly maxHops: number;
}

export interface SecretReplayAttack extends AttackBase {
  readonly pattern: 'secret-replay';
  readonly credential: string;
  readonly from: string;
  readonly leakAtMs: number;
  readonly replayDelay: Distribution;
}
export interface LateralMovementAttack extends AttackBase {
  readonly pattern: 'lateral-movement';
  readonly entry: string;
  readonly atMs: number;
}
export interface ToolChainingAttack extends AttackBase {
  readonly pattern: 'tool-chaining';
  readonly agent: string;
  readonly atMs: number;
}
export interface IntentDriftAttack extends AttackBase {
  readonly pattern: 'intent-drift';
  readonly agent: string;
  readonly atMs: number;
  readonly targets: readonly { readonly target: string; readonly action: Action }[];
}
export interface OrphanedCredentialAttack extends AttackBase {
  readonly pattern: 'orphaned-credential';
  readonly agent: string;
  /** Resolved: the named credentials, or every credential the agent holds. */
  readonly credentials: readonly string[];
  readonly retiredAtMs: number;
  readonly foundDelay: Distribution;
}
export interface MassLeakAttack extends AttackBase {
  readonly pattern: 'mass-leak';
  readonly holder: string;
  readonly leakAtMs: number;
  readonly replayDelay: Distribution;
}

export type Attack =
  SecretReplayAttack | LateralMovementAttack | ToolChainingAttack | IntentDriftAttack | OrphanedCredentialAttack | MassLeakAttack;

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly references: readonly string[];
  /** Framework key (`owasp-nhi`, `attack`, `nist-csf`, …) → ids, as written. */
  readonly frameworks: Readonly<Record<string, readonly string[]>>;
  readonly seed: number;
  readonly trials: number;
  readonly horizonMs: number;
  readonly sensitivityWeights: Readonly<Record<Sensitivity, number>>;
  /** Scenario-wide default rotation for persistent credentials (`Infinity` = never). */
  readonly defaultRotationMs: number;
  /** Nodes in file order. */
  readonly nodes: readonly ScenarioNode[];
  /** Edges in file order. */
  readonly edges: readonly ScenarioEdge[];
  readonly workload: readonly Task[];
  readonly attacks: readonly Attack[];
  /** Policies in file order (the first is the default baseline). */
  readonly policies: readonly Policy[];
  /** The instant simulated time 0 stands for (ISO 8601 as written), or `null`. */
  readonly asOf: string | null;
  /** A credential unused for longer than this is stale (default 90 days). */
  readonly staleAfterMs: number;
  /** Credential id → its real timestamps; only credentials that have at least one. */
  readonly credentialTimes: Readonly<Record<string, CredentialTimes>>;
  /** Node id → provenance; only imported nodes. */
  readonly provenance: Readonly<Record<string, Provenance>>;
  /** Incident replays only: the recorded dwell and the attacks that replay the record (absent elsewhere). */
  readonly record?: ScenarioRecord;
  /** Where it came from (path as given) and the sha256 of its bytes (shard records, merge checks). */
  readonly source: { readonly file: string; readonly sha256: string };
}
