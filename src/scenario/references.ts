/**
 * Step 3 of the boundary: cross-references the schema cannot see (DESIGN §1). Every id must exist
 * and have a kind SPEC §1 allows where it is used; edge kinds connect only the kinds SPEC §1 lists;
 * workload steps must be feasible (a `via` tool the agent invokes, a credential the actor holds that
 * grants the action); attack parameters must fit their pattern; times fall before the horizon.
 *
 * Works on partially valid input (entries that failed the schema are `null`) so that one run reports
 * every problem in a file. Pure: returns issues with document paths; the caller locates them.
 */
import { assertNever } from '../lib/assert.js';
import { actionBit, actionMask } from '../domain/actions.js';
import { parseDuration } from '../lib/duration.js';
import type { Action, NodeKind } from '../domain/scenario.js';
import type { IssueCode } from '../errors.js';
import type { PathSegment } from './document.js';
import { didYouMean } from './hints.js';
import type { AttackInput, EdgeInput, NodeInput, PolicyInput, TaskInput } from './schema.js';

/** The (possibly partially valid) input reference checks run on. */
export interface ReferenceInput {
  /** The horizon as written (default applied), or undefined when it is itself invalid. */
  readonly horizon: string | undefined;
  readonly nodes: readonly (NodeInput | null)[];
  /** Ids of node entries that failed the schema: references to them are not reported again. */
  readonly unverifiedIds: ReadonlySet<string>;
  /**
   * Ids at either end of edge entries that failed the schema: no missing edge that touches them is
   * reported (the failed entry may be that edge, and its own problem is reported already).
   */
  readonly uncertainEdgeEnds: ReadonlySet<string>;
  readonly edges: readonly (EdgeInput | null)[];
  readonly workload: readonly (TaskInput | null)[];
  readonly attacks: readonly (AttackInput | null)[];
  readonly policies: readonly { readonly name: string; readonly policy: PolicyInput | null }[];
}

/** A reference problem at a document path. */
export interface ReferenceIssue {
  readonly code: IssueCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly hint?: string;
}

const HOLDERS: readonly NodeKind[] = ['agent', 'tool', 'resource'];
const TARGETS: readonly NodeKind[] = ['resource', 'tool', 'agent'];
const ANY: readonly NodeKind[] = ['agent', 'tool', 'resource', 'credential'];

/** Edge kind rules of SPEC §1: allowed source and target kinds. */
export const EDGE_RULES = {
  holds: { from: HOLDERS, to: ['credential'] },
  grants: { from: ['credential'], to: TARGETS },
  invokes: { from: ['agent', 'tool'], to: ['tool'] },
  assumes: { from: ['credential'], to: ['credential'] },
  runs: { from: ['resource'], to: ['agent', 'tool'] },
  issues: { from: HOLDERS, to: ['credential'] },
} as const satisfies Record<EdgeInput['kind'], { from: readonly NodeKind[]; to: readonly NodeKind[] }>;

const q = (s: string): string => JSON.stringify(s);
const article = (kind: string): string => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);
const orList = (kinds: readonly string[]): string =>
  kinds.length === 1
    ? article(kinds[0] ?? '')
    : `${kinds.slice(0, -1).map(article).join(', ')} or ${article(kinds[kinds.length - 1] ?? '')}`;

/** Lookups over edges (file order kept), so checks stay linear on large files. */
export interface EdgeIndex {
  /** holder → credentials it holds, in edge file order. */
  readonly held: ReadonlyMap<string, readonly string[]>;
  /** credential → target → granted actions as a mask (model/actions.ts bits). */
  readonly granted: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** `from\0to` of every assumes edge. */
  readonly assumes: ReadonlySet<string>;
}

/** The index of an edge list, kept while the list lives: loading checks and then resolves the same list. */
const indexes = new WeakMap<readonly (EdgeInput | null)[], EdgeIndex>();

