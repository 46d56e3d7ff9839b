/**
 * `runSweep`: one policy parameter over a range of values — the risk/cost curve.
 *
 * Each value is applied to the policy's input object (a preset is expanded first, by the loader's own
 * merge) and the variant object goes through the loader's checks (src/scenario/variant.ts), so a value
 * is read with exactly the rules of a scenario file, and a problem points into the user's file. Only the swept policy runs. Its name does not
 * change, and trial seeds derive from the policy's name, so every value replays the SAME trial seeds:
 * differences between values are the parameter's effect, not noise.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioError, UsageError } from '../errors.js';
import { SummaryBuilder, orderOf } from '../metrics/summary.js';
import { sweepRows, type SweepRow } from '../metrics/sweep.js';
import { compile } from '../model/compile.js';
import { SWEEP_COLUMNS } from '../report/columns.js';
import { writeCsv } from '../report/csv.js';
import { parseText } from '../scenario/document.js';
import { loadScenarioFile } from '../scenario/load.js';
import { presetDirsFor } from '../scenario/presets.js';
import { buildVariant, PARAM_PATTERN, paramWithoutEffect } from '../scenario/variant.js';
import type { Scenario } from '../domain/scenario.js';
import { MAX_SWEEP_VALUES } from './budget.js';
import { applyOverrides, type PlanCell, type TrialPlan } from './plan.js';
import { executePlan } from './pool.js';
import type { RunOptions } from './run.js';
import { openStaging } from '../io/staging.js';
import { decodeMetrics } from './worker.js';

/** Options of `runSweep`: those of `run` that apply to one scenario, plus what to vary. */
export interface SweepOptions extends Pick<
  RunOptions,
  'out' | 'trials' | 'seed' | 'workers' | 'signal' | 'workerFile' | 'onProgress'
> {
  /** The policy to vary (its name in the scenario's `policies` map). */
  readonly policy: string;
  /** Dotted path into the policy object: `ttl`, `rotation`, `detection.probability`, `issuer.availability`, … */
  readonly param: string;
  /** The values as written on the command line (YAML scalars: `15m`, `0.5`, `true`, `[completion, failure]`). */
  readonly values: readonly string[];
  /** `--presets DIR`: a preset folder searched before the ones beside the file. */
  readonly presets?: string | undefined;
  /** `--csv-bom`: sweep.csv starts with a UTF-8 byte order mark. */
  readonly csvBom?: boolean | undefined;
}

/** What a sweep produced. */
export interface SweepResult {
  readonly scenario: Scenario;
  readonly rows: readonly SweepRow[];
  readonly files: readonly string[];
}

/** Splits `--values` at top-level commas (commas inside `[…]` or `{…}` belong to the value). */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  if (out.some((v) => v === ''))
    throw new UsageError(`--values: expected a comma-separated list like 1m,15m,1h (got ${JSON.stringify(text)})`);
  return out;
}

