/**
 * Which control buys what (SPEC §2, docs/controls.md "Attribution"): the reduction of a policy's mean
 * blast radius against the baseline, split among the controls it changes.
 *
 * A1 The controls are `lifetime` (kind, rotation, ttl, revokeOn, hybrid exceptions, issuer), `scope`
 *    (all / intent / step: every intent check — token coverage, issuance, standing grants), `binding`,
 *    `reevaluate`, `callChain` and `approval`. A policy switches the controls whose setting differs
 *    from the baseline's (k of them, k ≤ 6).
 * A2 A variant of the policy has a subset S of its switches set back to the baseline's setting and
 *    keeps everything else (name included, so it runs on the policy's own trial seeds). f(S) is its
 *    mean blast radius; f(∅) is the policy's own.
 * A3 Each switched control i carries its exact Shapley value over the k switches:
 *    φ_i = Σ_{S ⊆ N∖{i}} |S|!(k−|S|−1)!/k! · (f(S ∪ {i}) − f(S)); Σ φ_i = f(N) − f(∅).
 * A4 `other` carries the rest of the whole reduction (baseline mean − policy mean − Σ φ_i): settings
 *    outside the six controls (detection, revocation latency) and the sampling difference between
 *    the baseline's trial seeds and the policy's. Rows: reduction_pct = φ / baseline mean × 100,
 *    share = φ / (baseline mean − policy mean); the shares of a (scenario, attack, policy) sum to 1.
 */
import type { BrokerSettings, Policy, Scope, StandingScope, TokenScope } from '../domain/scenario.js';
import { brokerOf } from '../domain/scenario.js';

/** The controls, in the order of attribution.csv rows. */
export const CONTROLS = ['lifetime', 'scope', 'binding', 'reevaluate', 'callChain', 'approval'] as const;
export type Control = (typeof CONTROLS)[number];

/** The `control` value of the remainder row (A4). */
export const OTHER = 'other';

/** Most switches a policy can have: 2^6 variants at most. */
export const MAX_SWITCHES = CONTROLS.length;

/** The intent-check granularity of a scope (A1): everything granted, declared intent, or one step. */
function scopeSetting(scope: Scope): 'all' | 'intent' | 'step' {
  switch (scope) {
    case 'role':
    case 'all':
      return 'all';
    case 'task':
    case 'intent':
      return 'intent';
    case 'step':
      return 'step';
  }
}

/** The scope a policy applies: its standing scope (persistent) or its tokens' (broker). */
function scopeOf(policy: Policy): Scope {
  switch (policy.kind) {
    case 'persistent':
      return policy.scope;
    case 'ephemeral':
    case 'hybrid':
      return policy.broker.scope;
  }
}

/** The broker-only controls of a policy without a broker (persistent): it binds, re-evaluates and propagates nothing. */
const NO_BROKER = { bindToWorkload: false, reevaluate: 'none', callChain: 'none' } as const;

/** A policy's binding, re-evaluation and call-chain settings (NO_BROKER for a persistent one). */
function brokerControls(policy: Policy): Pick<BrokerSettings, 'bindToWorkload' | 'reevaluate' | 'callChain'> {
  return brokerOf(policy) ?? NO_BROKER;
}

/** The `lifetime` setting (A1): the kind with its rotation, or its ttl, revokeOn, hybrid exceptions and issuer. */
function lifetimeSetting(policy: Policy): string {
  switch (policy.kind) {
    case 'persistent':
      return JSON.stringify([policy.kind, policy.rotationMs]);
    case 'ephemeral':
    case 'hybrid': {
      const { ttlMs, revokeOn, issuer } = policy.broker;
      const exceptions = policy.kind === 'hybrid' ? policy.exceptions : [];
      return JSON.stringify([policy.kind, ttlMs, revokeOn, exceptions, issuer, policy.rotationMs]);
    }
  }
}

/** A control's setting under a policy, as a comparable string. */
export function controlSetting(policy: Policy, control: Control): string {
  switch (control) {
    case 'lifetime':
      return lifetimeSetting(policy);
    case 'scope':
      return scopeSetting(scopeOf(policy));
    case 'binding':
      return String(brokerControls(policy).bindToWorkload);
    case 'reevaluate':
      return brokerControls(policy).reevaluate;
    case 'callChain':
      return brokerControls(policy).callChain;
    case 'approval':
      return JSON.stringify(policy.approval);
  }
}

/** The controls whose setting differs between the policy and the baseline, in CONTROLS order (A1). */
export function switchedControls(policy: Policy, baseline: Policy): Control[] {
  return CONTROLS.filter((c) => controlSetting(policy, c) !== controlSetting(baseline, c));
}

/** The standing scope for an intent-check granularity: a standing key cannot be step-scoped (`step` → intent). */
function standingScopeFor(setting: 'all' | 'intent' | 'step'): StandingScope {
  return setting === 'all' ? 'all' : 'intent';
}

/** The token scope for an intent-check granularity. */
function tokenScopeFor(setting: 'all' | 'intent' | 'step'): TokenScope {
  return setting === 'all' ? 'role' : setting === 'step' ? 'step' : 'task';
}

/**
 * The policy with the controls of `back` set to the baseline's setting (A2); name and other settings
 * kept. The kind comes with `lifetime`: a persistent variant has no broker, so binding, re-evaluation
 * and call-chain context do not exist on it.
 */
