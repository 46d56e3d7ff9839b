/**
 * Static reachability: the attacker's closure from one controlled node when every credential is valid
 * forever and no broker stands in the way — the never-rotated persistent worst case, with no time.
 * The same rules as src/reach/engine.ts (R1–R5, R8) over the compiled CSR arrays, typed arrays only, so
 * it costs a small factor of a plain BFS; the time-aware engine must never reach more than this (a
 * property the tests check), and reaches exactly this under persistent access with rotation never,
 * no detection and enough time.
 */
import type { CompiledModel } from './compile.js';
import { ADMIN } from '../domain/actions.js';

/** Prepared once per model (buffers), then queried per source: per node, the action bits reached (buffer reused). */
export type ReachImpl = (model: CompiledModel) => (source: number) => Uint8Array;

// Work items of the static closure, stored as (kind << 28 | node) in one Int32Array stack.
const CONTROL = 1 << 28;
const CREDENTIAL = 2 << 28;
const INVOKE = 3 << 28;
const NODE_MASK = (1 << 28) - 1;
// Per-node state bits: a node is pushed at most once per work kind, so the stack is bounded by 3n.
const S_CONTROLLED = 1;
const S_HELD = 2;
const S_ACTED = 4;
const S_INVOKED = 8;

/**
 * Static reachability (no time, every credential valid, no broker): control (R1) uses held credentials
 * and invokes tools; a credential's grants act on targets (R2); any action on a holder exposes its
 * credentials (R3); admin gives control (R4); an invoked tool acts with its credentials without
 * exposing them (R5); `assumes` yields the next credential (R8). Returns per node the action bits
 * reached. Typed arrays only, each credential's grants walked once, so the cost stays within a small
 * factor of a plain BFS over the same arrays.
 */
/** Static closure from a controlled source node. */
export const staticReach: ReachImpl = (model) => {
  const n = model.nodeCount;
  const reached = new Uint8Array(n);
  const state = new Uint8Array(n);
  const stack = new Int32Array(3 * n + 1);
  return (source) => {
    reached.fill(0);
    state.fill(0);
    return closure(model, source, reached, state, stack);
  };
};

function closure(model: CompiledModel, source: number, reached: Uint8Array, state: Uint8Array, stack: Int32Array): Uint8Array {
  const { holds, grants, invokes, assumes } = model;
  let top = 0;
  stack[top++] = CONTROL | source;
  state[source] = S_CONTROLLED;
  // R2/R3/R4: perform credential c's grants (once per credential, whoever acts with it).
  const act = (c: number): void => {
    for (let e = grants.off[c]!, end = grants.off[c + 1]!; e < end; e++) {
      const x = grants.to[e]!;
      const mask = grants.data[e]!;
      const before = reached[x]!;
      if ((mask & ~before) === 0) continue;
      reached[x] = before | mask;
      if (before === 0) {
        for (let k = holds.off[x]!, kend = holds.off[x + 1]!; k < kend; k++) {
          const h = holds.to[k]!;
          if ((state[h]! & S_HELD) === 0) {
            state[h]! |= S_HELD;
            stack[top++] = CREDENTIAL | h;
          }
        }
      }
      if ((mask & ADMIN) !== 0 && (state[x]! & S_CONTROLLED) === 0) {
        state[x]! |= S_CONTROLLED;
        stack[top++] = CONTROL | x;
      }
    }
  };
  while (top > 0) {
    const item = stack[--top]!;
    const node = item & NODE_MASK;
    const kind = item & ~NODE_MASK;
    if (kind === CONTROL) {
      for (let k = holds.off[node]!, end = holds.off[node + 1]!; k < end; k++) {
        const c = holds.to[k]!;
        if ((state[c]! & S_HELD) === 0) {
          state[c]! |= S_HELD;
          stack[top++] = CREDENTIAL | c;
        }
      }
      for (let k = invokes.off[node]!, end = invokes.off[node + 1]!; k < end; k++) {
        const t = invokes.to[k]!;
        if ((state[t]! & S_INVOKED) === 0) {
          state[t]! |= S_INVOKED;
          stack[top++] = INVOKE | t;
        }
      }
    } else if (kind === CREDENTIAL) {
      if ((state[node]! & S_ACTED) === 0) {
        state[node]! |= S_ACTED;
        act(node);
      }
      for (let k = assumes.off[node]!, end = assumes.off[node + 1]!; k < end; k++) {
        const c = assumes.to[k]!;
        if ((state[c]! & S_HELD) === 0) {
          state[c]! |= S_HELD;
          stack[top++] = CREDENTIAL | c;
        }
      }
    } else {
      // R5: the tool acts with its own credentials; their material stays with the tool.
      for (let k = holds.off[node]!, end = holds.off[node + 1]!; k < end; k++) {
        const c = holds.to[k]!;
        if ((state[c]! & S_ACTED) === 0) {
          state[c]! |= S_ACTED;
          act(c);
        }
      }
      for (let k = invokes.off[node]!, end = invokes.off[node + 1]!; k < end; k++) {
        const t = invokes.to[k]!;
        if ((state[t]! & S_INVOKED) === 0) {
          state[t]! |= S_INVOKED;
          stack[top++] = INVOKE | t;
        }
      }
    }
  }
  return reached;
}
