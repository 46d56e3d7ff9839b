/**
 * Shards: `--shard i/n` runs the i-th of n deterministic slices of the trial plan.
 *
 * The slice is taken inside every (scenario, policy, attack) cell: shard i gets the contiguous trial
 * block `[⌊i·T/n⌋, ⌊(i+1)·T/n⌋)` of a cell with T trials. Why per cell rather than one cut of the
 * whole plan: every shard then holds every combination (so shards cost about the same whatever the
 * scenarios' sizes, and each shard's summaries are meaningful on their own), and merging is a
 * per-cell concatenation of shard 0, 1, …, n−1 — which is exactly the unsharded order.
 */
import { UsageError } from '../errors.js';
import type { PlanCell, TrialPlan } from './plan.js';

/** Which slice of the plan a run holds: `index` in `0 … count−1`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** The whole plan as a shard (what an unsharded run records). */
export const WHOLE: ShardSpec = Object.freeze({ index: 0, count: 1 });

/** The largest shard count accepted (a typo guard, not a limit of the design). */
export const MAX_SHARDS = 100_000;

/** Parses `i/n` (0 ≤ i < n); throws UsageError otherwise. */
export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (
    match === null ||
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(count) ||
    count < 1 ||
    count > MAX_SHARDS ||
    index >= count
  ) {
    throw new UsageError(`--shard: expected i/n with 0 ≤ i < n ≤ ${MAX_SHARDS}, e.g. 0/4 (got ${JSON.stringify(text)})`);
  }
  return { index, count };
}

/**
 * `--shard auto`: the shard from the environment of the batch engine running this process, first match wins:
 * 1. `BLASTLAB_SHARD_INDEX` and `BLASTLAB_SHARD_COUNT` — explicit (a GitHub Actions matrix, any scheduler);
 * 2. AWS Batch array jobs: `AWS_BATCH_JOB_ARRAY_INDEX` and `AWS_BATCH_JOB_ARRAY_SIZE` (both set by Batch);
 * 3. Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, with the count passed in `BLASTLAB_SHARD_COUNT`
 *    (Kubernetes does not expose `completions` to the pod).
 * Throws UsageError naming what is missing or malformed.
 */
export function shardFromEnvironment(env: Readonly<Record<string, string | undefined>>): ShardSpec {
  const set = (name: string): boolean => env[name] !== undefined && env[name] !== '';
  let source: { index: string; count: string } | null = null;
  if (set('BLASTLAB_SHARD_INDEX')) source = { index: 'BLASTLAB_SHARD_INDEX', count: 'BLASTLAB_SHARD_COUNT' };
  else if (set('AWS_BATCH_JOB_ARRAY_INDEX')) source = { index: 'AWS_BATCH_JOB_ARRAY_INDEX', count: 'AWS_BATCH_JOB_ARRAY_SIZE' };
  else if (set('JOB_COMPLETION_INDEX')) source = { index: 'JOB_COMPLETION_INDEX', count: 'BLASTLAB_SHARD_COUNT' };
  if (source === null) {
    throw new UsageError(
      '--shard auto: no shard in the environment (set BLASTLAB_SHARD_INDEX and BLASTLAB_SHARD_COUNT, or run as an AWS Batch array job, or as a Kubernetes Indexed Job with BLASTLAB_SHARD_COUNT)',
    );
  }
  if (!set(source.count))
    throw new UsageError(`--shard auto: ${source.index} is set but ${source.count} is not (the number of shards)`);
  const text = `${env[source.index]!.trim()}/${env[source.count]!.trim()}`;
  try {
    return parseShard(text);
  } catch {
    throw new UsageError(
      `--shard auto: ${source.index}/${source.count} = ${JSON.stringify(text)} is not a shard i/n with 0 ≤ i < n ≤ ${MAX_SHARDS}`,
    );
  }
}

/**
 * `--out` with `{shard}` replaced by the shard index: batch engines start the image without a shell
 * (AWS Batch overrides only CMD), so `--out /results/shard-{shard}` is how each shard names its folder.
 */
export function expandOutPath(out: string, shard: ShardSpec | undefined): string {
  return out.replaceAll('{shard}', String((shard ?? WHOLE).index));
}

/** Formats a shard as `i/n`. */
export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

/** The trials `[start, end)` of a cell's range `[trialStart, trialEnd)` that belong to a shard. */
export function shardRange(trialStart: number, trialEnd: number, shard: ShardSpec): { start: number; end: number } {
  const total = trialEnd - trialStart;
  // Integer arithmetic on counts far below 2^53 / MAX_SHARDS: exact.
  return {
    start: trialStart + Math.floor((shard.index * total) / shard.count),
    end: trialStart + Math.floor(((shard.index + 1) * total) / shard.count),
  };
}

/** The shard's part of a plan: the same cells, each cut to the shard's block (possibly empty). */
export function shardPlan(plan: TrialPlan, shard: ShardSpec): TrialPlan {
  if (shard.count === 1) return plan;
  let size = 0;
  const cells = plan.cells.map((cell): PlanCell => {
    const { start, end } = shardRange(cell.trialStart, cell.trialEnd, shard);
    size += end - start;
    return { ...cell, trialStart: start, trialEnd: end };
  });
  return { scenarios: plan.scenarios, cells, size };
}
