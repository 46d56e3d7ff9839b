/**
 * records_exfiltrated (SPEC §5, docs/controls.md C5): the records of every resource the attacker read
 * (read or admin) in a trial in which it also wrote (write or admin) to an egress resource — data it
 * held and could send out. In-intent actions count: an injected agent's declared ticket reply is the
 * channel of the Supabase MCP, ForcedLeak and EchoLeak class of incidents.
 */
import type { CompiledModel } from '../model/compile.js';
import { ADMIN, READ, WRITE } from '../domain/actions.js';

const egressFlags = new WeakMap<CompiledModel, Uint8Array>();

/** Per node index: 1 for a resource marked `egress: true`. */
export function egressOf(model: CompiledModel): Uint8Array {
  let flags = egressFlags.get(model);
  if (flags === undefined) {
    flags = new Uint8Array(model.nodeCount);
    model.scenario.nodes.forEach((node, i) => {
      if (node.kind === 'resource' && node.egress) flags![i] = 1;
    });
    egressFlags.set(model, flags);
  }
  return flags;
}

/** The records the attacker could send out, from every resource success of the trial (before any count filter). */
export function recordsExfiltrated(model: CompiledModel, touched: ReadonlyMap<number, number>): number {
  const egress = egressOf(model);
  let out = false;
  for (const [resource, actions] of touched) {
    if (egress[resource] === 1 && (actions & (WRITE | ADMIN)) !== 0) {
      out = true;
      break;
    }
  }
  if (!out) return 0;
  let records = 0;
  for (const [resource, actions] of touched) if ((actions & (READ | ADMIN)) !== 0) records += model.records[resource]!;
  return records;
}
