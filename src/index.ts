/**
 * blastlab's public API: load scenarios, compile them, run trials (one, or a whole plan on worker
 * threads), summarise, compare and write the result files. One explicit list: values, then types;
 * what is documented in docs/api.md first, internals after. (This comment must not spell the internal
 * tag: stripInternal reads every comment before the first export and would drop the error classes.)
 */
export {
  BlastlabError,
  OutputError,
  ResultsInputError,
  RunInterruptedError,
  ScenarioError,
  SimulationInvariantError,
  TrialFailedError,
  UsageError,
  formatIssue,
} from './errors.js';
export { simulate } from './api.js';
export { loadScenarioFile, loadScenarios, parseScenarioText } from './scenario/load.js';
export { scenarioJsonSchema } from './scenario/json-schema.js';
export { compile } from './model/compile.js';
export { runTrial } from './sim/trial.js';
export { METRICS, RISK_METRICS, COST_METRICS } from './domain/metrics.js';
export { summarize } from './metrics/summary.js';
export { compare } from './metrics/comparison.js';
export { renderTable } from './report/table.js';
export { writeReport } from './report/report.js';
export { generateEstate } from './estate/synthetic.js';
export { runScenarios } from './exec/run.js';
export { mergeRuns } from './exec/merge.js';
export { runSweep } from './exec/sweep.js';

// Internals: exported for the CLI, the benchmarks and the tests, not documented in docs/api.md, and
// free to change between versions. Each is marked @internal (TypeScript's stripInternal drops them).
/** @internal */
export { trialSeed } from './sim/trial.js';
/** @internal */
export { SummaryBuilder } from './metrics/summary.js';
/** @internal */
export { scenarioRow } from './metrics/scenario-row.js';
/** @internal */
export { sweepRows } from './metrics/sweep.js';
/** @internal */
export { openCsvWriter, writeCsv } from './report/csv.js';
/** @internal */
export { writeSweepReport } from './report/report.js';
/** @internal */
export { estateToDocument, scenarioToDocument } from './estate/document.js';
/** @internal */
export { applyOverrides, planTrials, planUnits } from './exec/plan.js';
/** @internal */
export { formatShard, parseShard, shardFromEnvironment, shardPlan, shardRange } from './exec/shard.js';
/** @internal */
export { defaultWorkers, executePlan } from './exec/pool.js';
/** @internal */
export { checkShardSet } from './exec/merge.js';
/** @internal */
export { readManifest } from './exec/manifest.js';

export type { Checked, InterruptSignal, IssueCode, ScenarioIssue } from './errors.js';
export type { MetricSummaries, MetricSummary, SimulateOptions, SimulationResult } from './api.js';
export type { Recommendation, RecommendationReason } from './report/recommend.js';
export type {
  Action,
  AgentNode,
  Approval,
  Attack,
  BrokerPolicy,
  BrokerSettings,
  CallChain,
  CredentialNode,
  CredentialTimes,
  Detection,
  Distribution,
  EdgeKind,
  EphemeralPolicy,
  Exposure,
  HybridException,
  HybridPolicy,
  Identity,
  IntentDriftAttack,
  LateralMovementAttack,
  MassLeakAttack,
  NodeKind,
  OrphanedCredentialAttack,
  PatternId,
  PersistentPolicy,
  Policy,
  PolicyKind,
  Provenance,
  ReachedState,
  ReevaluateMode,
  ResourceNode,
  ResourceRecord,
  RevokeTrigger,
  Scenario,
  ScenarioEdge,
  ScenarioNode,
  ScenarioRecord,
  Scope,
  SecretReplayAttack,
  Sensitivity,
  StandingScope,
  Task,
  TaskExchange,
  TaskStep,
  TokenScope,
  ToolChainingAttack,
  ToolNode,
} from './domain/scenario.js';
export type { CompiledModel } from './model/compile.js';
export type { Metric, TrialMetrics, TrialRow } from './domain/metrics.js';
export type { SummaryRow, ScenarioOrder } from './metrics/summary.js';
export type { ComparisonRow } from './metrics/comparison.js';
/** @internal */
export type { ScenariosRow } from './metrics/scenario-row.js';
export type { SweepRow } from './metrics/sweep.js';
/** @internal */
export type { CsvWriter } from './report/csv.js';
export type { TableOptions } from './report/table.js';
export type { ReportInput, ReportFiles, SweepReportInput } from './report/report.js';
export type { EstateOptions } from './estate/options.js';
/** @internal */
export type { PlanCell, PlanOptions, TrialPlan, TrialUnit } from './exec/plan.js';
/** @internal */
export type { ShardSpec } from './exec/shard.js';
/** @internal */
export type { BatchResult } from './exec/batches.js';
export type { ExecuteOptions } from './exec/pool.js';
export type { RunOptions, RunProgress, RunResult } from './exec/run.js';
export type { MergeOptions } from './exec/merge.js';
export type { SweepOptions, SweepResult } from './exec/sweep.js';
/** @internal */
export type { RunManifest } from './exec/manifest.js';