export function variantPolicy(policy: Policy, baseline: Policy, back: readonly Control[]): Policy {
  const from = (c: Control): Policy => (back.includes(c) ? baseline : policy);
  const life = from('lifetime');
  const setting = scopeSetting(scopeOf(from('scope')));
  const shared = {
    name: policy.name,
    rotationMs: life.rotationMs,
    approval: from('approval').approval,
    forbidCreation: policy.forbidCreation,
    detection: policy.detection,
    revocationLatency: policy.revocationLatency,
    staleAfterMs: policy.staleAfterMs,
  };
  if (life.kind === 'persistent') return { ...shared, kind: 'persistent', scope: standingScopeFor(setting) };
  const broker: BrokerSettings = {
    ttlMs: life.broker.ttlMs,
    scope: tokenScopeFor(setting),
    revokeOn: life.broker.revokeOn,
    reevaluate: brokerControls(from('reevaluate')).reevaluate,
    bindToWorkload: brokerControls(from('binding')).bindToWorkload,
    callChain: brokerControls(from('callChain')).callChain,
    issuer: life.broker.issuer,
  };
  switch (life.kind) {
    case 'ephemeral':
      return { ...shared, kind: 'ephemeral', broker };
    case 'hybrid':
      return { ...shared, kind: 'hybrid', broker, exceptions: life.exceptions };
  }
}

/**
 * A policy as far as risk is concerned. Under a persistent kind nothing is minted; its variants carry
 * no broker settings (variantPolicy), so binding, re-evaluation, call-chain context, ttl, revocation
 * triggers and the issuer are already out of the key.
 */
function riskKey(policy: Policy): string {
  return JSON.stringify(policy);
}

/**
 * For each subset mask 0 … 2^k − 1, the first mask whose variant is the same policy as far as risk is
 * concerned (A2): only those variants run; the others reuse their means (exactly: same policy, same seeds).
 */
export function representativeMasks(policy: Policy, baseline: Policy, switched: readonly Control[]): number[] {
  const first = new Map<string, number>();
  const out: number[] = [];
  for (let mask = 0; mask < 1 << switched.length; mask++) {
    const key = riskKey(variantPolicy(policy, baseline, subsetOf(switched, mask)));
    const seen = first.get(key);
    if (seen === undefined) first.set(key, mask);
    out.push(seen ?? mask);
  }
  return out;
}

/** The controls of a subset bit mask over `switched` (bit i = switched[i]). */
export function subsetOf(switched: readonly Control[], mask: number): Control[] {
  return switched.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** The label of a variant in attribution-trials.csv: the controls set back, joined with `+`. */
export function variantLabel(back: readonly Control[]): string {
  return back.join('+');
}

/**
 * Exact Shapley values of k players (A3) for the game `value(mask)` over bit masks (value(0) is the
 * empty coalition). Returns φ_0 … φ_{k−1}; Σ φ_i = value(2^k − 1) − value(0).
 */
export function shapley(k: number, value: (mask: number) => number): number[] {
  const factorial = [1];
  for (let i = 1; i <= k; i++) factorial.push(factorial[i - 1]! * i);
  const full = (1 << k) - 1;
  const phi = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    const bit = 1 << i;
    for (let s = 0; s <= full; s++) {
      if ((s & bit) !== 0) continue;
      const size = popcount(s);
      const weight = (factorial[size]! * factorial[k - size - 1]!) / factorial[k]!;
      phi[i]! += weight * (value(s | bit) - value(s));
    }
  }
  return phi;
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x !== 0; x &= x - 1) c++;
  return c;
}

/** One row of attribution.csv before formatting; keys are the CSV columns. */
export interface AttributionRow {
  readonly scenario: string;
  readonly attack: string;
  readonly policy: string;
  readonly control: string;
  readonly reduction_pct: number | null;
  readonly share: number | null;
}

/** attribution.csv columns (SPEC §2). */
export const ATTRIBUTION_COLUMNS = ['scenario', 'attack', 'policy', 'control', 'reduction_pct', 'share'] as const;

/** What one (scenario, attack, policy) needs: the two means and the variants' means by subset mask. */
export interface AttributionInput {
  readonly scenario: string;
  readonly attack: string;
  readonly policy: string;
  readonly switched: readonly Control[];
  readonly baselineMean: number;
  readonly policyMean: number;
  /** Mean blast radius of the variant with `subsetOf(switched, mask)` set back; mask 0 is the policy itself. */
  readonly variantMean: (mask: number) => number;
}

/** Relative size below which the remainder (A4) is rounding, not a finding: no `other` row. */
const REMAINDER_EPSILON = 1e-9;

/** The attribution rows of one (scenario, attack, policy): one per switched control, then `other` when it is not 0. */
export function attributionRows(input: AttributionInput): AttributionRow[] {
  const { baselineMean, policyMean } = input;
  const phi = shapley(input.switched.length, (mask) => (mask === 0 ? policyMean : input.variantMean(mask)));
  const whole = baselineMean - policyMean;
  const row = (control: string, value: number): AttributionRow => ({
    scenario: input.scenario,
    attack: input.attack,
    policy: input.policy,
    control,
    reduction_pct: baselineMean === 0 ? null : (value / baselineMean) * 100,
    share: whole === 0 ? null : value / whole,
  });
  const rows = input.switched.map((c, i) => row(c, phi[i]!));
  const remainder = whole - phi.reduce((a, b) => a + b, 0);
  if (Math.abs(remainder) > REMAINDER_EPSILON * Math.max(1, Math.abs(baselineMean))) rows.push(row(OTHER, remainder));
  return rows;
}
