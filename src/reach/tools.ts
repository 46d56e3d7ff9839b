/**
 * Tools (R5, C1, C3, S2): controlled nodes invoke their tools; a tool acts for the chain's principal
 * with its own credentials (within what the broker allows that principal), and the tools it invokes
 * act one hop later. A tool exposes no material unless it is itself controlled (R1).
 */
import { requestKey } from '../model/compile.js';
import { brokerFor, standingEnd } from '../policy/modes.js';
import { controlActive } from './control.js';
import { checksIntent, requestPrincipal, standingScope } from './controls.js';
import { attempt } from './detection.js';
import type { Instance } from './instances.js';
import { principalOf } from './material.js';
import type { AttackerState } from './state.js';
import { useAll } from './use.js';

export interface Invocation {
  readonly tool: number;
  readonly principal: number;
  readonly from: number;
  readonly depth: number;
  /** The controlled node the chain starts at (the invocation lasts while its control does). */
  readonly root: number;
}

/**
 * S2: two chains reaching the same tool at the same instant and depth: the one rooted at the
 * smaller id acts (not the one found first), so the principal never depends on file order.
 */
export function preferred(s: AttackerState, root: number, depth: number, from: number, existing: Invocation): boolean {
  const ids = s.model.ids;
  return existing.from === from && existing.depth === depth && existing.root !== root && ids[root]! < ids[existing.root]!;
}

/** R5: a tool acting for `inv.principal` at `t`, with its own credentials; the tools it invokes act at `nextHop`. */
export function invoke(s: AttackerState, inv: Invocation, t: number, nextHop: number): void {
  const { model, policy, modes } = s;
  const { holds, invokes } = model;
  const tool = inv.tool;
  let cached = s.toolInstances.get(inv);
  if (cached === undefined) {
    cached = [];
    s.toolInstances.set(inv, cached);
  }
  for (let k = holds.off[tool]!; k < holds.off[tool + 1]!; k++) {
    const cred = holds.to[k]!;
    const slot = k - holds.off[tool]!;
    s.steps++;
    const previous = cached[slot];
    if (previous === null) continue; // an issuance outside the principal's intent: denied once, for good
    if (previous !== undefined && t < previous.until) {
      useAll(s, previous, t, nextHop);
      continue;
    }
    let inst: Instance;
    if (modes.ephemeral[cred] === 0) {
      inst = {
        cred,
        obtainedAt: t,
        usableFrom: t,
        until: standingEnd(modes, cred, t),
        scope: standingScope(s.ctx, cred),
        boundTo: -1,
        actingAs: tool,
        principal: inv.principal,
        managed: false,
        material: false,
        depth: inv.depth,
        controlOf: -1,
        created: false,
        via: null,
        exposes: null,
        exposedGen: 0,
      };
    } else {
      // C3: the broker sees the caller's context only when the policy propagates it.
      const broker = brokerFor(policy);
      const principal = requestPrincipal(broker, inv.principal, tool);
      const pairs = principal >= 0 ? model.requestPairs.get(requestKey(principal, tool, cred)) : undefined;
      if (pairs === undefined && checksIntent(policy)) {
        attempt(s, cred, tool, 0, t); // an out-of-intent issuance request: denied, maybe noticed
        s.trace?.({
          t,
          hop: inv.depth,
          kind: 'deny',
          cred,
          target: tool,
          action: 0,
          reason:
            principal === tool
              ? "issuance outside the tool's own declared requests"
              : "issuance outside the principal's declared requests via this tool",
          code: 'issuance-out-of-intent',
        });
        cached[slot] = null;
        continue;
      }
      inst = {
        cred,
        obtainedAt: t,
        usableFrom: t,
        until: Number.POSITIVE_INFINITY,
        scope: broker.scope === 'role' || pairs === undefined ? null : pairs,
        boundTo: -1,
        actingAs: tool,
        principal,
        managed: true,
        material: false,
        depth: inv.depth,
        controlOf: -1,
        created: false,
        via: null,
        exposes: null,
        exposedGen: 0,
      };
    }
    if (t >= inst.until) continue;
    cached[slot] = inst;
    s.acting.push({ inst, root: inv.root });
    useAll(s, inst, t, nextHop);
  }
  for (let k = invokes.off[tool]!; k < invokes.off[tool + 1]!; k++) {
    const next = invokes.to[k]!;
    const existing = s.invocations.get(next);
    if (inv.depth + 1 <= s.maxHops && (existing === undefined || preferred(s, inv.root, inv.depth + 1, nextHop, existing))) {
      s.invocations.set(next, { tool: next, principal: inv.principal, from: nextHop, depth: inv.depth + 1, root: inv.root });
      s.progress = s.gained = true;
    }
  }
}

/** R5: controlled nodes invoke their tools now (fewest hops wins, S2 breaks ties); then every started invocation whose root is still controlled acts. */
export function invokeAll(s: AttackerState, t: number, nextHop: number): void {
  const { model, trace } = s;
  const { invokes } = model;
  for (const c of s.controls.values()) {
    if (!controlActive(s, c, t)) continue;
    for (let k = invokes.off[c.node]!; k < invokes.off[c.node + 1]!; k++) {
      const tool = invokes.to[k]!;
      if (c.depth + 1 > s.maxHops) continue;
      const existing = s.invocations.get(tool);
      if (existing === undefined || existing.depth > c.depth + 1 || preferred(s, c.node, c.depth + 1, t, existing)) {
        s.invocations.set(tool, { tool, principal: principalOf(s, c.node), from: t, depth: c.depth + 1, root: c.node });
        trace?.({
          t,
          hop: c.depth + 1,
          kind: 'invoke',
          cred: -1,
          target: tool,
          action: 0,
          reason: `invoked by ${model.ids[c.node]}`,
          code: 'invoke',
        });
      }
    }
  }
  // A snapshot: invocations added while these act start at their own `from`.
  for (const inv of [...s.invocations.values()]) {
    const root = s.controls.get(inv.root);
    if (inv.from <= t && root !== undefined && controlActive(s, root, t)) invoke(s, inv, t, nextHop);
  }
}
