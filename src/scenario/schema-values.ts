/**
 * The values a scenario file is made of, as zod schemas: durations, distributions, ids, date-times,
 * probabilities, provenance — and the issue code of each pattern a value must match. The file's
 * shape (schema.ts) and the policies (schema-policy.ts) are built from these.
 */
import * as z from 'zod';
import type { IssueCode } from '../errors.js';
import { DURATION_PATTERN, MAX_DURATION_MS, parseDuration } from '../lib/duration.js';
import { EXPOSURES } from '../domain/scenario.js';

const DURATION_OR_NEVER_PATTERN = new RegExp(`^(?:never|${DURATION_PATTERN.source.slice(1, -1)})$`);
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
export const ATTACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
export const POLICY_NAME_PATTERN = /^(?!\d+$)[A-Za-z0-9][A-Za-z0-9._+-]*$/;
export const LOWER_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

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

export const probabilitySchema = z.number().min(0).max(1);
export const idSchema = z
  .string()
  .regex(ID_PATTERN, {
    error: 'must be an id: letters, digits and . _ : / @ + -, starting with a letter or digit',
  })
  .max(200);
export const environmentSchema = z.string().min(1).max(200);
export const exposureSchema = z.enum(EXPOSURES).optional().meta({
  description:
    'snapshot (default): a leak is a one-time copy; live: the attacker reads the newest material whenever it looks (resident malware, a public file).',
});
/** An ISO 8601 date-time with a zone (`2024-01-02T03:04:05Z`, `…+00:00`): real credential timestamps. */
export const dateTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time like 2024-01-02T03:04:05Z' });
/** Where an imported node came from: importer name and the id in that source (round trips, exports). */
export const provenanceSchema = z
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