/** A stable text of a resolved policy (Infinity kept) to tell values that change nothing. */
function policyKeyText(scenario: Scenario): string {
  return JSON.stringify(scenario.policies[0], (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/**
 * Refuses a sweep whose values cannot change any result: a parameter the policy's kind ignores, or
 * values that resolve to the same policy (`15m` and `900s`).
 */
function checkEffect(variants: readonly Scenario[], options: SweepOptions): void {
  variants.forEach((variant, i) => {
    const policy = variant.policies[0]!;
    const why = paramWithoutEffect(policy.kind, options.param);
    if (why !== null) {
      throw new UsageError(
        `--param ${options.param}: sweeping it on policy "${options.policy}" has no effect: ${why} (value ${options.values[i] ?? ''})`,
      );
    }
  });
  const seen = new Map<string, string>();
  variants.forEach((variant, i) => {
    const key = policyKeyText(variant);
    const value = options.values[i] ?? '';
    const first = seen.get(key);
    if (first !== undefined) {
      throw new UsageError(
        `--values: ${first} and ${value} give policy "${options.policy}" the same settings, so they would print identical rows; pass values that differ`,
      );
    }
    seen.set(key, value);
  });
}

/** Runs the sweep and writes sweep.csv and the sweep report into `options.out`. */
export async function runSweep(file: string, options: SweepOptions): Promise<SweepResult> {
  // 1. The file must be valid as it stands, and name the policy.
  const scenario = loadScenarioFile(file, { presets: options.presets });
  if (!scenario.policies.some((p) => p.name === options.policy)) {
    throw new UsageError(
      `--policy: scenario "${scenario.name}" has no policy "${options.policy}" (policies: ${scenario.policies.map((p) => p.name).join(', ')})`,
    );
  }
  if (!PARAM_PATTERN.test(options.param)) {
    throw new UsageError(
      `--param: expected a dotted path into the policy like ttl, detection.probability or exceptions.0.rotation (got ${JSON.stringify(options.param)})`,
    );
  }
  if (new Set(options.values).size !== options.values.length) throw new UsageError('--values: every value must be different');
  if (options.values.length > MAX_SWEEP_VALUES)
    throw new UsageError(
      `--values: at most ${MAX_SWEEP_VALUES} values (got ${options.values.length}); split the range into several sweeps`,
    );
  const bytes = readFileSync(file);
  const parsed = parseText(bytes.toString('utf8'), file);
  if (!parsed.ok) throw new ScenarioError(parsed.issues);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const presetDirs = presetDirsFor(file, options.presets);

  // 2. Every value is built and checked before anything runs.
  const variants = options.values.map((value) =>
    applyOverrides(
      buildVariant(parsed.parsed, sha256, { policy: options.policy, param: options.param, value }, presetDirs),
      options,
    ),
  );
  checkEffect(variants, options);

  // 3. One plan over the variants, in command-line order; one summary per variant.
  const cells: PlanCell[] = [];
  variants.forEach((v, scenarioIndex) =>
    v.attacks.forEach((_a, attackIndex) =>
      cells.push({ scenarioIndex, policyIndex: 0, attackIndex, trialStart: 0, trialEnd: v.trials }),
    ),
  );
  const plan: TrialPlan = { scenarios: variants, cells, size: cells.reduce((n, c) => n + c.trialEnd - c.trialStart, 0) };
  const builders = variants.map((v) => new SummaryBuilder(orderOf([v])));
  const models = variants.map((v) => compile(v));
  let variantsDone = 0;
  const report = options.onProgress;
  await executePlan(
    plan,
    models,
    {
      workers: options.workers,
      signal: options.signal,
      workerFile: options.workerFile,
      onProgress:
        report === undefined
          ? undefined
          : (trialsDone) =>
              report({
                trialsDone,
                trialsTotal: plan.size,
                scenariosDone: variantsDone,
                scenariosTotal: variants.length,
                // A sweep's variants are its scenarios: no attribution or tempo runs beside them.
                variantTrialsDone: 0,
                variantTrialsTotal: 0,
              }),
    },
    ({ cell, trialStart, trialEnd, values }) => {
      const v = variants[cell.scenarioIndex]!;
      for (let trial = trialStart; trial < trialEnd; trial++) {
        builders[cell.scenarioIndex]!.add({
          scenario: v.name,
          policy: options.policy,
          attack: v.attacks[cell.attackIndex]!.name,
          trial,
          seed: 0,
          metrics: decodeMetrics(values, trial - trialStart),
        });
      }
      if (trialEnd === cell.trialEnd && cell.attackIndex === v.attacks.length - 1) variantsDone++;
    },
  );

  // 4. sweep.csv and the report, landed together.
  const rows = builders.flatMap((b, i) =>
    sweepRows(b.rows(), { policy: options.policy, param: options.param, value: options.values[i]! }),
  );
  const staging = openStaging(options.out);
  try {
    writeCsv(join(staging.dir, 'sweep.csv'), SWEEP_COLUMNS, rows, { bom: options.csvBom });
    const { writeSweepReport } = await import('../report/report.js');
    await writeSweepReport(staging.dir, {
      scenario: variants[0] ?? scenario,
      policy: options.policy,
      param: options.param,
      values: options.values,
      rows,
      facts: [
        ['scenario', scenario.source.file],
        ['trials per value', String(variants[0]?.trials ?? scenario.trials)],
      ],
    });
    const files = staging.land();
    return { scenario, rows, files };
  } finally {
    staging.discard();
  }
}
