/**
 * `blastlab import opengraph <graph.json|bundle.zip…> [--profile NAME|FILE]`: the `import` command's
 * OpenGraph source (src/cli/import.ts dispatches here). Reads and checks every payload, maps it with
 * the profile (opengraph.ts), chooses the declared intent (opengraph-intent.ts), and adds the
 * automatic attacks and the as-is / ephemeral / hybrid policies every importer shares (auto.ts).
 */
import { ScenarioError } from '../errors.js';
import { fileIssue } from '../scenario/document.js';
import type { AttackInput, ScenarioInput } from '../scenario/schema.js';
import { autoAttacks, estatePolicies } from './auto.js';
import type { ImportResult, ImportSummary } from './builder.js';
import { toScenarioName } from './builder.js';
import { importOpenGraph, type OpenGraphImportSummary } from './opengraph.js';
import { intentWorkload, type IntentMode } from './opengraph-intent.js';
import { loadProfile } from './opengraph-profile.js';
import { readOpenGraphInputs } from './opengraph-read.js';

export interface OpenGraphSourceOptions {
  /** A shipped profile name (`generic`, `github`, `blastlab`) or a profile file; default `generic`. */
  readonly profile?: string;
  readonly intent?: IntentMode;
  readonly attacks?: boolean;
  readonly asOf?: string;
  readonly name?: string;
  readonly trials?: number;
}

/** Reads OpenGraph payloads into a scenario document; throws ScenarioError (exit 2) on bad input. */
export function importOpenGraphSource(inputs: readonly string[], opts: OpenGraphSourceOptions = {}): ImportResult {
  const profile = loadProfile(opts.profile ?? 'generic');
  const read = readOpenGraphInputs(inputs);
  if (!read.ok) throw new ScenarioError(read.issues);
  const result = importOpenGraph(read.members, { profile, ...(opts.asOf === undefined ? {} : { asOf: opts.asOf }) });
  if (!result.ok) throw new ScenarioError(result.issues);
  const { fragment } = result;
  if (fragment.nodes.length === 0)
    throw new ScenarioError([
      fileIssue(inputs[0] ?? 'input', 'nothing to model: the OpenGraph input has no nodes', 'nothing-to-model'),
    ]);

  const intent = opts.intent ?? 'all-grants';
  const workload = intentWorkload(fragment, intent);
  const doc0 = {
    name: 'x',
    ...(fragment.asOf === undefined ? {} : { asOf: fragment.asOf }),
    nodes: fragment.nodes,
    edges: fragment.edges,
    workload,
    attacks: [],
    policies: {},
  } as unknown as ScenarioInput;
  const attacks: AttackInput[] = opts.attacks === false ? [] : autoAttacks(doc0);
  if (attacks.length === 0) {
    // A scenario needs one attack: the first agent (or node) taken over, for the user to edit.
    const entry = fragment.nodes.find((n) => n['kind'] === 'agent') ?? fragment.nodes[0]!;
    attacks.push({ pattern: 'lateral-movement', name: 'takeover-first-agent', entry: entry['id'] as string, at: '1d' });
  }
  const scenario = {
    name: opts.name ?? toScenarioName(`opengraph-${profile.name}`),
    description: `Imported from BloodHound OpenGraph (${inputs.join(', ')}) with the ${profile.name} profile by blastlab import opengraph.`,
    ...(fragment.asOf === undefined ? {} : { asOf: fragment.asOf }),
    trials: opts.trials ?? 100,
    horizon: '30d',
    nodes: fragment.nodes,
    edges: fragment.edges,
    ...(workload.length === 0 ? {} : { workload }),
    attacks,
    policies: estatePolicies(doc0),
  } as unknown as ScenarioInput;
  return {
    scenario,
    summary: toImportSummary(result.summary, {
      profile: profile.name,
      intent,
      tasks: workload.length,
      asOfGiven: opts.asOf !== undefined,
    }),
  };
}

/** The OpenGraph summary in the shape every importer prints (mapped / ignored counts, notes). */
function toImportSummary(
  s: OpenGraphImportSummary,
  extra: { profile: string; intent: string; tasks: number; asOfGiven: boolean },
): ImportSummary {
  const mapped: Record<string, number> = {
    [`nodes mapped by profile ${extra.profile}`]: s.nodes.byProfile,
    'edges mapped by profile': s.edges.byProfile,
  };
  for (const [kind, n] of s.loweredNodeKinds) mapped[`nodes lowered generically: ${kind}`] = n;
  for (const [kind, n] of s.loweredEdgeKinds) mapped[`edges lowered generically: ${kind}`] = n;
  if (s.nodes.identities > 0) mapped['identity credentials added (generic lowering)'] = s.nodes.identities;
  if (s.nodes.merged > 0) mapped['nodes repeated across payloads (merged)'] = s.nodes.merged;
  const ignored: Record<string, number> = {};
  for (const [kind, n] of s.ignoredEdgeKinds) ignored[`edges ignored by profile: ${kind}`] = n;
  if (s.edges.duplicates > 0) ignored['duplicate edges'] = s.edges.duplicates;
  if (s.edges.selfLoops > 0) ignored['self-loops'] = s.edges.selfLoops;
  for (const [what, n] of s.droppedValues) ignored[`unusable property values: ${what}`] = n;
  const notes = [
    `intent: ${extra.intent} (${extra.tasks} tasks; OpenGraph records access, not use: see docs/opengraph.md)`,
    'unknown edge kinds are lowered as traversable (an upper bound on reach): list non-traversable kinds as {as: ignore} in a profile',
  ];
  if (s.asOf !== null)
    notes.push(`asOf ${s.asOf}${extra.asOfGiven ? '' : ' (from the input: bl_as_of, else its newest timestamp; set --as-of)'}`);
  return { source: 'opengraph', mapped, ignored, notes };
}
