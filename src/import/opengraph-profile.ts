/**
 * Import profiles: how one OpenGraph extension's kinds become blastlab nodes and edges (the format is
 * documented in docs/opengraph.md "Profiles"). A profile is YAML:
 *
 * ```yaml
 * name: github
 * description: GitHound node and edge kinds
 * nodes:                         # source node kind → blastlab node
 *   GH_PersonalAccessToken:
 *     kind: credential           # agent | tool | resource | credential
 *     attributes: {type: github-pat, ephemeralCapable: true}   # fixed blastlab attributes
 *     properties: {expiresAt: token_expires_at, lastUsedAt: token_last_used_at}  # attribute ← source property
 *     id: bl_id                  # optional: take the blastlab id from this property
 * edges:                         # source edge kind → blastlab edge
 *   GH_HasPersonalAccessToken: {as: holds}
 *   GH_CanAccess: {as: grants, actions: [read, write]}   # or actionsProperty: <property holding a list>
 *   GH_Contains: {as: ignore}
 *   GH_Owns: {as: lower}         # the generic lowering (below)
 *   X_AssumedBy: {as: assumes, reverse: true}   # the source edge points the other way
 * unknownEdges: lower            # edge kinds not listed: lower (default) or ignore
 * ```
 * Shipped profiles live in `profiles/opengraph/<name>.yaml`; `--profile NAME|FILE` picks one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ScenarioError } from '../errors.js';
import { fileIssue, parseText } from '../scenario/document.js';
import { mapZodIssues } from '../scenario/issues.js';
import { ACTIONS } from '../domain/scenario.js';

/** Attributes a profile may set, per blastlab node kind (the scenario schema checks their values). */
export const PROFILE_ATTRIBUTES = {
  agent: ['replans', 'environment', 'identity', 'exposure'],
  tool: ['environment', 'exposure'],
  // recordReached and recordSource make up `record: {reached, source}` (opengraph-values.ts).
  resource: ['sensitivity', 'records', 'environment', 'egress', 'exposure', 'recordReached', 'recordSource'],
  credential: ['type', 'ephemeralCapable', 'rotation', 'createdAt', 'lastRotatedAt', 'lastUsedAt', 'expiresAt', 'nativeTtl'],
} as const;

const kindSchema = z.enum(['agent', 'tool', 'resource', 'credential']);
const attributeName = z.enum([...new Set(Object.values(PROFILE_ATTRIBUTES).flat())] as [string, ...string[]]);

const nodeMappingSchema = z
  .strictObject({
    kind: kindSchema,
    attributes: z.partialRecord(attributeName, z.union([z.string(), z.number(), z.boolean()])).optional(),
    properties: z.partialRecord(attributeName, z.string().min(1)).optional(),
    id: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Take the blastlab id from this source property (when present and a valid id).' }),
  })
  .superRefine((m, ctx) => {
    const allowed = new Set<string>(PROFILE_ATTRIBUTES[m.kind]);
    for (const where of ['attributes', 'properties'] as const) {
      for (const key of Object.keys(m[where] ?? {})) {
        if (!allowed.has(key))
          ctx.addIssue({
            code: 'custom',
            path: [where, key],
            message: `"${key}" is not an attribute of a ${m.kind} (allowed: ${[...allowed].join(', ')})`,
            input: key,
            params: { code: 'unknown-key' },
          });
      }
    }
  });

const edgeMappingSchema = z
  .strictObject({
    as: z.enum(['holds', 'grants', 'invokes', 'assumes', 'runs', 'issues', 'ignore', 'lower']),
    actions: z.array(z.enum(ACTIONS)).min(1).optional(),
    actionsProperty: z.string().min(1).optional(),
    reverse: z.boolean().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.as === 'grants' && m.actions === undefined && m.actionsProperty === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions'],
        message: 'a grants mapping needs actions (e.g. [read]) or actionsProperty',
        input: m,
        params: { code: 'missing-key' },
      });
    }
    if (m.as !== 'grants' && (m.actions !== undefined || m.actionsProperty !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions'],
        message: `actions apply only to "as: grants" (got as: ${m.as})`,
        input: m,
        params: { code: 'not-allowed' },
      });
    }
  });

/** The profile file. */
export const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'must be lowercase letters, digits and . _ -' }),
  description: z.string().optional(),
  nodes: z.record(z.string().min(1), nodeMappingSchema).optional(),
  edges: z.record(z.string().min(1), edgeMappingSchema).optional(),
  unknownEdges: z.enum(['lower', 'ignore']).optional(),
});

export type Profile = z.output<typeof profileSchema>;
export type NodeMapping = z.output<typeof nodeMappingSchema>;
export type EdgeMapping = z.output<typeof edgeMappingSchema>;

/** The folder of shipped profiles (`profiles/opengraph/` at the package root, beside dist/). */
export function builtinProfilesDir(): string {
  return fileURLToPath(new URL('../../profiles/opengraph/', import.meta.url));
}

/** Names of the shipped profiles. */
export const BUILTIN_PROFILES = ['blastlab', 'github'] as const;

/** A profile with no mappings: everything goes through the generic lowering. */
export const GENERIC_PROFILE: Profile = { name: 'generic', description: 'no mappings: the generic lowering only' };

/**
 * Loads `--profile`: a shipped name (`blastlab`, `github`, `generic`), else a YAML file path. Throws
 * ScenarioError naming the file, path and line on a bad profile.
 */
export function loadProfile(nameOrFile: string): Profile {
  if (nameOrFile === 'generic') return GENERIC_PROFILE;
  const builtin = (BUILTIN_PROFILES as readonly string[]).includes(nameOrFile);
  const file = builtin ? `${builtinProfilesDir()}${nameOrFile}.yaml` : nameOrFile;
  if (!builtin && !existsSync(file)) {
    throw new ScenarioError([
      fileIssue(
        nameOrFile,
        `no such profile: neither a shipped profile (${[...BUILTIN_PROFILES, 'generic'].join(', ')}) nor a file`,
        'unknown-profile',
      ),
    ]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScenarioError([
      fileIssue(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`, 'unreadable'),
    ]);
  }
  return parseProfile(text, file);
}

/** Parses and checks profile text. */
export function parseProfile(text: string, file: string): Profile {
  const parsed = parseText(text, file.endsWith('.json') ? file : `${file}`);
  if (!parsed.ok) throw new ScenarioError(parsed.issues);
  const checked = profileSchema.safeParse(parsed.parsed.data);
  if (!checked.success)
    throw new ScenarioError(
      mapZodIssues(checked.error.issues, { parsed: parsed.parsed, schema: profileSchema, data: parsed.parsed.data }),
    );
  return checked.data;
}