/** Indexes holds and grants edges (invalid entries skipped). */
export function indexEdges(edges: readonly (EdgeInput | null)[]): EdgeIndex {
  let index = indexes.get(edges);
  if (index === undefined) {
    index = buildEdgeIndex(edges);
    indexes.set(edges, index);
  }
  return index;
}

function buildEdgeIndex(edges: readonly (EdgeInput | null)[]): EdgeIndex {
  const held = new Map<string, string[]>();
  const granted = new Map<string, Map<string, number>>();
  const assumes = new Set<string>();
  for (const edge of edges) {
    if (edge?.kind === 'assumes') assumes.add(`${edge.from}\0${edge.to}`);
    if (edge?.kind === 'holds') {
      let list = held.get(edge.from);
      if (list === undefined) held.set(edge.from, (list = []));
      if (!list.includes(edge.to)) list.push(edge.to);
    } else if (edge?.kind === 'grants') {
      let targets = granted.get(edge.from);
      if (targets === undefined) granted.set(edge.from, (targets = new Map<string, number>()));
      targets.set(edge.to, (targets.get(edge.to) ?? 0) | actionMask(edge.actions ?? []));
    }
  }
  return { held, granted, assumes };
}

const grantsAction = (index: EdgeIndex, credential: string, target: string, action: Action): boolean =>
  ((index.granted.get(credential)?.get(target) ?? 0) & actionBit(action)) !== 0;

/**
 * The credential a step uses when the file does not name one: of the credentials held by `actor` that
 * grant `action` on `target`, the first by id (code-unit order, never by where the edges are listed:
 * SPEC §5 order-free); failing those, the first by id of those its exchanges obtain.
 */
export function inferStepCredential(
  index: EdgeIndex,
  actor: string,
  target: string,
  action: Action,
  exchanged: readonly string[] = [],
): string | undefined {
  const fits = (credential: string): boolean => grantsAction(index, credential, target, action);
  return firstById((index.held.get(actor) ?? []).filter(fits)) ?? firstById(exchanged.filter(fits));
}

function firstById(ids: readonly string[]): string | undefined {
  let first: string | undefined;
  for (const id of ids) if (first === undefined || id < first) first = id;
  return first;
}

/** Per workload list: agent → the credentials its declared exchanges obtain (built once per list). */
const exchangeIndexes = new WeakMap<readonly (TaskInput | null)[], ReadonlyMap<string, readonly string[]>>();

/**
 * The credentials an agent obtains by its declared exchanges (`{exchange: {from, to}}` steps of all
 * its tasks), in workload file order: a step of the agent may use them as if it held them. Indexed
 * once per workload list (a per-task scan of every task was quadratic: minutes on 40,000 tasks).
 */
export function exchangedBy(workload: readonly (TaskInput | null)[], agent: string): readonly string[] {
  let index = exchangeIndexes.get(workload);
  if (index === undefined) {
    const built = new Map<string, string[]>();
    for (const task of workload) {
      if (task === null) continue;
      for (const step of task.steps) {
        if (!('exchange' in step)) continue;
        let out = built.get(task.agent);
        if (out === undefined) built.set(task.agent, (out = []));
        if (!out.includes(step.exchange.to)) out.push(step.exchange.to);
      }
    }
    exchangeIndexes.set(workload, (index = built));
  }
  return index.get(agent) ?? NONE;
}
const NONE: readonly string[] = [];

/** Attack names: explicit, or the pattern id suffixed `-2`, `-3`… on repeats (file order). */
export function attackNames(attacks: readonly (AttackInput | null)[]): (string | null)[] {
  const seen = new Map<string, number>();
  return attacks.map((attack) => {
    if (attack === null) return null;
    if (attack.name !== undefined) return attack.name;
    const count = (seen.get(attack.pattern) ?? 0) + 1;
    seen.set(attack.pattern, count);
    return count === 1 ? attack.pattern : `${attack.pattern}-${count}`;
  });
}

