/**
 * Stand-in for src/import/auto.ts (the `import` branch) until the two branches are merged: the same
 * two functions over a plain scenario document, reduced to what an OpenGraph estate needs.
 * - autoAttacks: `mass-leak` of each holder of three or more credentials (most first), then
 *   `lateral-movement` entering at each agent that holds a credential (most credentials first);
 *   at most 8 of each, deterministic order.
 * - estatePolicies: `as-is` (persistent, never rotated), `ephemeral` (15 min, task scope, revoked on
 *   completion, failure and timeout), `hybrid` (as ephemeral; legacy credentials stay standing, 90d).
 */
const MAX_PER_KIND = 8;

type Doc = Record<string, unknown>;
const nodesOf = (doc: Doc): Record<string, unknown>[] => (doc['nodes'] as Record<string, unknown>[] | undefined) ?? [];
const edgesOf = (doc: Doc): Record<string, unknown>[] => (doc['edges'] as Record<string, unknown>[] | undefined) ?? [];
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic attacks for an estate document. */
export function autoAttacks(doc: Doc): Record<string, unknown>[] {
  const kind = new Map(nodesOf(doc).map((n) => [n['id'] as string, n['kind'] as string]));
  const held = new Map<string, number>();
  for (const e of edgesOf(doc)) if (e['kind'] === 'holds') held.set(e['from'] as string, (held.get(e['from'] as string) ?? 0) + 1);
  const ranked = [...held].sort((a, b) => b[1] - a[1] || byString(a[0], b[0]));
  const attacks: Record<string, unknown>[] = [];
  for (const [holder] of ranked.filter(([, n]) => n >= 3).slice(0, MAX_PER_KIND)) {
    attacks.push({ pattern: 'mass-leak', name: `mass-leak-${slug(holder)}`, holder, leakAt: '1d', replayDelay: { lognormal: { median: '1d', sigma: 1 } } });
  }
  for (const [agent] of ranked.filter(([id]) => kind.get(id) === 'agent').slice(0, MAX_PER_KIND)) {
    attacks.push({ pattern: 'lateral-movement', name: `takeover-${slug(agent)}`, entry: agent, at: '1d' });
  }
  const names = new Set<string>();
  for (const a of attacks) {
    let name = a['name'] as string;
    for (let n = 2; names.has(name); n++) name = `${a['name'] as string}-${n}`;
    names.add(name);
    a['name'] = name;
  }
  return attacks;
}

/** The as-is / ephemeral / hybrid policies of an estate document. */
export function estatePolicies(doc: Doc): Record<string, unknown> {
  const legacy = nodesOf(doc).filter((n) => n['kind'] === 'credential' && n['ephemeralCapable'] === false).map((n) => n['id'] as string).sort(byString);
  const ephemeral = { kind: 'ephemeral', ttl: '15m', scope: 'task', revokeOn: ['completion', 'failure', 'timeout'] };
  return {
    'as-is': { kind: 'persistent', rotation: 'never' },
    ephemeral,
    hybrid: { ...ephemeral, kind: 'hybrid', ...(legacy.length === 0 ? {} : { exceptions: [{ match: { ids: legacy }, rotation: '90d' }] }) },
  };
}

function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'node';
}
