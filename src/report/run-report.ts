/**
 * The run report (SPEC §8): per scenario, what was replayed, the policies side by side with means and
 * 95% CIs, the blast-radius reduction against the baseline and what it costs, charts, framework tags
 * and sources; "At a glance" first.
 */
import type { Metric } from '../domain/metrics.js';
import { reductionPct } from '../metrics/comparison.js';
import { patternsOf } from '../metrics/scenario-row.js';
import type { SummaryRow } from '../metrics/summary.js';
import { formatDuration } from '../lib/duration.js';
import { quantileSorted } from '../lib/stats.js';
import { frameworkLabel } from '../scenario/frameworks.js';
import type { Scenario } from '../domain/scenario.js';
import { boxPlotSpec, meanBarsSpec, renderSvg, type BoxStats } from './charts.js';
import {
  anchor,
  isWebUrl,
  methods,
  reductionTableCell,
  signed,
  slug,
  strong,
  summaryCell,
  text,
  type Block,
  type Chart,
  type ReportFiles,
  type TableCell,
} from './content.js';
import { describeAttack, describePolicy, patternSummary } from './describe.js';
import { EMPTY, humanCount, humanPercent, humanSeconds } from './human.js';
import { SummaryIndex, baselineOf, type ScenarioShape } from './lookup.js';
import { recommend, type Recommendation } from './recommend.js';
import { writeDocuments } from './write.js';
import { carriedBy } from './attribution.js';
import { tempoBlocks, tempoNote } from './tempo.js';
import { credentialAgeLists } from './credential-ages.js';
import { confirmedReachBlocks, hardVariantBlocks } from './incidents.js';
import type { AttributionRow } from '../metrics/attribution.js';
import type { TempoRow } from '../metrics/tempo.js';

/** Raw per-trial values of one metric (e.g. `SummaryBuilder.prototype.values`), for distribution charts. */
export type SampleSource = (scenario: string, policy: string, attack: string, metric: Metric) => ArrayLike<number>;

/** Everything a run report shows. */
export interface ReportInput {
  /** Page title (default: `blastlab risk report`). */
  readonly title?: string;
  /** The scenarios that were run (descriptions, attacks, policies, frameworks, references). */
  readonly scenarios: readonly Scenario[];
  /** summary.csv rows. */
  readonly summary: readonly SummaryRow[];
  /** Scenario → baseline policy (default: the scenario's first policy in the summary). */
  readonly baselineByScenario?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Raw exposure-window values per policy; without them the distribution chart uses the summary's quantiles. */
  readonly samples?: SampleSource;
  /** Free-form facts about the run shown under the title (command, trials, seed, duration, version). */
  readonly facts?: readonly (readonly [string, string])[];
  /** attribution.csv rows: "At a glance" names the control carrying each reduction. */
  readonly attribution?: readonly AttributionRow[];
  /** tempo.csv rows: the "Attacker tempo" section and the tempo note of "At a glance". */
  readonly tempo?: readonly TempoRow[];
  /** A `run --no-trials` report: no trials.csv (the methods say where the numbers come from). */
  readonly noTrials?: boolean;
}

/** The risk metrics shown per policy, with how they are rendered. */
const RISK_VIEW: readonly { readonly metric: Metric; readonly head: string; readonly render: (v: number | null) => string }[] = [
  { metric: 'attack_success', head: 'attack success', render: humanPercent },
  { metric: 'blast_radius', head: 'blast radius', render: humanCount },
  { metric: 'resources_reached', head: 'resources reached', render: humanCount },
  { metric: 'records_exposed', head: 'records exposed', render: humanCount },
  { metric: 'records_exfiltrated', head: 'records exfiltrated', render: humanCount },
  { metric: 'exposure_window_s', head: 'exposure window', render: humanSeconds },
  { metric: 'access_window_s', head: 'access window', render: humanSeconds },
  { metric: 'time_to_containment_s', head: 'time to containment', render: humanSeconds },
];

/** The cost metrics shown per policy. */
const COST_VIEW: readonly { readonly metric: Metric; readonly head: string; readonly render: (v: number | null) => string }[] = [
  { metric: 'tokens_issued', head: 'tokens issued', render: humanCount },
  { metric: 'peak_issuance_per_s', head: 'peak issuance /s', render: humanCount },
  { metric: 'issuance_wait_p95_ms', head: 'issuance wait p95', render: (v) => (v === null ? EMPTY : `${humanCount(v)} ms`) },
  { metric: 'tasks_failed', head: 'failed tasks', render: humanCount },
  { metric: 'reauthorizations', head: 'reauthorizations', render: humanCount },
];