/** Runs every reference check and returns all the problems found. */
export function checkReferences(input: ReferenceInput): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  const add = (code: IssueCode, path: readonly PathSegment[], message: string, hint?: string): void => {
    issues.push(hint === undefined ? { code, path, message } : { code, path, message, hint });
  };

  // 1. Node ids: unique, and a kind per id (the first definition wins for later checks).
  const kinds = new Map<string, NodeKind>();
  const firstIndex = new Map<string, number>();
  input.nodes.forEach((node, index) => {
    if (node === null) return;
    const first = firstIndex.get(node.id);
    if (first !== undefined) {
      add('duplicate-id', ['nodes', index, 'id'], `duplicate node id ${q(node.id)} (first defined at nodes[${first}])`);
      return;
    }
    firstIndex.set(node.id, index);
    kinds.set(node.id, node.kind);
  });
  const allIds = [...kinds.keys(), ...input.unverifiedIds];

  /** Whether `id` exists and has an allowed kind (expectKind without the report). */
  const hasKind = (id: string, allowed: readonly NodeKind[]): boolean => {
    const kind = kinds.get(id);
    return kind !== undefined && allowed.includes(kind);
  };
  /** Checks that `id` exists and has an allowed kind; reports and returns false otherwise. */
  const expectKind = (path: readonly PathSegment[], id: string, allowed: readonly NodeKind[], role: string): boolean => {
    const kind = kinds.get(id);
    if (kind === undefined) {
      if (!input.unverifiedIds.has(id)) add('unknown-reference', path, `unknown node ${q(id)}`, didYouMean(id, allIds));
      return false;
    }
    if (!allowed.includes(kind)) {
      add('wrong-kind', path, `${q(id)} is ${article(kind)}, but ${role} must be ${orList(allowed)}`);
      return false;
    }
    return true;
  };

  // 2. Edges: kind rules, actions only (and always) on grants, no self-loops.
  const holds = new Set<string>();
  const invokes = new Set<string>();
  input.edges.forEach((edge, index) => {
    if (edge === null) return;
    const rule = EDGE_RULES[edge.kind];
    // The path and wording are built only for an edge that has a problem (a big estate has a million).
    const fromOk =
      hasKind(edge.from, rule.from) ||
      expectKind(['edges', index, 'from'], edge.from, rule.from, `the source of a ${edge.kind} edge`);
    const toOk =
      hasKind(edge.to, rule.to) || expectKind(['edges', index, 'to'], edge.to, rule.to, `the target of a ${edge.kind} edge`);
    if (edge.from === edge.to) add('self-loop', ['edges', index], `self-loop: ${edge.kind} edge from ${q(edge.from)} to itself`);
    if (edge.kind === 'grants' && edge.actions === undefined) {
      add(
        'missing-key',
        ['edges', index, 'actions'],
        'missing required key "actions" (a grants edge lists read, write and/or admin)',
      );
    }
    if (edge.kind !== 'grants' && edge.actions !== undefined) {
      add('not-allowed', ['edges', index, 'actions'], `"actions" is only allowed on grants edges (this is a ${edge.kind} edge)`);
    }
    if (fromOk && toOk && edge.kind === 'holds') holds.add(`${edge.from}\0${edge.to}`);
    if (fromOk && toOk && edge.kind === 'invokes') invokes.add(`${edge.from}\0${edge.to}`);
  });
  const edgeIndex = indexEdges(input.edges);
  /**
   * A problem that an edge the file lacks causes: not reported when `ends` (the ids such an edge would
   * join) include an end of an edge entry the schema rejected, which may be that edge.
   */
  const missingEdge = (ends: readonly string[], code: IssueCode, path: readonly PathSegment[], message: string): void => {
    if (!ends.some((id) => input.uncertainEdgeEnds.has(id))) add(code, path, message);
  };
  const heldBy = (holder: string): string[] => (edgeIndex.held.get(holder) ?? []).filter((id) => kinds.get(id) === 'credential');

  const horizonMs = input.horizon === undefined ? undefined : parseDuration(input.horizon);
  const beforeHorizon = (path: readonly PathSegment[], time: string): void => {
    if (horizonMs !== undefined && parseDuration(time) >= horizonMs) {
      add('after-horizon', path, `must be before the horizon (${input.horizon ?? ''}) (got ${q(time)})`);
    }
  };

  // 3. Workload: agent, targets, via tools, step credentials (named or inferred).
  input.workload.forEach((task, ti) => {
    if (task === null) return;
    const base: PathSegment[] = ['workload', ti];
    const agentOk = expectKind([...base, 'agent'], task.agent, ['agent'], "a task's agent");
    if (task.at !== undefined) beforeHorizon([...base, 'at'], task.at);
    const exchanged = agentOk ? exchangedBy(input.workload, task.agent) : [];
    const agentHas = (credential: string): boolean => holds.has(`${task.agent}\0${credential}`) || exchanged.includes(credential);
    task.steps.forEach((step, si) => {
      const path: PathSegment[] = [...base, 'steps', si];
      if ('exchange' in step) {
        // A declared exchange: from a credential the agent holds (or obtains by another declared
        // exchange) to one it assumes directly.
        const fromOk = expectKind([...path, 'exchange', 'from'], step.exchange.from, ['credential'], "an exchange's from");
        const toOk = expectKind([...path, 'exchange', 'to'], step.exchange.to, ['credential'], "an exchange's to");
        if (fromOk && agentOk && !agentHas(step.exchange.from)) {
          missingEdge(
            [task.agent, step.exchange.from],
            'not-held',
            [...path, 'exchange', 'from'],
            `agent ${q(task.agent)} neither holds credential ${q(step.exchange.from)} nor obtains it by a declared exchange`,
          );
        }
        if (fromOk && toOk && !edgeIndex.assumes.has(`${step.exchange.from}\0${step.exchange.to}`)) {
          missingEdge(
            [step.exchange.from, step.exchange.to],
            'no-assumes',
            [...path, 'exchange', 'to'],
            `credential ${q(step.exchange.from)} does not assume ${q(step.exchange.to)} (add an assumes edge)`,
          );
        }
        return;
      }
      const targetOk = expectKind([...path, 'target'], step.target, TARGETS, 'a step target');
      let actorOk = agentOk;
      if (step.via !== undefined) {
        actorOk = expectKind([...path, 'via'], step.via, ['tool'], "a step's via") && agentOk;
        if (actorOk && !invokes.has(`${task.agent}\0${step.via}`)) {
          missingEdge(
            [task.agent, step.via],
            'not-invoked',
            [...path, 'via'],
            `agent ${q(task.agent)} does not invoke tool ${q(step.via)} (add an invokes edge)`,
          );
          actorOk = false;
        }
      }
      const actor = step.via ?? task.agent;
      const actorExchanged = step.via === undefined ? exchanged : [];
      if (step.credential !== undefined) {
        if (!expectKind([...path, 'credential'], step.credential, ['credential'], 'a step credential')) return;
        if (actorOk && !holds.has(`${actor}\0${step.credential}`) && !actorExchanged.includes(step.credential)) {
          missingEdge(
            [actor, step.credential],
            'not-held',
            [...path, 'credential'],
            `${q(actor)} does not hold credential ${q(step.credential)}`,
          );
        } else if (targetOk && !grantsAction(edgeIndex, step.credential, step.target, step.action)) {
          missingEdge(
            [step.credential, step.target],
            'not-granted',
            [...path, 'credential'],
            `credential ${q(step.credential)} does not grant ${step.action} on ${q(step.target)}`,
          );
        }
      } else if (
        actorOk &&
        targetOk &&
        inferStepCredential(edgeIndex, actor, step.target, step.action, actorExchanged) === undefined
      ) {
        missingEdge(
          [actor, step.target],
          'no-credential',
          path,
          `no credential held by ${q(actor)} grants ${step.action} on ${q(step.target)} (add holds/grants edges or name a credential)`,
        );
      }
    });
  });

  // 4. Attacks: parameters fit the pattern, times before the horizon, unique names.
  input.attacks.forEach((attack, ai) => {
    if (attack === null) return;
    const base: PathSegment[] = ['attacks', ai];
    switch (attack.pattern) {
      case 'secret-replay': {
        const credOk = expectKind([...base, 'credential'], attack.credential, ['credential'], 'a leaked credential');
        const fromOk = expectKind([...base, 'from'], attack.from, HOLDERS, '"from"');
        if (credOk && fromOk && !holds.has(`${attack.from}\0${attack.credential}`)) {
          missingEdge(
            [attack.from, attack.credential],
            'not-held',
            [...base, 'from'],
            `${q(attack.from)} does not hold credential ${q(attack.credential)}`,
          );
        }
        beforeHorizon([...base, 'leakAt'], attack.leakAt);
        break;
      }
      case 'lateral-movement':
        expectKind([...base, 'entry'], attack.entry, ANY, 'an entry point');
        beforeHorizon([...base, 'at'], attack.at);
        break;
      case 'tool-chaining':
        expectKind([...base, 'agent'], attack.agent, ['agent'], 'a hijacked agent');
        beforeHorizon([...base, 'at'], attack.at);
        break;
      case 'intent-drift':
        expectKind([...base, 'agent'], attack.agent, ['agent'], 'a drifting agent');
        attack.targets.forEach((t, k) =>
          expectKind([...base, 'targets', k, 'target'], t.target, TARGETS, 'an intent-drift target'),
        );
        beforeHorizon([...base, 'at'], attack.at);
        break;
      case 'orphaned-credential': {
        const agentOk = expectKind([...base, 'agent'], attack.agent, ['agent'], 'a retired agent');
        if (attack.credential === undefined) {
          if (agentOk && heldBy(attack.agent).length === 0)
            missingEdge([attack.agent], 'no-credential', [...base, 'agent'], `agent ${q(attack.agent)} holds no credential`);
        } else {
          const list = typeof attack.credential === 'string' ? [attack.credential] : attack.credential;
          list.forEach((credential, k) => {
            const path: PathSegment[] =
              typeof attack.credential === 'string' ? [...base, 'credential'] : [...base, 'credential', k];
            if (
              expectKind(path, credential, ['credential'], 'an orphaned credential') &&
              agentOk &&
              !holds.has(`${attack.agent}\0${credential}`)
            ) {
              missingEdge(
                [attack.agent, credential],
                'not-held',
                path,
                `agent ${q(attack.agent)} does not hold credential ${q(credential)}`,
              );
            }
          });
        }
        beforeHorizon([...base, 'retiredAt'], attack.retiredAt);
        break;
      }
      case 'mass-leak':
        if (expectKind([...base, 'holder'], attack.holder, HOLDERS, 'a leaking holder') && heldBy(attack.holder).length === 0) {
          missingEdge([attack.holder], 'no-credential', [...base, 'holder'], `${q(attack.holder)} holds no credential`);
        }
        beforeHorizon([...base, 'leakAt'], attack.leakAt);
        break;
      default:
        assertNever(attack);
    }
  });
  const names = attackNames(input.attacks);
  const firstName = new Map<string, number>();
  names.forEach((name, ai) => {
    if (name === null) return;
    const first = firstName.get(name);
    if (first === undefined) firstName.set(name, ai);
    else
      add(
        'duplicate-name',
        input.attacks[ai]?.name === undefined ? ['attacks', ai] : ['attacks', ai, 'name'],
        `duplicate attack name ${q(name)} (also attacks[${first}]; set a unique name)`,
      );
  });

  // 5. Policies: hybrid exception ids are credentials.
  for (const { name, policy } of input.policies) {
    policy?.exceptions?.forEach((exception, ei) => {
      exception.match.ids?.forEach((id, k) => {
        expectKind(['policies', name, 'exceptions', ei, 'match', 'ids', k], id, ['credential'], 'an exception id');
      });
    });
  }
  return issues;
}
