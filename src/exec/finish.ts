/**
 * Everything after trials.csv: summary.csv, comparison.csv, scenarios.csv, attribution.csv, tempo.csv,
 * the report and run.json.
 *
 * The summaries are computed from trials.csv as written (values as formatted, rows in plan order), not
 * from the in-memory results — so a merged set of shards, whose only input is the shards' trials.csv,
 * yields byte-identical summaries to the unsharded run.
 */
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import { METRICS, type TrialMetrics } from '../domain/metrics.js';
import { ATTRIBUTION_COLUMNS, type AttributionRow } from '../metrics/attribution.js';
import { compare, type ComparisonRow } from '../metrics/comparison.js';
import { scenarioRow } from '../metrics/scenario-row.js';
import { orderOf, SummaryBuilder, type SummaryRow } from '../metrics/summary.js';
import { COMPARISON_COLUMNS, SCENARIOS_COLUMNS, SUMMARY_COLUMNS } from '../report/columns.js';
import { writeCsv } from '../report/csv.js';
import { ATTRIBUTION_FILES, writeAttribution } from './attribution.js';
import { TEMPO_FILES, writeTempo } from './tempo.js';
import { MANIFEST_FILE, type RunManifest } from './manifest.js';
import { attributionFromSummaries } from './attribution-summary.js';
import { SUMMARIES_FILE, summaryOfSummaries, writeSummaries, type PlanSummaries } from './no-trials.js';
import type { TrialPlan } from './plan.js';
import { parseNumberCell, readRecords, splitRecord } from '../io/records.js';

/** Names of the files a run writes. */
export const OUTPUT_FILES = {
  trials: 'trials.csv',
  summary: 'summary.csv',
  comparison: 'comparison.csv',
  scenarios: 'scenarios.csv',
  manifest: MANIFEST_FILE,
  reportMarkdown: 'report.md',
  reportHtml: 'report.html',
  attribution: ATTRIBUTION_FILES.attribution,
  attributionTrials: ATTRIBUTION_FILES.trials,
  tempo: TEMPO_FILES.tempo,
  tempoTrials: TEMPO_FILES.trials,
  summaries: SUMMARIES_FILE,
} as const;

/** What a finished run computed (the CLI prints the table from it). */
export interface RunSummary {
  readonly summary: readonly SummaryRow[];
  readonly comparison: readonly ComparisonRow[];
  readonly baselines: ReadonlyMap<string, string>;
  /** Raw per-metric samples (charts); absent under `--no-trials`, where no trial row is kept. */
  readonly builder?: SummaryBuilder | undefined;
}

/** Reads `<dir>/trials.csv` (which must hold `plan`'s rows in plan order) into a SummaryBuilder. */
export async function summarizeTrialsCsv(dir: string, plan: TrialPlan): Promise<SummaryBuilder> {
  const builder = new SummaryBuilder(orderOf(plan.scenarios));
  const file = join(dir, OUTPUT_FILES.trials);
  const records = readRecords(file);
  const header = await records.next();
  if (header.done === true) throw new OutputError(`${file}: empty file`);
  const width = 5 + METRICS.length;
  for (const cell of plan.cells) {
    const scenario = plan.scenarios[cell.scenarioIndex]!;
    const policy = scenario.policies[cell.policyIndex]!.name;
    const attack = scenario.attacks[cell.attackIndex]!.name;
    for (let trial = cell.trialStart; trial < cell.trialEnd; trial++) {
      const next = await records.next();
      const cells = next.done === true ? null : splitRecord(next.value);
      if (cells === null || cells.length !== width || cells[3] !== String(trial)) {
        throw new OutputError(`${file}: expected the row of ${scenario.name}/${policy}/${attack} trial ${trial}`);
      }
      const metrics: Record<string, number | null> = {};
      METRICS.forEach((m, i) => (metrics[m] = parseNumberCell(cells[5 + i]!)));
      builder.add({ scenario: scenario.name, policy, attack, trial, seed: Number(cells[4]), metrics: metrics as TrialMetrics });
    }
  }
  if ((await records.next()).done !== true) throw new OutputError(`${file}: more rows than the plan holds`);
  return builder;
}