/** Writes report.md, report.html and charts/*.svg into `dir`. */
export async function writeReport(dir: string, input: ReportInput): Promise<ReportFiles> {
  const index = new SummaryIndex(input.summary);
  const byName = new Map(input.scenarios.map((s) => [s.name, s]));
  const title = input.title ?? 'blastlab risk report';
  const blocks: Block[] = [];
  const charts: Chart[] = [];

  blocks.push(...overview(index, input));
  blocks.push(
    ...tempoBlocks(
      index,
      index.shapes.map((s) => ({ ...s, baseline: baselineOf(s, input.baselineByScenario) })),
      input.tempo,
    ),
  );
  for (const shape of index.shapes) {
    const scenario = byName.get(shape.scenario);
    const section = await scenarioSection(shape, scenario, index, input);
    blocks.push(...section);
    for (const b of section) if (b.kind === 'charts') charts.push(...b.charts);
  }
  blocks.push(...methods({ noTrials: input.noTrials === true }));

  const toc = index.shapes.map((s) => ({ text: s.scenario, id: anchor(s.scenario) }));
  return writeDocuments(dir, title, input.facts ?? [], toc, blocks, charts);
}

/** The recommendation of one scenario × attack (src/report/recommend.ts). */
export function recommendationOf(
  index: SummaryIndex,
  scenario: string,
  policies: readonly string[],
  attack: string,
  baseline: string,
): Recommendation {
  return recommend(
    policies.map((policy) => ({
      policy,
      blast: index.get(scenario, policy, attack, 'blast_radius'),
      tasksFailed: index.mean(scenario, policy, attack, 'tasks_failed'),
      tokensIssued: index.mean(scenario, policy, attack, 'tokens_issued'),
    })),
    baseline,
  );
}

function overview(index: SummaryIndex, input: ReportInput): Block[] {
  const rows: TableCell[][] = [];
  for (const shape of index.shapes) {
    const baseline = baselineOf(shape, input.baselineByScenario);
    for (const attack of shape.attacks) {
      const base = index.mean(shape.scenario, baseline, attack, 'blast_radius');
      const rec = recommendationOf(index, shape.scenario, shape.policies, attack, baseline);
      const best = rec.state === 'policy' ? rec.policy : null;
      const delta = (metric: 'tokens_issued' | 'tasks_failed'): number | null =>
        best === null
          ? null
          : (index.mean(shape.scenario, best, attack, metric) ?? 0) - (index.mean(shape.scenario, baseline, attack, metric) ?? 0);
      const tokensDelta = delta('tokens_issued');
      const failedDelta = delta('tasks_failed');
      const bestMean = best === null ? null : index.mean(shape.scenario, best, attack, 'blast_radius');
      const reduction = best === null ? null : reductionPct(base, bestMean);
      rows.push([
        { text: shape.scenario },
        { text: attack },
        { text: baseline, sub: `blast ${humanCount(base)}` },
        best === null
          ? { text: rec.state === 'baseline' ? 'keep baseline' : EMPTY, tone: 'muted' }
          : { text: best, sub: `blast ${humanCount(bestMean)}` },
        { ...reductionTableCell(reduction), ...glanceSub(input, shape.scenario, attack, best, reduction) },
        { text: tokensDelta === null ? EMPTY : signed(tokensDelta) },
        {
          text: failedDelta === null ? EMPTY : signed(failedDelta),
          ...(failedDelta !== null && failedDelta > 0 ? { tone: 'bad' as const } : {}),
        },
        {
          text:
            rec.state === 'policy'
              ? rec.reason.message
              : rec.state === 'baseline'
                ? rec.candidates.length === 1 ||
                  shape.policies.every((p) => (index.mean(shape.scenario, p, attack, 'blast_radius') ?? Infinity) >= (base ?? 0))
                  ? 'no policy has a lower blast radius'
                  : `no policy is lower beyond the 95% CI (${rec.candidates.length - 1} other${rec.candidates.length === 2 ? '' : 's'} within it)`
                : 'no data',
        },
      ]);
    }
  }
  return [
    { kind: 'heading', level: 2, text: 'At a glance', id: 'at-a-glance' },
    {
      kind: 'paragraph',
      inline: [
        text(
          'For each scenario and replayed attack: the baseline policy, the recommended policy, the reduction in mean blast radius (under it, the share of it each control carries: attribution.csv; and whether it holds at attacker tempo 1m or appears only at 1h: tempo.csv), and what the recommended policy costs in extra tokens issued and extra failed tasks per trial. ',
        ),
        strong('Rule'),
        text(
          ': among the policies whose blast radius is not worse than the lowest within the 95% confidence intervals, the cheapest — fewest failed tasks, then fewest tokens issued (then lower mean, then name: never the order of the file). When that is the baseline, keep it.',
        ),
      ],
    },
    {
      kind: 'table',
      caption: 'Recommended policy per scenario and attack',
      head: ['scenario', 'attack', 'baseline', 'recommended', 'reduction', 'extra tokens', 'extra failed tasks', 'why'],
      numeric: [false, false, false, false, true, true, true, false],
      rows,
    },
    ...hardVariantBlocks(
      index,
      index.shapes.map((s) => ({ ...s, baseline: baselineOf(s, input.baselineByScenario) })),
    ),
  ];
}

