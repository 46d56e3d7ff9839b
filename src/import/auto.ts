/**
 * Attacks and policies for an imported estate, over a plain scenario document (any importer's output).
 *
 * API (small on purpose; the OpenGraph importer reuses it):
 *   autoAttacks(scenario, opts?)     → AttackInput[]  (`--attacks auto`)
 *   estatePolicies(scenario, opts?)  → { 'as-is', ephemeral, hybrid }
 *
 * Attacks (deterministic: sorted by the stated priority then id, at most `maxPerKind` of each kind,
 * named after what they test):
 *   1. secret-replay       each standing credential (no `nativeTtl`) from one leak-prone holder: a
 *                          tool, a resource, or an agent in CI (`environment: github-actions`) or
 *                          holding shared secrets; oldest first.
 *   2. lateral-movement    each third-party GitHub action not pinned to a commit SHA (provenance
 *                          `github-actions`, `owner/repo@ref`, owner not `actions`/`github`), and each
 *                          entry the importer names in `opts.entries` (e.g. a pull_request_target job
 *                          that checks out untrusted code).
 *   3. orphaned-credential each stale credential (`lastUsedAt` older than `staleAfter` at `asOf`),
 *                          retired with the first agent holding it; longest unused first.
 *   4. mass-leak           each holder of three or more credentials; most credentials first.
 * Policies:
 *   as-is      what the estate does today: standing secrets stay standing, never rotated (their real
 *              ages set the phase); credentials with a `nativeTtl` (role sessions, GITHUB_TOKEN, OIDC
 *              tokens) are minted on request for 1h (STS's default session), scoped to everything
 *              they grant (`scope: role`: no check of declared intent, as STS and GitHub issue them
 *              today), not revoked at task end.
 *   ephemeral  every ephemeral-capable credential minted per task, 15 min, scoped to the declared
 *              intent, revoked on completion, failure and timeout.
 *   hybrid     as ephemeral, but the legacy credentials (not ephemeral-capable, or with no declared
 *              intent to scope tokens to) stay standing, rotated every 90 days.
 */
import { parseDuration } from '../lib/duration.js';
import type { AttackInput, NodeInput, PolicyEntryInput } from '../scenario/schema.js';
import { toName, type ScenarioDoc } from './builder.js';

/** Options of the automatic attacks. */
export interface AutoAttackOptions {
  /** At most this many attacks of each kind (default 8). */
  readonly maxPerKind?: number;
  /** Extra lateral-movement entries, with the name suffix saying why (e.g. `untrusted-checkout`). */
  readonly entries?: readonly { readonly id: string; readonly why: string }[];
}

/** Options of the estate policies. */
export interface EstatePolicyOptions {
  /** Lifetime of tokens minted under as-is (default 1h: STS's default session). */
  readonly nativeTtl?: string;
  /** Lifetime of minted tokens under ephemeral and hybrid (default 15m). */
  readonly ttl?: string;
  /** Rotation of the legacy standing credentials under hybrid (default 90d). */
  readonly legacyRotation?: string;
}

const DEFAULT_MAX_PER_KIND = 8;
const LEAK_AT = '1d';
const REPLAY_DELAY = { lognormal: { median: '1d', sigma: 1 } } as const;
const FOUND_DELAY = { exponential: { mean: '7d' } } as const;
const FIRST_PARTY_OWNERS: ReadonlySet<string> = new Set(['actions', 'github']);

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type CredentialInput = Extract<NodeInput, { kind: 'credential' }>;

/** Lookups over a scenario document. */
interface Index {
  readonly nodes: ReadonlyMap<string, NodeInput>;
  /** holder → credentials (sorted). */
  readonly held: ReadonlyMap<string, string[]>;
  /** credential → holders (sorted). */
  readonly holders: ReadonlyMap<string, string[]>;
  /** Credentials some workload step uses (declared intent). */
  readonly used: ReadonlySet<string>;
}

