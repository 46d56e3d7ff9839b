/**
 * What the broker lets each principal have (rules B2, B3, B7 and B8 of `src/serve/broker.ts`):
 * - declared intent: an agent's workload steps (through tools or not); a tool's own declared work is
 *   every step any agent routes through it (`via`), and a call chain (agent → tool) has the steps of
 *   that agent through that tool (docs/controls.md C3);
 * - under `scope: role`, what the credentials a principal holds grant (nothing checks intent, C1);
 * - the pairs a request asks for (`scope`, `audience`, `resource`), parsed strictly.
 */
import { actionBit, maskActions } from '../domain/actions.js';
import type { Action, BrokerPolicy, Scenario } from '../domain/scenario.js';
import { ACTIONS } from '../domain/scenario.js';
import type { ScopePair } from '../issuer/claims.js';
import { scopeOf } from '../issuer/claims.js';
import type { DecisionPolicy, IntentIndex } from '../issuer/decision.js';
import { buildIntentIndex, decide } from '../issuer/decision.js';
import type { FormParams } from './form.js';
import { OAuthError } from './oauth-error.js';

const RESOURCE_PREFIX = 'urn:blastlab:';
/** The broker's context rules: none beyond intent (no time window, no reason, every sensitivity). */
const DECISION_POLICY: DecisionPolicy = { maxSensitivity: 'regulated', window: null, requireReason: false };

/** The key of a call chain (agent → tool) in the chain index. */
export function chainKey(agent: string, tool: string): string {
  return `${agent}\u0000${tool}`;
}

function addBits(index: Map<string, Map<string, number>>, who: string, target: string, bits: number): void {
  let entry = index.get(who);
  if (entry === undefined) index.set(who, (entry = new Map<string, number>()));
  entry.set(target, (entry.get(target) ?? 0) | bits);
}

/** Pairs a scenario's `scope: role` lets each holder (agent or tool) have: the grants of the credentials it holds. */
function grantIndex(scenario: Scenario, sensitivityRank: IntentIndex['sensitivityRank']): IntentIndex {
  const grants = new Map<string, Map<string, number>>();
  for (const e of scenario.edges) {
    if (e.kind !== 'grants') continue;
    let bits = 0;
    for (const a of e.actions) bits |= actionBit(a);
    addBits(grants, e.from, e.to, bits);
  }
  const intents = new Map<string, Map<string, number>>();
  for (const e of scenario.edges) {
    if (e.kind !== 'holds') continue;
    for (const [target, bits] of grants.get(e.to) ?? []) addBits(intents, e.from, target, bits);
  }
  return { intents, sensitivityRank };
}

/** The indexes a broker decides with. */
export interface ServeIntents {
  /** What a principal may be minted under the policy's scope (B3). */
  readonly allowed: IntentIndex;
  /** Declared intent per principal, whatever the policy's scope: agents' steps, tools' own work (B7, B8). */
  readonly declared: IntentIndex;
  /** Declared intent per call chain (chainKey(agent, tool)): the agent's steps through that tool (B8). */
  readonly chains: IntentIndex;
}

/** Builds the indexes of `scenario` under `policy`. */
export function buildServeIntents(scenario: Scenario, policy: BrokerPolicy): ServeIntents {
  const agents = buildIntentIndex(scenario);
  const intents = new Map<string, Map<string, number>>();
  for (const [agent, targets] of agents.intents) intents.set(agent, new Map(targets));
  const chains = new Map<string, Map<string, number>>();
  for (const task of scenario.workload) {
    for (const step of task.steps) {
      if (step.via === null) continue;
      addBits(intents, step.via, step.target, actionBit(step.action));
      addBits(chains, chainKey(task.agent, step.via), step.target, actionBit(step.action));
    }
  }
  const declared: IntentIndex = { intents, sensitivityRank: agents.sensitivityRank };
  const chainIndex: IntentIndex = { intents: chains, sensitivityRank: agents.sensitivityRank };
  if (policy.broker.scope !== 'role') return { allowed: declared, declared, chains: chainIndex };
  return { allowed: grantIndex(scenario, agents.sensitivityRank), declared, chains: chainIndex };
}

