/**
 * A policy of a scenario file as zod schemas (DESIGN §1 "Policies"): the policy object (also the
 * content of a preset file), a policy entry (an object, a preset name or a preset with overrides) and
 * policy names. Cross-field rules: exceptions only on hybrid, a scope that fits the kind.
 */
import * as z from 'zod';
import { DURATION_PATTERN, parseDuration } from '../lib/duration.js';
import {
  ACTIONS,
  CALL_CHAINS,
  POLICY_KINDS,
  REEVALUATE_MODES,
  REVOKE_TRIGGERS,
  SCOPES,
  SENSITIVITIES,
  STANDING_SCOPES,
  TOKEN_SCOPES,
} from '../domain/scenario.js';
import {
  distributionSchema,
  durationOrNeverSchema,
  durationSchema,
  environmentSchema,
  idSchema,
  LOWER_NAME_PATTERN,
  POLICY_NAME_PATTERN,
  probabilitySchema,
} from './schema-values.js';

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
/**
 * Top-level policy keys that only brokered (ephemeral or hybrid) credentials read — the file keys of
 * BrokerSettings. A persistent policy ignores them (the loader warns; `sweep` refuses to vary them).
 * `scope` is not among them: on a persistent policy it is the standing scope (all or intent, C2).
 */
export const BROKER_KEYS: ReadonlySet<string> = new Set([
  'ttl',
  'revokeOn',
  'reevaluate',
  'bindToWorkload',
  'callChain',
  'issuer',
]);

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

export const policyNameSchema = z.string().regex(POLICY_NAME_PATTERN, {
  error: 'policy names use letters, digits and . _ + -, start with a letter or digit, and are not a plain number',
});