function indexOf(doc: ScenarioDoc): Index {
  const nodes = new Map(doc.nodes.map((n) => [n.id, n]));
  const held = new Map<string, string[]>();
  const holders = new Map<string, string[]>();
  for (const e of doc.edges ?? []) {
    if (e.kind !== 'holds') continue;
    (held.get(e.from) ?? held.set(e.from, []).get(e.from)!).push(e.to);
    (holders.get(e.to) ?? holders.set(e.to, []).get(e.to)!).push(e.from);
  }
  for (const list of [...held.values(), ...holders.values()]) list.sort(byString);
  const used = new Set<string>();
  for (const task of doc.workload ?? [])
    for (const step of task.steps) if ('credential' in step && step.credential !== undefined) used.add(step.credential);
  return { nodes, held, holders, used };
}

const credentials = (doc: ScenarioDoc): CredentialInput[] =>
  doc.nodes.filter((n): n is CredentialInput => n.kind === 'credential');

/** A standing secret: no issuer lifetime ends it. */
export const isStanding = (c: CredentialInput): boolean => c.nativeTtl === undefined;

/** Age in ms at `asOf` of the version in force (lastRotatedAt, else createdAt), or null. */
function ageMs(doc: ScenarioDoc, c: CredentialInput): number | null {
  const issued = c.lastRotatedAt ?? c.createdAt;
  return doc.asOf === undefined || issued === undefined ? null : Date.parse(doc.asOf) - Date.parse(issued);
}

/** Time in ms since the last use at `asOf`, or null. */
function unusedMs(doc: ScenarioDoc, c: CredentialInput): number | null {
  return doc.asOf === undefined || c.lastUsedAt === undefined ? null : Date.parse(doc.asOf) - Date.parse(c.lastUsedAt);
}

/** T3 (docs/import.md): stale when the last use is older than the scenario's staleAfter (default 90d). */
export function isStaleInput(doc: ScenarioDoc, c: CredentialInput): boolean {
  const unused = unusedMs(doc, c);
  return unused !== null && unused > parseDuration(doc.staleAfter ?? '90d');
}

/** A leak-prone holder: CI jobs, agents on shared secrets, tools, repositories and other resources. */
function leakProne(node: NodeInput | undefined): boolean {
  if (node === undefined || node.kind === 'credential') return false;
  if (node.kind !== 'agent') return true;
  return node.environment === 'github-actions' || node.identity === 'shared-secret';
}

/** For a GitHub action tool: `owner/repo@ref` from its provenance, and whether it is third party and not SHA-pinned. */
export function unpinnedThirdPartyAction(node: NodeInput): boolean {
  if (node.kind !== 'tool' || node.provenance?.source !== 'github-actions') return false;
  const match = /^([^/@]+)\/[^@]+@(.+)$/.exec(node.provenance.id);
  if (match === null) return false;
  const [, owner = '', ref = ''] = match;
  return !FIRST_PARTY_OWNERS.has(owner.toLowerCase()) && !/^[0-9a-f]{40}$/.test(ref);
}