/** Under the reduction in "At a glance": the controls carrying it, then "(holds at 1m)" / "(only at 1h)". */
function glanceSub(
  input: ReportInput,
  scenario: string,
  attack: string,
  policy: string | null,
  reduction: number | null,
): { readonly sub?: string } {
  const carried = carriedBy(input.attribution, scenario, attack, policy);
  const tempo = tempoNote(input.tempo, scenario, attack, policy, reduction);
  const parts = [...(carried === null ? [] : [carried]), ...(tempo === null ? [] : [`(${tempo})`])];
  return parts.length === 0 ? {} : { sub: parts.join(' ') };
}

async function scenarioSection(
  shape: ScenarioShape,
  scenario: Scenario | undefined,
  index: SummaryIndex,
  input: ReportInput,
): Promise<Block[]> {
  const name = shape.scenario;
  const baseline = baselineOf(shape, input.baselineByScenario);
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: name, id: anchor(name) }];
  if (scenario !== undefined) {
    if (scenario.description !== '') blocks.push({ kind: 'paragraph', inline: [text(scenario.description)] });
    const groups = Object.entries(scenario.frameworks)
      .filter(([, ids]) => ids.length > 0)
      .map(([key, ids]) => ({ label: frameworkLabel(key), ids }));
    if (groups.length > 0) blocks.push({ kind: 'tags', groups });
    blocks.push({
      kind: 'note',
      inline: [
        text(
          `${scenario.trials} trials per policy and attack · horizon ${formatDuration(scenario.horizonMs)} · seed ${scenario.seed} · patterns: ${patternsOf(scenario).join(', ')}`,
        ),
      ],
    });
    for (const list of credentialAgeLists(scenario)) {
      blocks.push(
        { kind: 'heading', level: 3, text: list.title, id: anchor(`${name}-${list.id}`) },
        { kind: 'list', items: list.items.map((item) => [text(item)]) },
      );
    }
  }

  // 1. What was replayed.
  blocks.push({ kind: 'heading', level: 3, text: 'What was replayed', id: anchor(`${name}-replayed`) });
  blocks.push({
    kind: 'list',
    items: shape.attacks.map((attackName) => {
      const attack = scenario?.attacks.find((a) => a.name === attackName);
      if (attack === undefined) return [strong(attackName)];
      return [
        strong(attackName),
        text(` (${attack.pattern}): ${patternSummary(attack.pattern)}. `),
        text(describeAttack(attack)),
      ];
    }),
  });

  // 2. The policies compared.
  blocks.push({ kind: 'heading', level: 3, text: 'Policies compared', id: anchor(`${name}-policies`) });
  blocks.push({
    kind: 'table',
    caption: 'Policies, as resolved from the scenario',
    head: ['policy', 'kind', 'settings'],
    numeric: [false, false, false],
    rows: shape.policies.map((p) => {
      const policy = scenario?.policies.find((x) => x.name === p);
      return [
        { text: p, ...(p === baseline ? { sub: 'baseline' } : {}) },
        { text: policy?.kind ?? EMPTY },
        { text: policy === undefined ? EMPTY : describePolicy(policy) },
      ];
    }),
  });

  // 3. Risk per attack, policies side by side.
  blocks.push({ kind: 'heading', level: 3, text: 'Risk: how far the damage travels', id: anchor(`${name}-risk`) });
  blocks.push({
    kind: 'paragraph',
    inline: [
      text(
        'Mean per trial with its 95% confidence interval in brackets; “vs baseline” is the change in mean blast radius against the baseline policy (↓ = smaller).',
      ),
    ],
  });
  for (const attack of shape.attacks) {
    blocks.push({
      kind: 'table',
      caption: attack,
      head: ['policy', ...RISK_VIEW.slice(0, 2).map((m) => m.head), 'vs baseline', ...RISK_VIEW.slice(2).map((m) => m.head)],
      numeric: [false, true, true, true, ...RISK_VIEW.slice(2).map(() => true)],
      rows: shape.policies.map((p) => [
        { text: p, ...(p === baseline ? { sub: 'baseline' } : {}) },
        ...RISK_VIEW.slice(0, 2).map((m) => summaryCell(index.get(name, p, attack, m.metric), m.render)),
        p === baseline
          ? { text: EMPTY, tone: 'muted' as const }
          : reductionTableCell(
              reductionPct(index.mean(name, baseline, attack, 'blast_radius'), index.mean(name, p, attack, 'blast_radius')),
            ),
        ...RISK_VIEW.slice(2).map((m) => summaryCell(index.get(name, p, attack, m.metric), m.render)),
      ]),
    });
  }

  blocks.push(...confirmedReachBlocks(index, scenario, { ...shape, baseline }));

  // 4. What it costs (cost metrics do not depend on the attack: the first attack's rows stand for all).
  const costAttack = shape.attacks[0] ?? '';
  blocks.push({ kind: 'heading', level: 3, text: 'Cost: what the policy costs the fleet', id: anchor(`${name}-cost`) });
  blocks.push({
    kind: 'table',
    caption: 'Mean per trial [95% CI]; cost does not depend on the attack replayed',
    head: ['policy', ...COST_VIEW.map((m) => m.head), 'tasks run'],
    numeric: [false, ...COST_VIEW.map(() => true), true],
    rows: shape.policies.map((p) => [
      { text: p, ...(p === baseline ? { sub: 'baseline' } : {}) },
      ...COST_VIEW.map((m) => summaryCell(index.get(name, p, costAttack, m.metric), m.render)),
      { text: humanCount(index.mean(name, p, costAttack, 'tasks_total')) },
    ]),
  });

  // 5. Charts.
  const chartBlocks = await scenarioCharts(shape, index, input);
  blocks.push({ kind: 'charts', charts: chartBlocks });

  // 6. Sources.
  if (scenario !== undefined && scenario.references.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Sources', id: anchor(`${name}-sources`) });
    blocks.push({
      kind: 'list',
      items: scenario.references.map((ref) => [isWebUrl(ref) ? { kind: 'link', text: ref, href: ref } : text(ref)]),
    });
  }
  return blocks;
}

