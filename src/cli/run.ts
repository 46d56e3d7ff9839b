/** `blastlab run [paths…]`: runs scenario files or folders, prints the comparison table, writes the CSVs. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { formatIssue, ScenarioError, UsageError } from '../errors.js';
import { createProgress } from '../exec/progress.js';
import { runScenarios, usPerToken } from '../exec/run.js';
import { expandOutPath, type ShardSpec } from '../exec/shard.js';
import { renderTable } from '../report/table.js';
import { loadScenarios } from '../scenario/load.js';
import { collectGarbage, leanWorkerHeaps } from './gc.js';
import type { BrokerSettings, Policy, Scenario } from '../domain/scenario.js';
import type { IssuerProvenance } from '../exec/manifest.js';
import { digestFile } from '../io/digest.js';
import type { SummaryRow } from '../metrics/summary.js';
import type { LoadRow } from '../load/metrics.js';
import { headroomSentence, issuerFromLoad } from '../load/read.js';
import { defineAction } from './command.js';
import { DEFAULT_MAX_EVENTS } from '../exec/budget.js';
import { DEFAULT_ATTRIBUTION_TRIALS } from '../exec/attribution.js';
import { DEFAULT_TEMPO_TRIALS } from '../exec/tempo.js';
import {
  addPresetsFlag,
  addRunFlags,
  builtinNote,
  CSV_BOM_HELP,
  defaultOutName,
  defaultPaths,
  intParser,
  parseAttributionTrials,
  parseList,
  parseShardFlag,
  scenariosWithout,
  useColor,
  type CommonFlags,
} from './options.js';
import { withSigint } from './signals.js';

/** Registers `run` on the program. */
export function registerRun(program: Command): Command {
  const cmd = program
    .command('run')
    .description('run scenario files or folders (default: scenarios/), print the comparison table, write the CSVs')
    .argument('[paths...]', 'scenario files or folders');
  addPresetsFlag(addRunFlags(cmd))
    .option('--policies <a,b>', 'only these policies', parseList)
    .option('--baseline <name>', "baseline policy of comparison.csv (default: each scenario's first)")
    .option(
      '--shard <i/n|auto>',
      'run only the i-th of n slices of the trial plan (merge them with `blastlab merge`); auto: from the batch engine (docs/reliability.md)',
      parseShardFlag,
    )
    .option(
      '--max-events <n>',
      `work budget: task events per trial (default ${DEFAULT_MAX_EVENTS}; docs/reliability.md)`,
      intParser(1, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--issuer-from <load.csv>',
      'use the issuer measured by blastlab load (log-normal latency and availability fitted at the knee) in every policy',
    )
    .option('--csv-bom', CSV_BOM_HELP)
    .option(
      '--attribution-trials <n|all>',
      `attribution variants run on the first n trials of each cell (default ${DEFAULT_ATTRIBUTION_TRIALS}; docs/controls.md A5)`,
      parseAttributionTrials,
    )
    .option(
      '--tempo-trials <n|all>',
      `attacker tempo variants (hopDelay 1m, 10m, 1h) run on the first n trials of each cell (default ${DEFAULT_TEMPO_TRIALS}; tempo.csv, docs/outputs.md)`,
      parseAttributionTrials,
    )
    .option(
      '--real-tokens',
      'mint and verify every token the trials issue with the real Ed25519 issuer; report the wall-clock cost per scenario (real-tokens.csv)',
    )
    .addOption(noTrialsOption());
  return defineAction(
    cmd,
    async (
      paths: string[],
      flags: CommonFlags & {
        shard?: ShardSpec;
        realTokens?: boolean;
        maxEvents?: number;
        issuerFrom?: string;
        attributionTrials?: number;
        tempoTrials?: number;
        noTrials?: boolean;
      },
    ) => {
      const inputs = defaultPaths(paths);
      const quiet = flags.quiet === true;
      const note = builtinNote(paths, 'run');
      if (note !== null && !quiet) process.stderr.write(`${note}\n`);
      const loaded = loadScenarios(inputs, { presets: flags.presets });
      if (loaded.issues.length > 0) throw new ScenarioError(loaded.issues);
      // Warned even with --quiet: a key that changes nothing must never look as if it did.
      for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
      const measured = flags.issuerFrom === undefined ? null : issuerFromLoad(flags.issuerFrom);
      const scenarios = measured === null ? loaded.scenarios : loaded.scenarios.map((s) => withIssuer(s, measured.issuer));
      if (scenarios.length === 0) throw new UsageError(`no scenario files (*.yaml, *.yml, *.json) in ${inputs.join(', ')}`);
      const dropped = scenariosWithout(scenarios, flags.policies);
      if (dropped.length === scenarios.length) {
        throw new UsageError(`--policies: no scenario defines ${flags.policies?.join(', ')}: nothing to run`);
      }
      if (dropped.length > 0) {
        // Warned even with --quiet: a scenario missing from every output must never go unnoticed.
        process.stderr.write(
          `warning: --policies ${flags.policies?.join(',')}: ${dropped.length} scenario${dropped.length === 1 ? '' : 's'} define${dropped.length === 1 ? 's' : ''} none of them and ${dropped.length === 1 ? 'is' : 'are'} left out of every output: ${dropped.join(', ')}\n`,
        );
      }
      const out = expandOutPath(
        flags.out ??
          join(
            'results',
            defaultOutName(
              inputs,
              isFolder,
              scenarios.map((s) => s.name),
            ),
          ),
        flags.shard,
      );
      const progress = createProgress({ quiet });
      // The loader's garbage (file text, parsed data) goes now, not stacked under the workers' heaps:
      // on the 10k run the main heap after the load goes from 245 to 171 MB (1.29–1.35 → 1.25–1.27 GB).
      collectGarbage();
      leanWorkerHeaps(scenarios.reduce((sum, s) => sum + s.edges.length, 0));
      const result = await withSigint((signal) =>
        runScenarios(scenarios, {
          out,
          trials: flags.trials,
          seed: flags.seed,
          policies: flags.policies,
          baseline: flags.baseline,
          workers: flags.workers,
          shard: flags.shard,
          signal,
          onProgress: (p) => progress.update(p),
          realTokens: flags.realTokens === true,
          maxEvents: flags.maxEvents,
          csvBom: flags.csvBom === true,
          attributionTrials: flags.attributionTrials,
          tempoTrials: flags.tempoTrials,
          issuerFrom: measured === null ? undefined : issuerProvenance(flags.issuerFrom!, measured),
          noTrials: flags.noTrials === true,
        }),
      ).finally(() => progress.stop());
      if (quiet) return;
      const color = useColor(flags);
      process.stdout.write(
        renderTable(result.summary, { color, baselineByScenario: result.baselines, width: process.stdout.columns ?? 120 }),
      );
      const shard = flags.shard === undefined ? '' : ` (shard ${flags.shard.index}/${flags.shard.count})`;
      process.stdout.write(`\n${result.plan.size} trials${shard} → ${out}/\n`);
      if (measured !== null) {
        process.stdout.write(
          `issuer from ${flags.issuerFrom}: lognormal median ${measured.issuer.latency.kind === 'lognormal' ? measured.issuer.latency.medianMs : '?'} ms, sigma ${measured.fit.sigma.toFixed(3)}, availability ${measured.issuer.availability} (fitted at ${measured.knee.offered_rate}/s offered)\n`,
        );
        for (const line of headroomLines(result.summary, measured.knee)) process.stdout.write(`${line}\n`);
      }
      for (const r of result.realTokens) {
        const per = r.minted > 0 ? usPerToken(r).toFixed(1) : '–';
        process.stdout.write(
          `real tokens: ${r.scenario}: ${r.minted} minted and verified in ${(r.wallMs / 1000).toFixed(2)} s of trial time (${per} µs a token)\n`,
        );
      }
    },
  );
}

/**
 * `--no-trials`: a plain boolean flag. Commander would read it as the negation of `--trials <n>` (and
 * `--trials 1000 --no-trials` would lose the 1000), so the option is declared as not negating.
 */
function noTrialsOption(): Option {
  const option = new Option(
    '--no-trials',
    'keep mergeable summaries (summaries.json) instead of trials.csv and attribution-trials.csv, for runs too big for them (docs/reliability.md)',
  );
  option.negate = false;
  return option;
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** What run.json records of `--issuer-from`: the file, its SHA-256 and the fitted block. */
function issuerProvenance(file: string, measured: ReturnType<typeof issuerFromLoad>): IssuerProvenance {
  const latency = measured.issuer.latency;
  const median = latency.kind === 'lognormal' ? latency.medianMs : measured.fit.medianMs;
  return {
    file,
    sha256: digestFile(file).sha256,
    fittedAtRate: measured.knee.offered_rate,
    issuer: {
      latency: { lognormal: { median: `${median}ms`, sigma: latency.kind === 'lognormal' ? latency.sigma : measured.fit.sigma } },
      availability: measured.issuer.availability,
    },
  };
}

/** The scenario with every broker's issuer replaced by a measured one (a persistent policy has none). */
function withIssuer(scenario: Scenario, issuer: BrokerSettings['issuer']): Scenario {
  const measured = (p: Policy): Policy => {
    switch (p.kind) {
      case 'persistent':
        return p;
      case 'ephemeral':
      case 'hybrid':
        return { ...p, broker: { ...p.broker, issuer } };
    }
  };
  return { ...scenario, policies: scenario.policies.map(measured) };
}

/** Per scenario and issuing policy: the simulated peak issuance beside the measured sustainable rate. */
function headroomLines(summary: readonly SummaryRow[], knee: LoadRow): string[] {
  const peaks = new Map<string, number>();
  for (const row of summary) {
    if (row.metric !== 'peak_issuance_per_s' || row.max === null) continue;
    const key = `${row.scenario} / ${row.policy}`;
    peaks.set(key, Math.max(peaks.get(key) ?? 0, row.max));
  }
  return [...peaks].filter(([, peak]) => peak > 0).map(([key, peak]) => `  ${key}: ${headroomSentence(peak, knee)}`);
}