/** Deterministic automatic attacks for an imported estate (see the top of this file). */
export function autoAttacks(doc: ScenarioDoc, opts: AutoAttackOptions = {}): AttackInput[] {
  const max = opts.maxPerKind ?? DEFAULT_MAX_PER_KIND;
  const index = indexOf(doc);
  const creds = credentials(doc);
  const attacks: AttackInput[] = [];
  const names = new Set<string>();
  const name = (text: string): string => {
    const base = toName(text);
    let out = base;
    for (let n = 2; names.has(out); n++) out = `${base}-${n}`;
    names.add(out);
    return out;
  };

  // 1. secret-replay of standing credentials from a leak-prone holder, oldest first.
  const replayable = creds
    .filter(isStanding)
    .map((c) => ({
      c,
      from: (index.holders.get(c.id) ?? []).find((h) => leakProne(index.nodes.get(h))),
      age: ageMs(doc, c) ?? -1,
    }))
    .filter((x): x is { c: CredentialInput; from: string; age: number } => x.from !== undefined)
    .sort((a, b) => b.age - a.age || byString(a.c.id, b.c.id))
    .slice(0, max);
  for (const { c, from } of replayable) {
    attacks.push({
      pattern: 'secret-replay',
      name: name(`replay-${c.id}`),
      credential: c.id,
      from,
      leakAt: LEAK_AT,
      replayDelay: REPLAY_DELAY,
    });
  }

  // 2. lateral-movement at unpinned third-party actions and the importer's untrusted entries.
  const entries = [
    ...doc.nodes.filter(unpinnedThirdPartyAction).map((n) => ({ id: n.id, why: 'unpinned' })),
    ...(opts.entries ?? []),
  ].sort((a, b) => byString(a.id, b.id));
  for (const entry of entries.slice(0, max)) {
    attacks.push({ pattern: 'lateral-movement', name: name(`${entry.why}-${entry.id}`), entry: entry.id, at: LEAK_AT });
  }

  // 3. orphaned-credential of stale credentials held by an agent, longest unused first.
  const stale = creds
    .filter((c) => isStaleInput(doc, c))
    .map((c) => ({
      c,
      agent: (index.holders.get(c.id) ?? []).find((h) => index.nodes.get(h)?.kind === 'agent'),
      unused: unusedMs(doc, c) ?? 0,
    }))
    .filter((x): x is { c: CredentialInput; agent: string; unused: number } => x.agent !== undefined)
    .sort((a, b) => b.unused - a.unused || byString(a.c.id, b.c.id))
    .slice(0, max);
  for (const { c, agent } of stale) {
    attacks.push({
      pattern: 'orphaned-credential',
      name: name(`orphaned-${c.id}`),
      agent,
      credential: c.id,
      retiredAt: '1h',
      foundDelay: FOUND_DELAY,
    });
  }

  // 4. mass-leak of every holder of three or more credentials, most first.
  const heavy = [...index.held.entries()]
    .filter(([, list]) => list.length >= 3)
    .sort((a, b) => b[1].length - a[1].length || byString(a[0], b[0]))
    .slice(0, max);
  for (const [holder] of heavy) {
    attacks.push({ pattern: 'mass-leak', name: name(`mass-leak-${holder}`), holder, leakAt: LEAK_AT, replayDelay: REPLAY_DELAY });
  }
  return attacks;
}

/** The as-is, ephemeral and hybrid policies of an imported estate (see the top of this file). */
export function estatePolicies(doc: ScenarioDoc, opts: EstatePolicyOptions = {}): Record<string, PolicyEntryInput> {
  const index = indexOf(doc);
  const creds = credentials(doc);
  const standing = creds
    .filter(isStanding)
    .map((c) => c.id)
    .sort(byString);
  const natives = creds.filter((c) => !isStanding(c));
  const legacy = creds
    .filter((c) => isStanding(c) && (c.ephemeralCapable === false || !index.used.has(c.id)))
    .map((c) => c.id)
    .sort(byString);
  const ttl = opts.ttl ?? '15m';
  const revokeOn = ['completion', 'failure', 'timeout'] as ('completion' | 'failure' | 'timeout')[];
  // as-is: secrets standing and never rotated; credentials with an issuer lifetime minted on request
  // for that lifetime, scoped to everything they grant, not revoked at task end (STS cannot end one
  // session), and, with scope role, issued without a check of declared intent (SPEC §2).
  const asIs: PolicyEntryInput =
    natives.length === 0
      ? { kind: 'persistent', rotation: 'never' }
      : {
          kind: 'hybrid',
          ttl: opts.nativeTtl ?? '1h',
          scope: 'role',
          ...(standing.length > 0 ? { exceptions: [{ match: { ids: standing }, rotation: 'never' }] } : {}),
        };
  return {
    'as-is': asIs,
    ephemeral: { kind: 'ephemeral', ttl, scope: 'task', revokeOn },
    hybrid: {
      kind: 'hybrid',
      ttl,
      scope: 'task',
      revokeOn,
      ...(legacy.length > 0 ? { exceptions: [{ match: { ids: legacy }, rotation: opts.legacyRotation ?? '90d' }] } : {}),
    },
  };
}
