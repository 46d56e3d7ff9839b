/**
 * The JSON Schema of scenario files, for editors (VS Code's YAML extension, JSON `$schema`). It is
 * generated from the zod input schema and committed as schema/scenario.schema.json; a test keeps the
 * committed file equal to this output. Cross-field rules (references, edge kinds) are not in it.
 *
 * Three things make it useful in an editor: named definitions (`Duration`, `AgentNode`, …, never
 * `__schema0`), a description on every property (PROPERTY_DOCS fills those the zod schema has none
 * for), and unions selected by their discriminant (`kind` of a node, `pattern` of an attack) written as
 * `if`/`then` chains, so an editor validates a node against its own kind and names the wrong key.
 */
import * as z from 'zod';
import { attackSchema, edgeSchema, nodeSchema, scenarioInputSchema, taskSchema } from './schema.js';
import { policyEntrySchema, policySchema } from './schema-policy.js';
import { distributionSchema, durationOrNeverSchema, durationSchema } from './schema-values.js';

/** Descriptions of properties the zod schema leaves undocumented, by property name (same meaning wherever it appears). */
const PROPERTY_DOCS: Readonly<Record<string, string>> = {
  name: 'Name: of the scenario (lowercase letters, digits, . _ -) or of an attack (the value of the `attack` column).',
  description: 'What the scenario shows and what it simplifies (shown in reports and scenarios.csv).',
  references: 'Public sources (http(s) URLs), linked from the report.',
  frameworks: 'Framework tags by framework key; only the ids listed in FRAMEWORKS.md are accepted.',
  'owasp-nhi': 'OWASP Non-Human Identities Top 10 ids, e.g. NHI2:2025.',
  'owasp-agentic': 'OWASP Agentic AI ids (ASI01…ASI10, T1…T15).',
  'owasp-llm': 'OWASP LLM Top 10 ids, e.g. LLM06:2025.',
  attack: 'MITRE ATT&CK technique or tactic ids, e.g. T1552.001.',
  'nist-csf': 'NIST CSF 2.0 subcategories, e.g. PR.AA-05.',
  'nist-ai-rmf': 'NIST AI RMF subcategories, e.g. GOVERN 1.6.',
  'nist-800-207': 'NIST SP 800-207 tenets, e.g. Tenet 6.',
  maestro: 'MAESTRO layers, e.g. L3.',
  sensitivityWeights: 'Blast-radius weight per sensitivity (default public 0, internal 1, confidential 3, regulated 10).',
  public: 'Weight of a public resource (default 0).',
  internal: 'Weight of an internal resource (default 1).',
  confidential: 'Weight of a confidential resource (default 3).',
  regulated: 'Weight of a regulated resource (default 10).',
  nodes: 'The agents, tools, resources and credentials; `kind` selects the keys.',
  edges: 'Relations between nodes: holds, grants (with actions), invokes, assumes.',
  workload: 'The benign tasks agents run: they decide issuance cost and failures.',
  attacks: 'The breach patterns to replay; `pattern` selects the keys.',
  policies: 'Policy name → a policy object, a preset name, or {preset, …overrides}. The first is the baseline.',
  id: 'Node id, unique in the file; edges, tasks and attacks refer to it.',
  kind: 'What this is; the allowed values are listed, and each selects its own keys.',
  environment: 'Cloud or site the node runs in (default "default"); revocation latency can differ per environment.',
  records: 'Records the resource holds (counted in records_exposed when read).',
  from: 'Node id the edge starts at (or the holder a secret leaks from).',
  to: 'Node id the edge ends at.',
  agent: 'Agent id.',
  every: 'Period between starts (a duration); omit for a one-off task at `at`.',
  at: 'Time from the start of the trial (a duration).',
  duration: 'How long the task runs (a duration).',
  timeout: 'Abort the task when it runs longer than this (a duration or never; default never).',
  refreshable: 'The task can renew a token that expires mid-task (default false).',
  steps: 'What the task does, in order.',
  target: 'Resource (or node) id acted on.',
  action: 'read, write or admin.',
  via: 'Tool id the step goes through (default: the agent acts directly).',
  credential: 'Credential id (or ids) used; default: the single one the actor holds that grants the action.',
  pattern: 'The breach pattern; it selects the attack keys.',
  hopDelay: 'Time the attacker takes per hop (a distribution; default 0).',
  maxHops: 'Stop expanding after this many hops (default unbounded).',
  leakAt: 'When the credential leaks (a duration from the start).',
  replayDelay: 'Time from the leak to the first replay (a distribution; default 0).',
  entry: 'Node id the attacker controls first.',
  targets: 'Out-of-intent actions the drifting agent tries.',
  retiredAt: 'When the agent is retired without offboarding (a duration).',
  foundDelay: 'Time from retirement until the attacker finds the credentials (a distribution).',
  holder: 'Node id whose every credential leaks at once.',
  rotation: 'Rotation period of standing secrets (a duration or never).',
  ttl: 'Lifetime of a brokered token (a duration > 0).',
  scope: "What a brokered token allows: role (all grants), task (the task's declared pairs) or step (one step).",
  revokeOn: "Revoke a task's tokens on completion, failure and/or timeout.",
  reevaluate: "Re-check a live token's use: none, privileged (write/admin) or every-step.",
  bindToWorkload: 'Bind tokens to the workload identity they were minted for (a stolen copy cannot be replayed elsewhere).',
  detection: 'Chance and delay of noticing the attacker, which triggers revocation.',
  probability: 'A probability from 0 to 1.',
  delay: 'Time until it happens (a distribution).',
  revocationLatency: 'Time from a detection to revocation taking effect, per environment (`default` for the rest).',
  issuer: 'The token issuer: latency per issuance and availability.',
  latency: 'Time one issuance takes (a distribution).',
  availability: 'Share of issuance requests that succeed (0 to 1; default 1).',
  exceptions: 'Hybrid only: credentials kept standing, each with its own rotation.',
  match: 'Which credentials an exception keeps standing (all named keys must match).',
  replans: 'Matches (or describes) agents that re-plan and chain tools.',
  maxSensitivity: 'Matches credentials that reach nothing more sensitive than this.',
  ids: 'Credential ids.',
  preset: 'Name of a policy preset (a file in a policies/ folder, or a built-in).',
  fixed: 'A fixed duration.',
  exponential: 'Exponentially distributed with this mean.',
  mean: 'Mean (a duration).',
  lognormal: 'Log-normally distributed: median and sigma.',
  median: 'Median (a duration).',
  sigma: 'Shape: standard deviation of the log.',
  uniform: 'Uniformly distributed between min and max.',
  min: 'Smallest value (a duration).',
  max: 'Largest value (a duration).',
};

