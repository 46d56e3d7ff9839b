/**
 * Step 2 of the boundary: the shape of a scenario file (DESIGN §1) as zod schemas. The schema is the
 * input type; it validates only — defaults and unit conversion live in `resolve.ts`, cross-references
 * in `references.ts`. Objects are strict: an unknown key is an error (with a did-you-mean hint).
 * The values it is made of live in `schema-values.ts`, the policies in `schema-policy.ts`.
 */
import * as z from 'zod';
import { DURATION_PATTERN, parseDuration } from '../lib/duration.js';
import { ACTIONS, EDGE_KINDS, IDENTITIES, REACHED_STATES, SENSITIVITIES } from '../domain/scenario.js';

/** Framework keys accepted under `frameworks` (see FRAMEWORKS.md). */
export const FRAMEWORK_KEYS = [
  'owasp-nhi',
  'owasp-agentic',
  'owasp-llm',
  'attack',
  'nist-csf',
  'nist-ai-rmf',
  'nist-800-207',
  'maestro',
] as const;
import {
  ATTACK_NAME_PATTERN,
  dateTimeSchema,
  distributionSchema,
  durationOrNeverSchema,
  durationSchema,
  environmentSchema,
  exposureSchema,
  ID_PATTERN,
  idSchema,
  LOWER_NAME_PATTERN,
  provenanceSchema,
} from './schema-values.js';
import { policyEntrySchema, policyNameSchema, type policySchema } from './schema-policy.js';

/** Importers outside the scenario boundary read date-times with the boundary's own rule. */

// ── what the public record says (incident replays; docs/incidents.md) ─────────────────────────────
const recordUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
/** Resource `record`: whether the public record says an incident reached it (`potential` = model extrapolation). */
export const resourceRecordSchema = z
  .strictObject({
    reached: z.enum(REACHED_STATES).meta({
      description:
        'confirmed: the record says it was reached; denied: the record says it was not; potential (default): model extrapolation.',
    }),
    source: recordUrlSchema.optional().meta({ description: 'The public source; required for confirmed and denied.' }),
  })
  .refine((r) => r.reached === 'potential' || r.source !== undefined, {
    error: 'confirmed and denied need a source URL',
    path: ['source'],
    params: { code: 'missing-key' },
  });
/** Scenario `record`: the recorded dwell of the incident and the attacks that replay it as recorded. */
export const scenarioRecordSchema = z.strictObject({
  dwell: durationSchema
    .optional()
    .meta({ description: "Recorded time from the attacker's first access to eviction (omit when the record does not give it)." }),
  source: recordUrlSchema.meta({ description: 'The public source of the recorded dwell and reach.' }),
  attacks: z
    .array(z.string().min(1))
    .min(1)
    .meta({ description: 'Attacks that replay the incident as recorded (others are views or variants).' }),
});

// ── nodes ────────────────────────────────────────────────────────────────────────────────────────
const agentSchema = z.strictObject({
  id: idSchema,
  kind: z.literal('agent'),
  replans: z.boolean().optional().meta({ description: 'Can re-plan and chain tools (default false).' }),
  environment: environmentSchema.optional().meta({ description: 'Cloud/site (default "default").' }),
  identity: z.enum(IDENTITIES).optional().meta({ description: 'workload (default) or shared-secret.' }),
  exposure: exposureSchema,
  provenance: provenanceSchema,
});
const toolSchema = z.strictObject({
  id: idSchema,
  kind: z.literal('tool'),
  environment: environmentSchema.optional(),
  exposure: exposureSchema,
  provenance: provenanceSchema,
});
const resourceSchema = z.strictObject({
  id: idSchema,
  kind: z.literal('resource'),
  sensitivity: z.enum(SENSITIVITIES).optional().meta({ description: 'Default internal.' }),
  records: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  environment: environmentSchema.optional(),
  egress: z
    .boolean()
    .optional()
    .meta({ description: 'Data leaves through it (email, ticket replies, comments, outbound web); default false.' }),
  record: resourceRecordSchema.optional().meta({
    description:
      'Incident replays: whether the public record says this resource was reached (confirmed, denied or potential), with the source.',
  }),
  exposure: exposureSchema,
  provenance: provenanceSchema,
});
/** Real credential timestamps (docs/import.md "Timestamp rules"); the date-times need the scenario's `asOf`. */
const credentialTimesShape = {
  createdAt: dateTimeSchema.optional().meta({ description: 'When the credential was issued (not after asOf).' }),
  lastRotatedAt: dateTimeSchema
    .optional()
    .meta({ description: 'When its value last changed (not after asOf); phase of persistent rotation.' }),
  lastUsedAt: dateTimeSchema
    .optional()
    .meta({ description: 'Last authentication (not after asOf); older than staleAfter = stale.' }),
  expiresAt: dateTimeSchema.optional().meta({ description: 'Hard expiry: ends every version.' }),
  nativeTtl: durationSchema.optional().meta({ description: "The issuer's own token lifetime (1h for an STS session)." }),
};
const credentialSchema = z.strictObject({
  id: idSchema,
  kind: z.literal('credential'),
  type: z.string().min(1).max(200).optional().meta({ description: 'Free text (default "secret").' }),
  ephemeralCapable: z.boolean().optional().meta({ description: 'Default true; false for legacy static keys.' }),
  rotation: durationOrNeverSchema.optional().meta({ description: 'Own rotation period under a persistent policy.' }),
  ...credentialTimesShape,
  provenance: provenanceSchema,
});
/** One node: `kind` selects the attributes. */
export const nodeSchema = z.discriminatedUnion('kind', [agentSchema, toolSchema, resourceSchema, credentialSchema]);

