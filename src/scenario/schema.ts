/**
 * Step 2 of the boundary: the shape of a scenario file (DESIGN §1) as zod schemas. The schema is the
 * input type; it validates only — defaults and unit conversion live in `resolve.ts`, cross-references
 * in `references.ts`. Objects are strict: an unknown key is an error (with a did-you-mean hint).
 */
import * as z from 'zod';
import type { IssueCode } from '../errors.js';
import { DURATION_PATTERN, MAX_DURATION_MS, parseDuration } from '../lib/duration.js';
import {
  ACTIONS,
  EDGE_KINDS,
  EXPOSURES,
  IDENTITIES,
  REEVALUATE_MODES,
  REVOKE_TRIGGERS,
  SCOPES,
  STANDING_SCOPES,
  TOKEN_SCOPES,
  CALL_CHAINS,
  SENSITIVITIES,
  POLICY_KINDS,
  REACHED_STATES,
} from '../domain/scenario.js';

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

const DURATION_OR_NEVER_PATTERN = new RegExp(`^(?:never|${DURATION_PATTERN.source.slice(1, -1)})$`);
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const ATTACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const POLICY_NAME_PATTERN = /^(?!\d+$)[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const LOWER_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** The issue code of a value that does not match one of the patterns above (keyed by `String(regex)`). */
export const PATTERN_CODES: ReadonlyMap<string, IssueCode> = new Map(
  (
    [
      [DURATION_PATTERN, 'bad-duration'],
      [DURATION_OR_NEVER_PATTERN, 'bad-duration'],
      [ID_PATTERN, 'bad-id'],
      [ATTACK_NAME_PATTERN, 'bad-name'],
      [POLICY_NAME_PATTERN, 'bad-name'],
      [LOWER_NAME_PATTERN, 'bad-name'],
    ] as const
  ).map(([pattern, code]) => [String(pattern), code]),
);
const withinMax = (text: string): boolean => {
  try {
    return !DURATION_PATTERN.test(text) || parseDuration(text) <= MAX_DURATION_MS;
  } catch {
    return false;
  }
};

/** A finite duration string (`250ms`, `30s`, `15m`, `2h`, `7d`), at most 100 years. */
export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, { error: 'must be a duration like 250ms, 30s, 15m, 2h or 7d' })
  .refine(withinMax, { error: 'must be at most 100 years', params: { code: 'bad-duration' } })
  .meta({ description: 'Duration: a number and a unit (ms, s, m, h, d), e.g. 15m.' });

/** A duration string or `never`. */
export const durationOrNeverSchema = z
  .string()
  .regex(DURATION_OR_NEVER_PATTERN, { error: 'must be a duration like 90d, or never' })
  .refine(withinMax, { error: 'must be at most 100 years', params: { code: 'bad-duration' } })
  .meta({ description: 'Duration (e.g. 90d) or never.' });

const probabilitySchema = z.number().min(0).max(1);
const idSchema = z
  .string()
  .regex(ID_PATTERN, {
    error: 'must be an id: letters, digits and . _ : / @ + -, starting with a letter or digit',
  })
  .max(200);
const environmentSchema = z.string().min(1).max(200);
const exposureSchema = z.enum(EXPOSURES).optional().meta({
  description:
    'snapshot (default): a leak is a one-time copy; live: the attacker reads the newest material whenever it looks (resident malware, a public file).',
});
/** An ISO 8601 date-time with a zone (`2024-01-02T03:04:05Z`, `…+00:00`): real credential timestamps. */
export const dateTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time like 2024-01-02T03:04:05Z' });
/** Where an imported node came from: importer name and the id in that source (round trips, exports). */
const provenanceSchema = z
  .strictObject({
    source: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: 'The importer or collector the node came from (github-actions, aws-iam, opengraph…).' }),
    id: z
      .string()
      .min(1)
      .max(2000)
      .meta({ description: 'The id of the node in that source (ARN, workflow job, OpenGraph object id).' }),
  })
  .optional()
  .meta({ description: 'Imported nodes: {source, id} in the source system.' });

const uniformSchema = z
  .strictObject({ min: durationSchema, max: durationSchema })
  .refine((u) => parseDuration(u.min) <= parseDuration(u.max), {
    error: 'must be ≥ min',
    path: ['max'],
    params: { code: 'out-of-range' },
  });

/** A distribution over durations; a bare duration means `{fixed: D}`. */
export const distributionSchema = z
  .union(
    [
      durationSchema,
      z.strictObject({ fixed: durationSchema }),
      z.strictObject({ exponential: z.strictObject({ mean: durationSchema }) }),
      z.strictObject({
        lognormal: z.strictObject({ median: durationSchema, sigma: z.number().min(0).max(10) }),
      }),
      z.strictObject({ uniform: uniformSchema }),
    ],
    {
      error:
        'must be a duration like 2h or a distribution: {fixed: D}, {exponential: {mean: D}}, {lognormal: {median: D, sigma: N}} or {uniform: {min: D, max: D}}',
    },
  )
  .meta({
    description: 'A duration (= fixed) or {fixed}, {exponential: {mean}}, {lognormal: {median, sigma}}, {uniform: {min, max}}.',
  });

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