/** Every pair of `who` in `index`, optionally only on `targets`, in ACTIONS order per target. */
export function pairsOf(index: IntentIndex, who: string, targets: ReadonlySet<string> | null): ScopePair[] {
  const pairs: ScopePair[] = [];
  for (const [target, bits] of index.intents.get(who) ?? []) {
    if (targets !== null && !targets.has(target)) continue;
    for (const action of maskActions(bits)) pairs.push({ target, action });
  }
  return pairs;
}

/** Parses one `action:target` scope item against the scenario's nodes; throws `code`. */
export function parseScopeItem(item: string, nodes: ReadonlySet<string>, code: 'invalid_scope' | 'invalid_request'): ScopePair {
  const colon = item.indexOf(':');
  const action = item.slice(0, colon) as Action;
  const target = item.slice(colon + 1);
  if (colon < 0 || !ACTIONS.includes(action) || target === '')
    throw new OAuthError(code, `scope item ${JSON.stringify(item)} is not action:target (read, write or admin)`);
  if (!nodes.has(target)) throw new OAuthError(code, `scope item ${JSON.stringify(item)}: unknown target`);
  return { target, action };
}

/** What a token request asks for, before the decision. */
export interface PairRequest {
  /** The principal whose allowance `index` holds (an agent, a tool, or a chainKey). */
  readonly who: string;
  /** How the principal is named in errors. */
  readonly name: string;
  readonly index: IntentIndex;
  readonly params: FormParams;
  readonly nodes: ReadonlySet<string>;
  readonly policy: BrokerPolicy;
  readonly nowMs: number;
}

/** B2 + B3: the pairs a request asks for, decided against `index`. Throws OAuthError. */
export function requestedPairs(r: PairRequest): ScopePair[] {
  const audiences = new Set<string>(r.params.multi.get('audience') ?? []);
  for (const resource of r.params.multi.get('resource') ?? []) {
    if (!resource.startsWith(RESOURCE_PREFIX))
      throw new OAuthError('invalid_target', `resource ${JSON.stringify(resource)} is not urn:blastlab:<target>`);
    audiences.add(resource.slice(RESOURCE_PREFIX.length));
  }
  for (const target of audiences) {
    if (!r.nodes.has(target)) throw new OAuthError('invalid_target', `unknown audience ${JSON.stringify(target)}`);
  }
  const scope = r.params.single.get('scope');
  let pairs: ScopePair[];
  if (scope === undefined) {
    pairs = pairsOf(r.index, r.who, audiences.size === 0 ? null : audiences);
    if (pairs.length === 0)
      throw new OAuthError(
        'invalid_scope',
        `${r.name} has nothing the policy allows${audiences.size === 0 ? '' : ' on the requested audience'}`,
      );
  } else {
    pairs = [];
    for (const item of scope.split(' ')) if (item !== '') pairs.push(parseScopeItem(item, r.nodes, 'invalid_scope'));
    if (pairs.length === 0) throw new OAuthError('invalid_scope', 'scope is empty');
    for (const target of audiences) {
      if (!pairs.some((p) => p.target === target))
        throw new OAuthError('invalid_target', `audience ${JSON.stringify(target)} is not covered by the requested scope`);
    }
  }
  if (r.policy.broker.scope === 'step' && scopeOf(pairs).scope.includes(' ')) {
    throw new OAuthError('invalid_scope', `policy ${r.policy.name} has scope: step: ask for one action:target per token`);
  }
  const decision = decide({ agent: r.who, pairs, reason: '', atMs: r.nowMs }, r.index, DECISION_POLICY);
  if (!decision.allow) throw new OAuthError('invalid_scope', `denied: ${decision.reason}`);
  return pairs;
}

/** B7: whether `reevaluate` re-checks a use of `action`. */
export function reevaluates(policy: BrokerPolicy, action: Action): boolean {
  const { reevaluate } = policy.broker;
  return reevaluate === 'every-step' || (reevaluate === 'privileged' && action !== 'read');
}

/** B7: the reason a use of `pairs` by `who` falls outside its declared intent in `index`, or null. */
export function outOfIntent(index: IntentIndex, who: string, pairs: readonly ScopePair[], nowMs: number): string | null {
  const decision = decide({ agent: who, pairs, reason: '', atMs: nowMs }, index, DECISION_POLICY);
  return decision.allow ? null : decision.reason;
}
