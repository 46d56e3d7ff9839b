/**
 * blastlab's public API: load scenarios, compile them, run trials (one, or a whole plan on worker
 * threads), summarise, compare and write the result files. One explicit list: values, then types.
 */
export {
  BlastlabError,
  OutputError,
  ResultsInputError,
  ScenarioError,
  SimulationInvariantError,
  UsageError,
  formatIssue,
} from './errors.js';
export { simulate } from './api.js';
export { loadScenarioFile, loadScenarios, parseScenarioText } from './scenario/load.js';
export { scenarioJsonSchema } from './scenario/json-schema.js';
export { compile } from './model/compile.js';
export { runTrial, trialSeed } from './sim/trial.js';
export { METRICS, RISK_METRICS, COST_METRICS } from './domain/metrics.js';
export { SummaryBuilder, summarize } from './metrics/summary.js';
export { compare } from './metrics/comparison.js';
export { scenarioRow } from './metrics/scenario-row.js';
export { sweepRows } from './metrics/sweep.js';
export { openCsvWriter, writeCsv } from './report/csv.js';
export { renderTable } from './report/table.js';
export { writeReport, writeSweepReport } from './report/report.js';
export { generateEstate } from './estate/synthetic.js';
export { estateToDocument, scenarioToDocument } from './estate/document.js';
export { applyOverrides, planTrials, planUnits } from './exec/plan.js';
export { formatShard, parseShard, shardFromEnvironment, shardPlan, shardRange } from './exec/shard.js';
export { RunInterruptedError, TrialFailedError, defaultWorkers, executePlan } from './exec/pool.js';
export { runScenarios } from './exec/run.js';
export { checkShardSet, mergeRuns } from './exec/merge.js';
export { runSweep } from './exec/sweep.js';
export { readManifest } from './exec/manifest.js';

export type { ScenarioIssue } from './errors.js';
export type { MetricSummaries, MetricSummary, SimulateOptions, SimulationResult } from './api.js';
export type { Recommendation, RecommendationReason } from './report/recommend.js';
export type * from './domain/scenario.js';
export type { CompiledModel } from './model/compile.js';
export type { Metric, TrialMetrics, TrialRow } from './domain/metrics.js';
export type { SummaryRow, ScenarioOrder } from './metrics/summary.js';
export type { ComparisonRow } from './metrics/comparison.js';
export type { ScenariosRow } from './metrics/scenario-row.js';
export type { SweepRow } from './metrics/sweep.js';
export type { CsvWriter } from './report/csv.js';
export type { TableOptions } from './report/table.js';
export type { ReportInput, ReportFiles, SweepReportInput } from './report/report.js';
export type { EstateOptions } from './estate/options.js';
export type { PlanCell, PlanOptions, TrialPlan, TrialUnit } from './exec/plan.js';
export type { ShardSpec } from './exec/shard.js';
export type { BatchResult, ExecuteOptions } from './exec/pool.js';
export type { RunOptions, RunProgress, RunResult } from './exec/run.js';
export type { MergeOptions } from './exec/merge.js';
export type { SweepOptions, SweepResult } from './exec/sweep.js';
export type { RunManifest } from './exec/manifest.js';