// ── policies ─────────────────────────────────────────────────────────────────────────────────────
const exceptionSchema = z.strictObject({
  match: z
    .strictObject({
      replans: z.boolean().optional(),
      maxSensitivity: z.enum(SENSITIVITIES).optional(),
      environment: environmentSchema.optional(),
      ids: z.array(idSchema).min(1).optional(),
    })
    .refine((m) => Object.keys(m).length > 0, {
      error: 'must name at least one of replans, maxSensitivity, environment, ids',
      params: { code: 'missing-key' },
    }),
  rotation: durationOrNeverSchema,
});
const policyShape = {
  kind: z.enum(POLICY_KINDS),
  rotation: durationOrNeverSchema.optional(),
  ttl: durationSchema
    .refine((d) => !DURATION_PATTERN.test(d) || parseDuration(d) > 0, { error: 'must be > 0', params: { code: 'out-of-range' } })
    .optional(),
  scope: z
    .enum(SCOPES)
    .optional()
    .meta({ description: 'ephemeral/hybrid: task (default), step or role; persistent: all (default) or intent.' }),
  callChain: z.enum(CALL_CHAINS).optional().meta({
    description:
      "propagated: a tool's token request is checked against the calling agent's intent; none (default): against the tool's own.",
  }),
  approval: z
    .strictObject({
      actions: z.array(z.enum(ACTIONS)).min(1).meta({ description: 'The gated actions (e.g. [write, admin]).' }),
      refuse: probabilitySchema.meta({
        description: 'Probability that a gated attacker request is refused (approval fatigue keeps it below 1).',
      }),
      wait: distributionSchema
        .optional()
        .meta({ description: 'Approval wait of a benign gated step (default exponential, mean 10m).' }),
    })
    .optional()
    .meta({
      description: 'Human approval: gated attacker requests are refused with probability refuse; benign tasks wait for approval.',
    }),
  revokeOn: z.array(z.enum(REVOKE_TRIGGERS)).optional(),
  reevaluate: z.enum(REEVALUATE_MODES).optional(),
  bindToWorkload: z.boolean().optional(),
  forbidCreation: z
    .boolean()
    .optional()
    .meta({ description: 'Forbid attacker-created material through issues edges (default false).' }),
  detection: z
    .strictObject({
      probability: probabilitySchema.optional(),
      delay: distributionSchema.optional(),
      at: durationSchema.optional().meta({ description: 'Recorded detection: the incident is noticed at this time (from 0).' }),
    })
    .refine((d) => d.probability !== undefined || d.at !== undefined, {
      error: 'needs "probability", "at" or both',
      params: { code: 'missing-key' },
    })
    .optional(),
  revocationLatency: z.record(environmentSchema, distributionSchema).optional(),
  issuer: z.strictObject({ latency: distributionSchema.optional(), availability: probabilitySchema.optional() }).optional(),
  exceptions: z.array(exceptionSchema).optional(),
  staleAfter: durationSchema
    .optional()
    .meta({ description: "A credential unused for longer is stale (default: the scenario's)." }),
};
const exceptionsOnlyOnHybrid = (
  policy: { kind?: string | undefined; exceptions?: unknown[] | undefined },
  ctx: z.RefinementCtx,
): void => {
  if (policy.exceptions !== undefined && policy.exceptions.length > 0 && policy.kind !== 'hybrid') {
    ctx.addIssue({
      code: 'custom',
      message: `exceptions are only allowed on a hybrid policy (kind is "${policy.kind ?? '?'}")`,
      path: ['exceptions'],
      input: policy.exceptions,
      params: { code: 'not-allowed' },
    });
  }
};
const scopeFitsKind = (policy: { kind?: string | undefined; scope?: string | undefined }, ctx: z.RefinementCtx): void => {
  if (policy.kind === undefined || policy.scope === undefined) return;
  const allowed: readonly string[] = policy.kind === 'persistent' ? STANDING_SCOPES : TOKEN_SCOPES;
  if (!allowed.includes(policy.scope)) {
    ctx.addIssue({
      code: 'custom',
      message: `scope of a ${policy.kind} policy must be ${allowed.join(' or ')} (got "${policy.scope}")`,
      path: ['scope'],
      input: policy.scope,
      params: { code: 'not-allowed' },
    });
  }
};
/** A full policy object (also the content of a preset file). */
export const policySchema = z.strictObject(policyShape).superRefine(exceptionsOnlyOnHybrid).superRefine(scopeFitsKind);

/** Preset names are file names in scenarios/policies/ (no path separators, so no traversal). */
export const presetNameSchema = z.string().regex(LOWER_NAME_PATTERN, { error: 'must be a preset name like ephemeral-15m' });

const presetRefSchema = z.strictObject({
  preset: presetNameSchema,
  ...Object.fromEntries(Object.entries(policyShape).map(([key, schema]) => [key, schema.optional()])),
} as { preset: typeof presetNameSchema } & { [K in keyof typeof policyShape]: z.ZodOptional<(typeof policyShape)[K]> });

/** A policy entry: an object, a preset name, or `{preset: NAME, …overrides}`. */
export const policyEntrySchema = z.union([presetNameSchema, presetRefSchema, policySchema], {
  error: 'must be a policy object {kind: …}, a preset name, or {preset: NAME, …overrides}',
});

const policyNameSchema = z.string().regex(POLICY_NAME_PATTERN, {
  error: 'policy names use letters, digits and . _ + -, start with a letter or digit, and are not a plain number',
});

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