async function scenarioCharts(shape: ScenarioShape, index: SummaryIndex, input: ReportInput): Promise<Chart[]> {
  const name = shape.scenario;
  const policies = shape.policies;
  const attacks = shape.attacks;
  const points = attacks.flatMap((attack) =>
    policies.map((policy) => {
      const row = index.get(name, policy, attack, 'blast_radius');
      return { attack, policy, mean: row?.mean ?? null, low: row?.ci95_low ?? null, high: row?.ci95_high ?? null };
    }),
  );
  const bars: Chart = {
    file: `${slug(name)}-blast-radius.svg`,
    title: 'Blast radius per policy',
    caption: 'Mean sensitivity-weighted resources reached per trial; whiskers show the 95% CI.',
    svg: await renderSvg(
      meanBarsSpec(points, {
        yTitle: 'blast radius',
        policies,
        attacks,
      }),
      `${slug(name)}-blast`,
    ),
  };

  const boxes: BoxStats[] = [];
  for (const attack of attacks) {
    for (const policy of policies) {
      const box = boxOf(name, policy, attack, index, input.samples);
      if (box !== null) boxes.push(box);
    }
  }
  const exposure: Chart = {
    file: `${slug(name)}-exposure-window.svg`,
    title: 'How long the attacker held a valid credential',
    caption:
      input.samples === undefined
        ? 'Exposure window per trial (symmetric log scale; 0 = never held a valid credential): line = min–max, tick and dot = median.'
        : 'Exposure window per trial (symmetric log scale; 0 = never held a valid credential): box = quartiles, tick and dot = median, line = min–max.',
    svg: await renderSvg(
      boxPlotSpec(boxes, {
        policies,
        attacks,
      }),
      `${slug(name)}-exposure`,
    ),
  };
  return [bars, exposure];
}

/** Box statistics of the exposure window from raw samples, or from the summary's quantiles when none are given. */
function boxOf(
  scenario: string,
  policy: string,
  attack: string,
  index: SummaryIndex,
  samples: SampleSource | undefined,
): BoxStats | null {
  if (samples !== undefined) {
    const sorted = Float64Array.from(samples(scenario, policy, attack, 'exposure_window_s')).sort();
    if (sorted.length === 0) return null;
    const q = (p: number): number => quantileSorted(sorted, p) ?? 0;
    return { attack, policy, n: sorted.length, min: q(0), q1: q(0.25), median: q(0.5), q3: q(0.75), max: q(1) };
  }
  const row = index.get(scenario, policy, attack, 'exposure_window_s');
  if (row === undefined || row.n === 0 || row.p50 === null || row.min === null || row.max === null) return null;
  return { attack, policy, n: row.n, min: row.min, q1: row.p50, median: row.p50, q3: row.p50, max: row.max };
}
