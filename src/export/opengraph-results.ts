/**
 * Per-node, per-policy results for the OpenGraph export: how often the attacker reached each node,
 * how often with write/admin, how soon, and how often it obtained and used each credential.
 *
 * A run's CSVs hold per-trial totals, not per-node outcomes, so these come from replaying the run's
 * trials: the same scenario file (checked by its sha256 in run.json), seed, trial count and policies
 * give the same trial seeds, hence the very trials the run simulated (SPEC §9). Each trial's trace
 * (the attacker steps of src/reach/engine.ts) yields, per node:
 * - reached: a successful action on it (`use`), control of it (`control`), or, for a tool, an
 *   invocation of it (`invoke`);
 * - privileged: a successful write or admin on it;
 * - first access: the earliest of those, in seconds after the attack's start (leakAt, at or retiredAt);
 * - used (credentials): the attacker obtained its material and used it with success (a `use` with
 *   the material) or exchanged it for another token. This is narrower than the `credentials_harvested`
 *   metric (held while valid, used or not): the trace records uses, not every copy obtained.
 * - harvested (credentials): the attacker held its material while valid in the trial, used or not —
 *   the engine's own harvest set, the `credentials_harvested` metric per credential.
 * Probabilities pool every attack's trials under the policy (each attack has the same trial count);
 * first-access times are means over the trials that reached the node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { applyOverrides } from '../exec/plan.js';
import { MANIFEST_FILE } from '../exec/manifest.js';
import { ADMIN, WRITE } from '../domain/actions.js';
import { compile, KIND_CREDENTIAL, KIND_TOOL } from '../model/compile.js';
import type { Attack, Scenario } from '../domain/scenario.js';
import type { TraceEvent } from '../reach/engine.js';
import { costSlot, primeCost, runTrialDetailed, trialSeed } from '../sim/trial.js';
import type { CostMetrics } from '../domain/metrics.js';
import type { NodeExtras } from './opengraph.js';

/** What the replay used, for the summary line and the docs' property table. */
export interface NodeResults {
  readonly extras: NodeExtras;
  /** Policy name → the suffix of its properties (`ephemeral-15m` → `ephemeral_15m`). */
  readonly policies: readonly { readonly name: string; readonly suffix: string }[];
  /** Trials per (policy, attack) replayed. */
  readonly trials: number;
}

/** The run parameters a results folder records for one scenario. */
export interface RunParameters {
  readonly trials: number;
  readonly seed: number;
  readonly policies: readonly string[] | null;
}

/**
 * Reads `<dir>/run.json` and returns the parameters the run used for `scenario`; UsageError when the
 * folder is not a blastlab results folder, or its run did not include this very scenario file.
 */
export function readRunParameters(dir: string, scenario: Scenario): RunParameters {
  const file = join(dir, MANIFEST_FILE);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--results: cannot read ${file} (is "${dir}" a blastlab results folder?): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const m = manifest as {
    scenarios?: { name?: unknown; sha256?: unknown }[];
    options?: { trials?: unknown; seed?: unknown; policies?: unknown };
  };
  const entry = Array.isArray(m.scenarios) ? m.scenarios.find((s) => s.name === scenario.name) : undefined;
  if (entry === undefined) throw new UsageError(`--results: ${file} has no results for scenario "${scenario.name}"`);
  if (entry.sha256 !== scenario.source.sha256) {
    throw new UsageError(
      `--results: the results in ${dir} were produced from a different version of ${scenario.source.file} (sha256 differs): run it again or export without --results`,
    );
  }
  const options = m.options ?? {};
  const trials = typeof options.trials === 'number' ? options.trials : scenario.trials;
  const seed = typeof options.seed === 'number' ? options.seed : scenario.seed;
  const policies = Array.isArray(options.policies) ? options.policies.filter((p): p is string => typeof p === 'string') : null;
  return { trials, seed, policies };
}

/** Property-name suffix of a policy name: lowercase letters, digits and `_` (unique within the run). */
export function policySuffixes(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'policy';
    let suffix = base;
    for (let n = 2; used.has(suffix); n++) suffix = `${base}_${n}`;
    used.add(suffix);
    return suffix;
  });
}

/** When the pattern's clock starts (the origin of time_to_* metrics). */
function attackStartMs(attack: Attack): number {
  switch (attack.pattern) {
    case 'secret-replay':
    case 'mass-leak':
      return attack.leakAtMs;
    case 'orphaned-credential':
      return attack.retiredAtMs;
    case 'lateral-movement':
    case 'tool-chaining':
    case 'intent-drift':
      return attack.atMs;
  }
}