/** One edge; kind rules are checked in references.ts. */
export const edgeSchema = z.strictObject({
  from: idSchema,
  to: idSchema,
  kind: z.enum(EDGE_KINDS),
  actions: z.array(z.enum(ACTIONS)).min(1).optional().meta({ description: 'grants only: read, write, admin.' }),
});

const EDGE_KEYS: ReadonlySet<string> = new Set(['from', 'to', 'kind', 'actions']);
const EDGE_KIND_SET: ReadonlySet<unknown> = new Set(EDGE_KINDS);
const ACTION_SET: ReadonlySet<unknown> = new Set(ACTIONS);
const isId = (value: unknown): boolean => typeof value === 'string' && value.length <= 200 && ID_PATTERN.test(value);

/**
 * Whether edgeSchema accepts `value` and would return an equal copy of it: a plain object with
 * `from`, `to`, `kind` and at most `actions`, each valid. Checked in place, so a million-edge file is
 * validated without the schema copying every edge. False means "ask the schema" (which names the
 * problem), not "invalid"; a property test holds this check to edgeSchema.
 */
export function isSchemaEdge(value: unknown): value is EdgeInput {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const edge = value as Record<string, unknown>;
  let keys = 0;
  for (const key in edge) {
    if (!EDGE_KEYS.has(key)) return false;
    keys++;
  }
  if (!isId(edge['from']) || !isId(edge['to']) || !EDGE_KIND_SET.has(edge['kind'])) return false;
  if (keys === 3) return true;
  const actions = edge['actions'];
  if (keys !== 4 || !Array.isArray(actions) || actions.length === 0) return false;
  // Indexed, not every(): a hole in the list is undefined to the schema too.
  for (let i = 0; i < actions.length; i++) if (!ACTION_SET.has(actions[i])) return false;
  return true;
}