/** Writes summary.csv, comparison.csv, scenarios.csv and the report into `dir` (run.json comes with `land`). */
export async function finishResults(
  dir: string,
  plan: TrialPlan,
  baselines: ReadonlyMap<string, string>,
  manifest: RunManifest,
  options: { readonly csvBom?: boolean | undefined } = {},
): Promise<RunSummary> {
  const builder = await summarizeTrialsCsv(dir, plan);
  return finishFromSummary(dir, plan, builder.rows(), baselines, manifest, { ...options, builder });
}

/**
 * The same from summary rows already computed: `builder` gives the report its raw samples (else the
 * charts use the summary's quantiles); `attribution` gives attribution.csv's rows (else they are
 * computed from attribution-trials.csv in `dir`).
 */
export async function finishFromSummary(
  dir: string,
  plan: TrialPlan,
  summary: SummaryRow[],
  baselines: ReadonlyMap<string, string>,
  manifest: RunManifest,
  options: {
    readonly csvBom?: boolean | undefined;
    readonly builder?: SummaryBuilder | undefined;
    readonly attribution?: AttributionRow[] | undefined;
  },
): Promise<RunSummary> {
  const { builder } = options;
  const comparison = compare(summary, baselines);
  // --csv-bom: the files a reviewer opens in a spreadsheet; trials.csv is read back and stays as is.
  const bom = { bom: options.csvBom };
  writeCsv(join(dir, OUTPUT_FILES.summary), SUMMARY_COLUMNS, summary, bom);
  writeCsv(join(dir, OUTPUT_FILES.comparison), COMPARISON_COLUMNS, comparison, bom);
  writeCsv(join(dir, OUTPUT_FILES.scenarios), SCENARIOS_COLUMNS, plan.scenarios.map(scenarioRow), bom);
  let attribution = options.attribution;
  if (attribution === undefined) attribution = await writeAttribution(dir, plan, summary, baselines);
  else writeCsv(join(dir, OUTPUT_FILES.attribution), ATTRIBUTION_COLUMNS, attribution);
  // tempo.csv from tempo-trials.csv, when the run wrote one (not under --no-trials).
  const tempo = await writeTempo(dir, plan, baselines);
  // Loaded on demand: the report pulls in vega, which commands that write no report need not pay for.
  const { writeReport } = await import('../report/report.js');
  await writeReport(dir, {
    scenarios: plan.scenarios,
    summary,
    baselineByScenario: baselines,
    ...(builder === undefined
      ? {}
      : { samples: (scenario, policy, attack, metric) => builder.values(scenario, policy, attack, metric) }),
    facts: reportFacts(manifest),
    attribution,
    ...(tempo === null ? {} : { tempo }),
    noTrials: manifest.noTrials === true,
  });
  // run.json is written when the folder lands (io/staging.ts): it lists every file with its SHA-256.
  return { summary, comparison, baselines, builder };
}

/** `--no-trials`: writes summaries.json, then everything `finishResults` writes, from the summaries. */
export async function finishSummaries(
  dir: string,
  plan: TrialPlan,
  summaries: PlanSummaries,
  baselines: ReadonlyMap<string, string>,
  manifest: RunManifest,
  csvBom: boolean | undefined,
): Promise<RunSummary> {
  writeSummaries(dir, plan, summaries);
  const summary = summaryOfSummaries(plan, summaries);
  const attribution = attributionFromSummaries(plan, summary, baselines, summaries.variants);
  return finishFromSummary(dir, plan, summary, baselines, manifest, { csvBom, attribution });
}

/** The run facts under the report title: only what is the same for a run and its merged shards (no clock). */
function reportFacts(manifest: RunManifest): [string, string][] {
  const facts: [string, string][] = [
    ['blastlab', manifest.blastlab],
    ['trials', String(manifest.planSize)],
  ];
  if (manifest.options.trials !== null) facts.push(['--trials', String(manifest.options.trials)]);
  if (manifest.options.seed !== null) facts.push(['--seed', String(manifest.options.seed)]);
  if (manifest.options.policies !== null) facts.push(['--policies', manifest.options.policies.join(',')]);
  if (manifest.shard.count > 1) facts.push(['shard', `${manifest.shard.index}/${manifest.shard.count}`]);
  if (manifest.noTrials === true) facts.push(['--no-trials', 'quantiles from summaries.json (docs/reliability.md)']);
  return facts;
}
