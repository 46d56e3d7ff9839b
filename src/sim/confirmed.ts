/**
 * Confirmed reach (docs/incidents.md): of the resources a trial reached, those the incident's public
 * record says the attacker reached (`record: {reached: confirmed}`). An as-was replay reproduces its
 * incident on these only; everything else it reaches is potential reach, the model's extrapolation.
 */
import type { CompiledModel } from '../model/compile.js';

/** Node indices of the confirmed resources, computed once per model; null when the scenario confirms none. */
const confirmedOf = new WeakMap<CompiledModel, readonly number[] | null>();

function confirmedResources(model: CompiledModel): readonly number[] | null {
  let list = confirmedOf.get(model);
  if (list === undefined) {
    const ids = model.scenario.nodes.filter((n) => n.kind === 'resource' && n.record?.reached === 'confirmed').map((n) => n.id);
    list = ids.length === 0 ? null : ids.map((id) => model.indexOf.get(id)!);
    confirmedOf.set(model, list);
  }
  return list;
}

/** The confirmed resources among `reached` (resource node → actions) and their weight; nulls when none is confirmed. */
export function confirmedReach(
  model: CompiledModel,
  reached: ReadonlyMap<number, number>,
): { readonly confirmed_resources_reached: number | null; readonly confirmed_blast_radius: number | null } {
  const list = confirmedResources(model);
  if (list === null) return { confirmed_resources_reached: null, confirmed_blast_radius: null };
  let count = 0;
  let blast = 0;
  for (const node of list) {
    if (!reached.has(node)) continue;
    count++;
    blast += model.weight[node]!;
  }
  return { confirmed_resources_reached: count, confirmed_blast_radius: blast };
}
