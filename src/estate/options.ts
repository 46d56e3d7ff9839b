/**
 * The parameters of a synthetic estate (synthetic.ts): what each one means, their defaults, and the
 * one place that applies the defaults and checks the ranges.
 */

/** Parameters of a synthetic estate; everything but `agents` and `seed` has a default. */
export interface EstateOptions {
  readonly agents: number;
  readonly seed: number;
  /** Scenario name (default `estate-<agents>-s<seed>`). */
  readonly name?: string;
  readonly trials?: number;
  /** Tools each agent invokes. */
  readonly toolsPerAgent?: number;
  /** Credentials each agent holds of its own. */
  readonly credentialsPerAgent?: number;
  /** Distinct resources each credential grants. */
  readonly grantsPerCredential?: number;
  /** Resource count (default 4 per agent). */
  readonly resources?: number;
  /** Tool count (default one per two agents). */
  readonly tools?: number;
  readonly credentialsPerTool?: number;
  readonly tasksPerAgent?: number;
  readonly teamSize?: number;
  /** Probability that an agent also holds a credential of another agent. */
  readonly sharedCredentialRate?: number;
  /** Fraction of resources that hold a credential (secrets in repos and logs). */
  readonly secretHolderRate?: number;
  /** Fraction of credentials that can be exchanged for another. */
  readonly assumesRate?: number;
  /** Fraction of credentials that are legacy (not ephemeral-capable). */
  readonly legacyRate?: number;
}

/** The options with every default applied. */
export type ResolvedEstateOptions = Required<EstateOptions>;

/** Defaults of the optional parameters (per-agent counts; `resources`/`tools` scale with `agents`). */
export const ESTATE_DEFAULTS = {
  trials: 100,
  toolsPerAgent: 3,
  credentialsPerAgent: 4,
  grantsPerCredential: 20,
  credentialsPerTool: 2,
  tasksPerAgent: 1,
  teamSize: 25,
  sharedCredentialRate: 0.2,
  secretHolderRate: 0.1,
  assumesRate: 0.05,
  legacyRate: 0.05,
} as const;

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`generateEstate: ${name} must be an integer ≥ ${min} (got ${value})`);
  return value;
}

function rate(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`generateEstate: ${name} must be in [0, 1] (got ${value})`);
  return value;
}

/** Applies defaults and checks ranges (one place for both). */
export function resolveEstateOptions(opts: EstateOptions): ResolvedEstateOptions {
  const agents = positiveInt('agents', opts.agents, 1);
  const r: ResolvedEstateOptions = {
    ...ESTATE_DEFAULTS,
    resources: Math.max(1, agents * 4),
    tools: Math.max(1, Math.ceil(agents / 2)),
    name: `estate-${agents}-s${opts.seed}`,
    ...opts,
  };
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff)
    throw new RangeError(`generateEstate: seed must be a uint32 (got ${r.seed})`);
  for (const key of ['trials', 'resources', 'tools', 'teamSize'] as const) positiveInt(key, r[key], 1);
  for (const key of [
    'toolsPerAgent',
    'credentialsPerAgent',
    'grantsPerCredential',
    'credentialsPerTool',
    'tasksPerAgent',
  ] as const) {
    positiveInt(key, r[key], 0);
  }
  if (r.credentialsPerAgent < 1)
    throw new RangeError('generateEstate: credentialsPerAgent must be ≥ 1 (agents need access to run tasks)');
  for (const key of ['sharedCredentialRate', 'secretHolderRate', 'assumesRate', 'legacyRate'] as const) rate(key, r[key]);
  return r;
}