// ── workload ─────────────────────────────────────────────────────────────────────────────────────
const actionStepSchema = z.strictObject({
  target: idSchema,
  action: z.enum(ACTIONS),
  via: idSchema.optional(),
  credential: idSchema.optional(),
});
const exchangeStepSchema = z.strictObject({
  exchange: z.strictObject({ from: idSchema, to: idSchema }).meta({
    description:
      'A token exchange the workload performs: from a credential it holds (or obtained by an earlier exchange) to one that credential assumes.',
  }),
});
const stepSchema = z.union([actionStepSchema, exchangeStepSchema], {
  error: 'must be a step {target, action, via?, credential?} or an exchange {exchange: {from, to}}',
});
/** One benign task of an agent. */
export const taskSchema = z
  .strictObject({
    agent: idSchema,
    every: durationSchema
      .refine((d) => !DURATION_PATTERN.test(d) || parseDuration(d) > 0, {
        error: 'must be > 0',
        params: { code: 'out-of-range' },
      })
      .optional(),
    at: durationSchema.optional(),
    duration: durationSchema,
    timeout: durationOrNeverSchema.optional(),
    refreshable: z.boolean().optional(),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((task, ctx) => {
    if (task.every === undefined && task.at === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs "every", "at" or both', input: task, params: { code: 'missing-key' } });
    }
  });

// ── attacks ──────────────────────────────────────────────────────────────────────────────────────
const attackBase = {
  name: z.string().regex(ATTACK_NAME_PATTERN, { error: 'must be letters, digits and . _ + -' }).max(100).optional(),
  hopDelay: distributionSchema.optional(),
  maxHops: z.number().int().min(1).max(1_000_000).optional(),
};
const targetSchema = z.strictObject({ target: idSchema, action: z.enum(ACTIONS) });
/** One breach pattern to replay; `pattern` selects the parameters. */
export const attackSchema = z.discriminatedUnion('pattern', [
  z.strictObject({
    pattern: z.literal('secret-replay'),
    ...attackBase,
    credential: idSchema,
    from: idSchema,
    leakAt: durationSchema,
    replayDelay: distributionSchema.optional(),
  }),
  z.strictObject({ pattern: z.literal('lateral-movement'), ...attackBase, entry: idSchema, at: durationSchema }),
  z.strictObject({ pattern: z.literal('tool-chaining'), ...attackBase, agent: idSchema, at: durationSchema }),
  z.strictObject({
    pattern: z.literal('intent-drift'),
    ...attackBase,
    agent: idSchema,
    at: durationSchema,
    targets: z.array(targetSchema).min(1),
  }),
  z.strictObject({
    pattern: z.literal('orphaned-credential'),
    ...attackBase,
    agent: idSchema,
    credential: z.union([idSchema, z.array(idSchema).min(1)]).optional(),
    retiredAt: durationSchema,
    foundDelay: distributionSchema.optional(),
  }),
  z.strictObject({
    pattern: z.literal('mass-leak'),
    ...attackBase,
    holder: idSchema,
    leakAt: durationSchema,
    replayDelay: distributionSchema.optional(),
  }),
]);

// ── the file ─────────────────────────────────────────────────────────────────────────────────────
/** The whole scenario file. */
export const scenarioInputSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'Editor hint; ignored.' }),
  name: z.string().regex(LOWER_NAME_PATTERN, { error: 'must be lowercase letters, digits and . _ -' }).max(100),
  description: z.string().max(10_000).optional(),
  references: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })).optional(),
  frameworks: z
    .strictObject(
      Object.fromEntries(FRAMEWORK_KEYS.map((key) => [key, z.array(z.string().min(1)).optional()])) as Record<
        (typeof FRAMEWORK_KEYS)[number],
        z.ZodOptional<z.ZodArray<z.ZodString>>
      >,
    )
    .optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .meta({ description: 'Default 1.' }),
  trials: z.number().int().min(1).max(1_000_000).optional().meta({ description: 'Default 100.' }),
  horizon: durationSchema.optional().meta({ description: 'Simulated time span (default 30d).' }),
  rotation: durationOrNeverSchema.optional().meta({ description: 'Default rotation of standing secrets (default never).' }),
  asOf: dateTimeSchema
    .optional()
    .meta({ description: 'The instant simulated time 0 stands for (needed by credential timestamps).' }),
  staleAfter: durationSchema.optional().meta({ description: 'A credential unused for longer is stale (default 90d).' }),
  record: scenarioRecordSchema
    .optional()
    .meta({ description: 'Incident replays: recorded dwell and the attacks that replay the record.' }),
  sensitivityWeights: z
    .strictObject(
      Object.fromEntries(SENSITIVITIES.map((s) => [s, z.number().min(0).max(1e9).optional()])) as Record<
        (typeof SENSITIVITIES)[number],
        z.ZodOptional<z.ZodNumber>
      >,
    )
    .optional(),
  nodes: z.array(nodeSchema).min(1),
  edges: z.array(edgeSchema).optional(),
  workload: z.array(taskSchema).optional(),
  attacks: z.array(attackSchema).min(1),
  policies: z
    .record(policyNameSchema, policyEntrySchema)
    .refine((p) => Object.keys(p).length > 0, { error: 'must define at least one policy', params: { code: 'missing-key' } }),
});

export type ScenarioInput = z.output<typeof scenarioInputSchema>;
export type NodeInput = z.output<typeof nodeSchema>;
export type EdgeInput = z.output<typeof edgeSchema>;
export type TaskInput = z.output<typeof taskSchema>;
export type StepInput = z.output<typeof stepSchema>;
export type ActionStepInput = z.output<typeof actionStepSchema>;
export type AttackInput = z.output<typeof attackSchema>;
export type PolicyInput = z.output<typeof policySchema>;
export type PolicyEntryInput = z.output<typeof policyEntrySchema>;
export type DistributionInput = z.output<typeof distributionSchema>;