/** Title-cased identifier of a literal (`secret-replay` → `SecretReplay`). */
function pascal(value: string): string {
  return value.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

/**
 * The named definitions: each schema listed here becomes `$defs/<id>`. The ids go into zod's global
 * registry beside the schemas' own `.meta()` descriptions (which the generator reads from there); once.
 */
let named = false;
function nameDefinitions(): void {
  if (named) return;
  named = true;
  const name = (schema: z.ZodType, id: string): void =>
    void z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  name(durationSchema, 'Duration');
  name(durationOrNeverSchema, 'DurationOrNever');
  name(distributionSchema, 'Distribution');
  for (const option of nodeSchema.options) name(option, `${pascal(option.shape.kind.value)}Node`);
  name(edgeSchema, 'Edge');
  name(taskSchema, 'Task');
  for (const option of attackSchema.options) name(option, `${pascal(option.shape.pattern.value)}Attack`);
  name(policySchema, 'Policy');
  name(policyEntrySchema, 'PolicyEntry');
}

type Json = Record<string, unknown>;

/** Objects whose `allOf` holds discriminant conditions: their `if` clauses need no descriptions. */
const branchConditions = new WeakSet<object>();

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fills a description into every property that has none (in place). */
function describeProperties(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) describeProperties(item);
    return;
  }
  if (!isObject(node)) return;
  const properties = node['properties'];
  if (isObject(properties)) {
    for (const [key, value] of Object.entries(properties)) {
      if (isObject(value) && value['description'] === undefined && PROPERTY_DOCS[key] !== undefined) {
        properties[key] = { description: PROPERTY_DOCS[key], ...value };
      }
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'allOf' && branchConditions.has(node) && Array.isArray(value)) {
      for (const branch of value) if (isObject(branch)) describeProperties(branch['then']);
    } else describeProperties(value);
  }
}

/**
 * Rewrites a `oneOf` of `$ref`s whose targets share a `const` discriminant into an `if`/`then` chain on
 * it, so an editor checks the object against its own branch only (in place).
 */
function discriminate(node: unknown, defs: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) discriminate(item, defs);
    return;
  }
  if (!isObject(node)) return;
  for (const value of Object.values(node)) discriminate(value, defs);
  const oneOf = node['oneOf'];
  if (!Array.isArray(oneOf) || oneOf.length < 2) return;
  const branches = oneOf.map((b: unknown) => {
    const ref = isObject(b) && typeof b['$ref'] === 'string' ? b['$ref'] : '';
    const target = defs[ref.replace('#/$defs/', '')];
    return { ref, target: isObject(target) ? target : null };
  });
  const key = ['kind', 'pattern'].find((k) =>
    branches.every(({ target }) => {
      const props = target?.['properties'];
      return isObject(props) && isObject(props[k]) && typeof props[k]['const'] === 'string';
    }),
  );
  if (key === undefined) return;
  const values = branches.map(({ target }) => ((target!['properties'] as Json)[key] as Json)['const'] as string);
  delete node['oneOf'];
  Object.assign(node, {
    type: 'object',
    required: [key],
    properties: { [key]: { description: PROPERTY_DOCS[key], enum: values } },
    allOf: branches.map(({ ref }, i) => ({
      if: { properties: { [key]: { const: values[i] } }, required: [key] },
      then: { $ref: ref },
    })),
  });
  branchConditions.add(node);
}

/** The JSON Schema (draft 2020-12) of a scenario file's input. */
export function scenarioJsonSchema(): Record<string, unknown> {
  nameDefinitions();
  const schema = z.toJSONSchema(scenarioInputSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    // Only the named schemas above become definitions; everything else is inlined where it is used.
    reused: 'inline',
  }) as Json;
  const defs = isObject(schema['$defs']) ? schema['$defs'] : {};
  discriminate(schema, defs);
  describeProperties(schema);
  return {
    ...schema,
    title: 'blastlab scenario',
    description:
      'A blastlab scenario file: the NHI graph, the benign workload, the breach patterns to replay and the policies to compare.',
  };
}

/** The committed file's exact text (2-space JSON and a final newline). */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