/** Stands in for the cost metrics of replayed trials (never read). */
const NO_COST = {} as CostMetrics;

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Replays the run's trials (`trials` per policy and attack, at most the run's) and aggregates per node. */
export function collectNodeResults(
  input: Scenario,
  run: RunParameters,
  options: { readonly maxTrials?: number } = {},
): NodeResults {
  const scenario = applyOverrides(input, { seed: run.seed, trials: run.trials });
  const trials = Math.min(scenario.trials, options.maxTrials ?? Number.POSITIVE_INFINITY);
  const model = compile(scenario);
  const n = model.nodeCount;
  const policyIndices = scenario.policies
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => run.policies === null || run.policies.includes(p.name));
  const suffixes = policySuffixes(policyIndices.map(({ p }) => p.name));
  // One object per node, by model index (the Map by id is made once, at the end).
  const perNode: Record<string, number | boolean | string>[] = Array.from({ length: n }, () => ({}));
  const extraOf = (node: number): Record<string, number | boolean | string> => perNode[node]!;

  // Per-trial scratch: first access time (ms after start, -1 = not yet), privileged, harvested.
  const first = new Float64Array(n);
  const privileged = new Uint8Array(n);
  const harvested = new Float64Array(n);
  const touched: number[] = [];
  const total = trials * scenario.attacks.length;
  policyIndices.forEach(({ i: policyIndex }, k) => {
    const suffix = suffixes[k]!;
    const reachedCount = new Float64Array(n);
    const privilegedCount = new Float64Array(n);
    const firstSum = new Float64Array(n);
    const harvestCount = new Float64Array(n);
    first.fill(-1);
    harvested.fill(-1);
    for (let attackIndex = 0; attackIndex < scenario.attacks.length; attackIndex++) {
      const start = attackStartMs(scenario.attacks[attackIndex]!);
      for (let trial = 0; trial < trials; trial++) {
        const reach = (node: number, t: number): void => {
          if (first[node]! < 0 && harvested[node]! < 0) touched.push(node);
          const dt = Math.max(0, t - start);
          if (first[node]! < 0 || dt < first[node]!) first[node] = dt;
        };
        const onEvent = (e: TraceEvent): void => {
          if (e.kind === 'use' || e.kind === 'control') {
            reach(e.target, e.t);
            if ((e.action & (WRITE | ADMIN)) !== 0) privileged[e.target] = 1;
            if (e.kind === 'use' && e.reason === 'credential material') harvest(e.cred, e.t);
          } else if (e.kind === 'invoke' && model.kind[e.target] === KIND_TOOL) {
            reach(e.target, e.t);
          } else if (e.kind === 'exchange') {
            harvest(e.cred, e.t);
          }
        };
        const harvest = (cred: number, t: number): void => {
          if (cred < 0) return;
          if (first[cred]! < 0 && harvested[cred]! < 0) touched.push(cred);
          const dt = Math.max(0, t - start);
          if (harvested[cred]! < 0 || dt < harvested[cred]!) harvested[cred] = dt;
        };
        // Only the trace is read: an empty cost pass primed for the trial's slot skips the workload
        // cost simulation (seconds per policy on a big estate), which the attack never reads.
        primeCost(model, costSlot(model, policyIndex, trial), NO_COST);
        const { harvested: held } = runTrialDetailed(model, policyIndex, attackIndex, trial, { trace: onEvent });
        for (const cred of held) harvestCount[cred]!++;
        for (const node of touched) {
          // Credentials count uses (grants never target a credential); other nodes count access.
          const at = model.kind[node] === KIND_CREDENTIAL ? harvested[node]! : first[node]!;
          if (at >= 0) {
            reachedCount[node]!++;
            firstSum[node]! += at;
            if (privileged[node] === 1) privilegedCount[node]!++;
          }
          first[node] = -1;
          harvested[node] = -1;
          privileged[node] = 0;
        }
        touched.length = 0;
      }
    }
    // Property names made once per policy, not once per node.
    const usedKey = `bl_cred_used_p__${suffix}`;
    const harvestKey = `bl_cred_harvest_p__${suffix}`;
    const firstUseKey = `bl_first_use_s__${suffix}`;
    const reachedKey = `bl_reached_p__${suffix}`;
    const privilegedKey = `bl_privileged_p__${suffix}`;
    const firstAccessKey = `bl_first_access_s__${suffix}`;
    for (let node = 0; node < n; node++) {
      const e = extraOf(node);
      const p = total === 0 ? 0 : reachedCount[node]! / total;
      if (model.kind[node] === KIND_CREDENTIAL) {
        e[usedKey] = round(p);
        e[harvestKey] = round(total === 0 ? 0 : harvestCount[node]! / total);
        if (reachedCount[node]! > 0) e[firstUseKey] = round(firstSum[node]! / reachedCount[node]! / 1000);
      } else {
        e[reachedKey] = round(p);
        e[privilegedKey] = round(total === 0 ? 0 : privilegedCount[node]! / total);
        if (reachedCount[node]! > 0) e[firstAccessKey] = round(firstSum[node]! / reachedCount[node]! / 1000);
      }
    }
  });
  const extras = new Map<string, Record<string, number | boolean | string>>();
  for (let node = 0; node < n; node++) {
    perNode[node]!['bl_trials'] = total;
    extras.set(model.ids[node]!, perNode[node]!);
  }
  return { extras, policies: policyIndices.map(({ p }, k) => ({ name: p.name, suffix: suffixes[k]! })), trials };
}

/**
 * Checks that the replay reproduces the run: the seed of the first row of `<dir>/trials.csv` must be
 * the seed the replay gives that (policy, attack, trial). Returns a message when it does not (null = ok
 * or nothing to compare).
 */
export function checkReplaySeeds(dir: string, scenario: Scenario, run: RunParameters): string | null {
  let head: string;
  try {
    const text = readFileSync(join(dir, 'trials.csv'), 'utf8').slice(0, 1 << 16);
    head = text;
  } catch {
    return null;
  }
  const lines = head.split('\n');
  const header = (lines[0] ?? '').split(',');
  const at = (name: string): number => header.indexOf(name);
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[at('scenario')] !== scenario.name) continue;
    const s = applyOverrides(scenario, { seed: run.seed, trials: run.trials });
    const policyIndex = s.policies.findIndex((p) => p.name === cells[at('policy')]);
    const attackIndex = s.attacks.findIndex((a) => a.name === cells[at('attack')]);
    const trial = Number(cells[at('trial')]);
    if (policyIndex < 0 || attackIndex < 0 || !Number.isInteger(trial)) return null;
    const model = { scenario: s } as Parameters<typeof trialSeed>[0];
    const expected = trialSeed(model, policyIndex, attackIndex, trial);
    return String(expected) === cells[at('seed')]
      ? null
      : `trials.csv row "${line.slice(0, 80)}" has seed ${cells[at('seed')]}, the replay gives ${expected}`;
  }
  return null;
}
