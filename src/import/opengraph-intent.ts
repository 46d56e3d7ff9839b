/**
 * Declared intent for an imported OpenGraph estate. OpenGraph files describe access, not use, so the
 * workload (whose steps are each agent's declared intent, SPEC §3) has to be chosen (`--intent`):
 * - `all-grants` (default): every agent uses everything it holds — one daily task per agent whose
 *   steps are every (target, action) its held credentials grant. An ephemeral policy then only
 *   shortens lifetimes; it cannot narrow scopes.
 * - `observed`: as all-grants, but only credentials used recently: `lastUsedAt` within `staleAfter`
 *   (default 90 days) of `asOf`. Credentials without a last use are not in anyone's intent.
 * - `none` (library use only; the CLI offers the first two): no workload.
 */
import { parseDuration } from '../lib/duration.js';
import type { OpenGraphFragment } from './opengraph.js';

export const INTENT_MODES = ['all-grants', 'observed', 'none'] as const;
export type IntentMode = (typeof INTENT_MODES)[number];

/** Default `staleAfter` of the scenario format (docs/import.md). */
const DEFAULT_STALE_AFTER = '90d';

/** The workload tasks of the chosen intent mode, in node order (deterministic). */
export function intentWorkload(
  fragment: OpenGraphFragment,
  mode: IntentMode,
  options: { readonly staleAfter?: string } = {},
): Record<string, unknown>[] {
  if (mode === 'none') return [];
  const kindOf = new Map(fragment.nodes.map((n) => [n['id'] as string, n['kind'] as string]));
  const nodeById = new Map(fragment.nodes.map((n) => [n['id'] as string, n]));
  const asOfMs = fragment.asOf === undefined ? null : Date.parse(fragment.asOf);
  const staleMs = parseDuration(options.staleAfter ?? DEFAULT_STALE_AFTER);
  const recent = (credential: string): boolean => {
    const used = nodeById.get(credential)?.['lastUsedAt'];
    return typeof used === 'string' && asOfMs !== null && asOfMs - Date.parse(used) <= staleMs;
  };
  const held = new Map<string, string[]>();
  const grants = new Map<string, { target: string; actions: string[] }[]>();
  for (const e of fragment.edges) {
    const from = e['from'] as string;
    const to = e['to'] as string;
    if (e['kind'] === 'holds' && kindOf.get(from) === 'agent') (held.get(from) ?? held.set(from, []).get(from)!).push(to);
    if (e['kind'] === 'grants')
      (grants.get(from) ?? grants.set(from, []).get(from)!).push({ target: to, actions: e['actions'] as string[] });
  }
  const tasks: Record<string, unknown>[] = [];
  for (const node of fragment.nodes) {
    const agent = node['id'] as string;
    if (node['kind'] !== 'agent') continue;
    const steps: { target: string; action: string; credential: string }[] = [];
    const seen = new Set<string>();
    for (const credential of held.get(agent) ?? []) {
      if (mode === 'observed' && !recent(credential)) continue;
      for (const g of grants.get(credential) ?? []) {
        if (g.target === agent) continue;
        for (const action of g.actions) {
          const key = `${g.target}\u0000${action}\u0000${credential}`;
          if (seen.has(key)) continue;
          seen.add(key);
          steps.push({ target: g.target, action, credential });
        }
      }
    }
    if (steps.length > 0) tasks.push({ agent, every: '1d', duration: '5m', steps });
  }
  return tasks;
}
