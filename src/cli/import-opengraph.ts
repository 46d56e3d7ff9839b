/**
 * `blastlab import opengraph <graph.json|bundle.zip…> [--profile NAME|FILE] [--intent MODE]
 * [--attacks auto|none] [--as-of T] --out scenario.yaml|json`: a BloodHound OpenGraph graph (any
 * collector's output, or blastlab's own export) as a scenario file. Reads and checks every input
 * first; bad input exits 2 naming the file and the JSON path, and nothing is written.
 */
import { extname } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { ScenarioError, SimulationInvariantError, UsageError } from '../errors.js';
import { autoAttacks, estatePolicies } from '../import/opengraph-auto.js';
import { importOpenGraph, type OpenGraphImportSummary } from '../import/opengraph.js';
import { INTENT_MODES, intentWorkload, type IntentMode } from '../import/opengraph-intent.js';
import { loadProfile } from '../import/opengraph-profile.js';
import { readOpenGraphInputs } from '../import/opengraph-read.js';
import { writeFileAtomic } from '../report/csv.js';
import { dateTimeSchema } from '../scenario/schema.js';
import { parseScenarioText } from '../scenario/load.js';

/** Outputs up to this many edges are loaded back before they are written. */
const RECHECK_MAX_EDGES = 100_000;

/** The flags `import opengraph` takes (the `import` command parses them). */
export interface OpenGraphImportFlags {
  readonly out: string;
  readonly profile?: string;
  readonly intent?: string;
  readonly attacks?: string;
  readonly name?: string;
  readonly asOf?: string;
  readonly quiet?: boolean;
}

/** Runs `import opengraph`; returns the summary lines it printed (unless quiet). */
export function runImportOpenGraph(inputs: readonly string[], flags: OpenGraphImportFlags): string {
  if (inputs.length === 0) throw new UsageError('import opengraph: name at least one OpenGraph .json or .zip file');
  const ext = extname(flags.out).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') throw new UsageError(`--out: the file must end in .yaml, .yml or .json (got ${JSON.stringify(flags.out)})`);
  const intent = (flags.intent ?? 'all-grants') as IntentMode;
  if (!(INTENT_MODES as readonly string[]).includes(intent)) throw new UsageError(`--intent: expected ${INTENT_MODES.join(', ')} (got ${JSON.stringify(flags.intent)})`);
  const attacksMode = flags.attacks ?? 'auto';
  if (attacksMode !== 'auto' && attacksMode !== 'none') throw new UsageError(`--attacks: expected auto or none (got ${JSON.stringify(flags.attacks)})`);
  if (flags.asOf !== undefined && !dateTimeSchema.safeParse(flags.asOf).success) {
    throw new UsageError(`--as-of: expected an ISO 8601 date-time like 2026-12-01T00:00:00Z (got ${JSON.stringify(flags.asOf)})`);
  }
  const name = flags.name ?? scenarioName(flags.out);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new UsageError(`--name: must be lowercase letters, digits and . _ - (got ${JSON.stringify(name)})`);
  const profile = loadProfile(flags.profile ?? 'generic');

  const read = readOpenGraphInputs(inputs);
  if (!read.ok) throw new ScenarioError(read.issues);
  const result = importOpenGraph(read.members, { profile, ...(flags.asOf === undefined ? {} : { asOf: flags.asOf }) });
  if (!result.ok) throw new ScenarioError(result.issues);
  const { fragment, summary } = result;
  if (fragment.nodes.length === 0) throw new UsageError(`import opengraph: ${inputs.join(', ')} hold no nodes`);

  const workload = intentWorkload(fragment, intent);
  const doc: Record<string, unknown> = {
    name,
    description: `Imported from ${inputs.join(', ')} (BloodHound OpenGraph, profile ${profile.name}, intent ${intent}).`,
    ...(fragment.asOf === undefined ? {} : { asOf: fragment.asOf }),
    nodes: fragment.nodes,
    edges: fragment.edges,
    ...(workload.length === 0 ? {} : { workload }),
  };
  const attacks = attacksMode === 'auto' ? autoAttacks(doc) : [];
  if (attacks.length === 0) {
    // A scenario needs one attack: the first agent (or node) taken over, for the user to edit.
    const entry = (fragment.nodes.find((n) => n['kind'] === 'agent') ?? fragment.nodes[0]!)['id'];
    attacks.push({ pattern: 'lateral-movement', name: 'takeover', entry: entry as string, at: '1d' });
  }
  doc['attacks'] = attacks;
  doc['policies'] = estatePolicies(doc);

  // Check the result as `blastlab run` will load it (a failure here is a bug of the importer). Big
  // estates skip the second full load: the property tests cover the builder at every size.
  const text = ext === '.json' ? `${JSON.stringify(doc)}\n` : stringifyYaml(doc, { lineWidth: 0 });
  const check = fragment.edges.length > RECHECK_MAX_EDGES ? { scenario: null } : parseScenarioText(text, flags.out);
  if ('issues' in check) {
    const first = check.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new SimulationInvariantError(`import opengraph: the scenario it built does not load (${first})`);
  }
  writeFileAtomic(flags.out, text);
  if (flags.quiet === true) return '';
  const out = `${formatSummary(summary, { profile: profile.name, intent, tasks: workload.length, attacks: attacks.length })}→ ${flags.out}\n`;
  process.stdout.write(out);
  return out;
}

/** `ci.yaml` → `ci`; invalid characters become `-`. */
function scenarioName(out: string): string {
  const base = out.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return base === '' ? 'imported' : base.slice(0, 100);
}

/** The import summary as printed: what was mapped by the profile, lowered generically, ignored. */
export function formatSummary(s: OpenGraphImportSummary, extra: { profile: string; intent: string; tasks: number; attacks: number }): string {
  const list = (pairs: readonly (readonly [string, number])[]): string => pairs.map(([k, n]) => `${k} ×${n}`).join(', ');
  const lines = [
    `nodes: ${s.nodes.total} (${s.nodes.byProfile} mapped by profile ${extra.profile}, ${s.nodes.lowered} lowered generically, ${s.nodes.identities} identity credentials added${s.nodes.merged > 0 ? `, ${s.nodes.merged} repeated ids merged` : ''})`,
    `edges: ${s.edges.total} (${s.edges.byProfile} mapped by profile, ${s.edges.lowered} lowered generically, plus the identities' holds); ignored ${s.edges.ignored}; dropped ${s.edges.duplicates} duplicates and ${s.edges.selfLoops} self-loops`,
  ];
  if (s.loweredNodeKinds.length > 0) lines.push(`lowered node kinds: ${list(s.loweredNodeKinds)}`);
  if (s.loweredEdgeKinds.length > 0) lines.push(`lowered edge kinds: ${list(s.loweredEdgeKinds)}`);
  if (s.ignoredEdgeKinds.length > 0) lines.push(`ignored edge kinds: ${list(s.ignoredEdgeKinds)}`);
  if (s.droppedValues.length > 0) lines.push(`unusable property values dropped: ${list(s.droppedValues)}`);
  lines.push(`asOf: ${s.asOf ?? 'none (no timestamps)'}; intent: ${extra.intent} (${extra.tasks} tasks); attacks: ${extra.attacks}`);
  return `${lines.join('\n')}\n`;
}
