/**
 * report.md and report.html: the summary a reviewer reads first (SPEC §8). Per scenario: what was
 * replayed, the policies side by side with means and 95% CIs, the blast-radius reduction against the
 * baseline and what it costs, charts, framework tags and sources. report.html is self-contained
 * (inline CSS and SVG, no script, no external URL but the sources' own links); report.md links the same
 * SVGs written to charts/*.svg. Both files are written atomically, from the same content model.
 */
import { join } from 'node:path';
import type { Metric } from '../metrics/columns.js';
import { reductionPct } from '../metrics/comparison.js';
import { patternsOf } from '../metrics/scenario-row.js';
import type { SummaryRow } from '../metrics/summary.js';
import type { SweepRow } from '../metrics/sweep.js';
import { assertNever } from '../lib/assert.js';
import { formatDuration } from '../lib/duration.js';
import { quantileSorted } from '../lib/stats.js';
import type { Attack, Distribution, PatternId, Policy, Scenario } from '../scenario/types.js';
import { boxPlotSpec, meanBarsSpec, renderSvg, sweepPanelsSpec, tradeoffSpec, type BoxStats } from './charts.js';
import { carriedBySub, describeControls } from './attribution.js';
import type { AttributionRow } from '../metrics/attribution.js';
import { writeFileAtomic } from './csv.js';
import { EMPTY, humanCount, humanPercent, humanReduction, humanSeconds } from './human.js';
import { SummaryIndex, baselineOf, type ScenarioShape } from './lookup.js';
import { REPORT_CSS } from './style.js';

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
}

/** Files written by a report. */
export interface ReportFiles {
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly string[];
}

/** One block of report content, rendered both to Markdown and to HTML. */
type Block =
  | { readonly kind: 'heading'; readonly level: 2 | 3; readonly text: string; readonly id: string }
  | { readonly kind: 'paragraph'; readonly inline: readonly Inline[] }
  | { readonly kind: 'tags'; readonly groups: readonly { readonly label: string; readonly ids: readonly string[] }[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | { readonly kind: 'table'; readonly caption: string; readonly head: readonly string[]; readonly rows: readonly (readonly TableCell[])[]; readonly numeric: readonly boolean[] }
  | { readonly kind: 'charts'; readonly charts: readonly Chart[] }
  | { readonly kind: 'note'; readonly inline: readonly Inline[] };

type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'strong'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

interface TableCell {
  readonly text: string;
  readonly sub?: string;
  readonly tone?: 'good' | 'bad' | 'muted';
}

interface Chart {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

const text = (t: string): Inline => ({ kind: 'text', text: t });
const strong = (t: string): Inline => ({ kind: 'strong', text: t });
const code = (t: string): Inline => ({ kind: 'code', text: t });

/** What each breach pattern replays (SPEC §4), for the "what was replayed" list. */
const PATTERN_SUMMARY: Readonly<Record<PatternId, string>> = {
  'secret-replay': 'a credential (or the newest token copy) leaks from a holder and is replayed later',
  'lateral-movement': 'the attacker controls an entry node and expands hop by hop',
  'tool-chaining': 'a hijacked agent invokes tools that invoke tools; privilege flows downstream',
  'intent-drift': 'a benign agent re-plans and tries actions outside its declared intent',
  'orphaned-credential': 'an agent is retired without offboarding; its credentials are found later',
  'mass-leak': 'every credential present at one holder leaks at once',
};

/** Human names of the framework keys a scenario may cite. */
const FRAMEWORK_LABELS: Readonly<Record<string, string>> = {
  'owasp-nhi': 'OWASP NHI Top 10',
  'owasp-agentic': 'OWASP Agentic',
  'owasp-llm': 'OWASP LLM Top 10',
  attack: 'MITRE ATT&CK',
  'nist-csf': 'NIST CSF 2.0',
  'nist-ai-rmf': 'NIST AI RMF',
  'nist-800-207': 'NIST SP 800-207',
  maestro: 'MAESTRO',
};

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
  for (const shape of index.shapes) {
    const scenario = byName.get(shape.scenario);
    const section = await scenarioSection(shape, scenario, index, input);
    blocks.push(...section);
    for (const b of section) if (b.kind === 'charts') charts.push(...b.charts);
  }
  blocks.push(...methods());

  const toc = index.shapes.map((s) => ({ text: s.scenario, id: anchor(s.scenario) }));
  return writeDocuments(dir, title, input.facts ?? [], toc, blocks, charts);
}

/** Input of a sweep report: the sweep rows and what was swept. */
export interface SweepReportInput {
  readonly title?: string;
  readonly scenario: Scenario | undefined;
  readonly policy: string;
  readonly param: string;
  /** The values in command-line order. */
  readonly values: readonly string[];
  readonly rows: readonly SweepRow[];
  readonly facts?: readonly (readonly [string, string])[];
}

/** Risk and cost metrics drawn by the sweep report, in panel order. */
const SWEEP_METRICS: readonly { readonly metric: Metric; readonly label: string }[] = [
  { metric: 'attack_success', label: 'attack success (share of trials)' },
  { metric: 'blast_radius', label: 'blast radius' },
  { metric: 'exposure_window_s', label: 'exposure window (s)' },
  { metric: 'tokens_issued', label: 'tokens issued' },
  { metric: 'peak_issuance_per_s', label: 'peak issuance (/s)' },
  { metric: 'tasks_failed', label: 'failed tasks' },
];

/** Writes the sweep's report.md / report.html and charts: risk and cost per value, and the risk/cost curve. */
export async function writeSweepReport(dir: string, input: SweepReportInput): Promise<ReportFiles> {
  const scenarioName = input.scenario?.name ?? input.rows[0]?.scenario ?? 'scenario';
  const title = input.title ?? `blastlab sweep: ${input.policy} ${input.param}`;
  const attacks = unique(input.rows.map((r) => r.attack));
  const at = (value: string, attack: string, metric: Metric): SweepRow | undefined =>
    input.rows.find((r) => r.value === value && r.attack === attack && r.metric === metric);
  const blocks: Block[] = [];

  blocks.push({
    kind: 'paragraph',
    inline: [
      text('Scenario '),
      strong(scenarioName),
      text(', policy '),
      strong(input.policy),
      text(', parameter '),
      code(input.param),
      text(` over ${input.values.join(', ')}. Every value runs on the same trial seeds, so differences between values come from the parameter, not from sampling.`),
    ],
  });
  if (input.scenario !== undefined && input.scenario.description !== '') {
    blocks.push({ kind: 'paragraph', inline: [text(input.scenario.description)] });
  }

  const panelRows = input.rows
    .filter((r) => SWEEP_METRICS.some((m) => m.metric === r.metric))
    .map((r) => ({
      value: r.value,
      attack: r.attack,
      metric: SWEEP_METRICS.find((m) => m.metric === r.metric)?.label ?? r.metric,
      mean: r.mean,
      low: r.ci95_low,
      high: r.ci95_high,
    }));
  const panels: Chart = {
    file: `sweep-${slug(input.param)}.svg`,
    title: `Risk and cost against ${input.param}`,
    caption: 'Mean per trial for each value; the band is the 95% CI; one line per attack.',
    svg: await renderSvg(
      sweepPanelsSpec(panelRows, {
        param: input.param,
        values: input.values,
        metrics: SWEEP_METRICS.map((m) => m.label),
        attacks,
      }),
      'sweep-panels',
    ),
  };
  const tradeoffPoints = attacks.flatMap((attack) =>
    input.values.flatMap((value, order) => {
      const cost = at(value, attack, 'tokens_issued')?.mean ?? null;
      const risk = at(value, attack, 'blast_radius')?.mean ?? null;
      return cost === null || risk === null ? [] : [{ value, order, attack, cost, risk }];
    }),
  );
  const tradeoff: Chart = {
    file: `sweep-${slug(input.param)}-tradeoff.svg`,
    title: 'Risk against cost',
    caption: `Mean blast radius against mean tokens issued per trial, one labelled point per ${input.param}: the knee is where more issuance stops buying less risk.`,
    svg: await renderSvg(
      tradeoffSpec(tradeoffPoints, {
        xTitle: 'tokens issued per trial',
        yTitle: 'blast radius',
        attacks,
      }),
      'sweep-tradeoff',
    ),
  };
  blocks.push({ kind: 'charts', charts: [tradeoff, panels] });

  for (const attack of attacks) {
    blocks.push({ kind: 'heading', level: 3, text: attack, id: anchor(`attack-${attack}`) });
    blocks.push({
      kind: 'table',
      caption: `${attack}: mean per trial [95% CI] for each value of ${input.param}`,
      head: [input.param, ...SWEEP_METRICS.map((m) => m.label)],
      numeric: [false, ...SWEEP_METRICS.map(() => true)],
      rows: input.values.map((value) => [
        { text: value },
        ...SWEEP_METRICS.map((m) => {
          const r = at(value, attack, m.metric);
          const render = m.metric === 'attack_success' ? humanPercent : m.metric === 'exposure_window_s' ? humanSeconds : humanCount;
          return meanCell(r?.mean ?? null, r?.ci95_low ?? null, r?.ci95_high ?? null, render);
        }),
      ]),
    });
  }
  blocks.push(...methods());
  return writeDocuments(dir, title, input.facts ?? [], [], blocks, [tradeoff, panels]);
}

// ---------------------------------------------------------------------------------------------
// Content

function overview(index: SummaryIndex, input: ReportInput): Block[] {
  const rows: TableCell[][] = [];
  for (const shape of index.shapes) {
    const baseline = baselineOf(shape, input.baselineByScenario);
    for (const attack of shape.attacks) {
      const base = index.mean(shape.scenario, baseline, attack, 'blast_radius');
      // The policy with the lowest mean blast radius (first in file order on ties).
      let best: string | null = null;
      let bestMean = Infinity;
      for (const p of shape.policies) {
        const m = index.mean(shape.scenario, p, attack, 'blast_radius');
        if (p !== baseline && m !== null && m < bestMean) {
          best = p;
          bestMean = m;
        }
      }
      // A policy no better than the baseline is not an answer: say that none lowers it.
      const none = best !== null && base !== null && bestMean >= base;
      if (none) best = null;
      const tokensDelta =
        best === null
          ? null
          : (index.mean(shape.scenario, best, attack, 'tokens_issued') ?? 0) - (index.mean(shape.scenario, baseline, attack, 'tokens_issued') ?? 0);
      const failedDelta =
        best === null
          ? null
          : (index.mean(shape.scenario, best, attack, 'tasks_failed') ?? 0) - (index.mean(shape.scenario, baseline, attack, 'tasks_failed') ?? 0);
      const reduction = best === null ? null : reductionPct(base, bestMean);
      rows.push([
        { text: shape.scenario },
        { text: attack },
        { text: baseline, sub: `blast ${humanCount(base)}` },
        best === null ? { text: none ? 'none lower' : EMPTY, tone: 'muted' } : { text: best, sub: `blast ${humanCount(bestMean)}` },
        { ...reductionTableCell(reduction), ...carriedBySub(input.attribution, shape.scenario, attack, best) },
        { text: tokensDelta === null ? EMPTY : signed(tokensDelta) },
        { text: failedDelta === null ? EMPTY : signed(failedDelta), ...(failedDelta !== null && failedDelta > 0 ? { tone: 'bad' as const } : {}) },
      ]);
    }
  }
  return [
    { kind: 'heading', level: 2, text: 'At a glance', id: 'at-a-glance' },
    {
      kind: 'paragraph',
      inline: [
        text('For each scenario and replayed attack: the baseline policy, the policy with the lowest mean blast radius, the reduction (under it, the share of it each control carries: attribution.csv), and what that policy costs in extra tokens issued and extra failed tasks per trial.'),
      ],
    },
    {
      kind: 'table',
      caption: 'Lowest blast radius per scenario and attack',
      head: ['scenario', 'attack', 'baseline', 'lowest blast radius', 'reduction', 'extra tokens', 'extra failed tasks'],
      numeric: [false, false, false, false, true, true, true],
      rows,
    },
  ];
}

async function scenarioSection(shape: ScenarioShape, scenario: Scenario | undefined, index: SummaryIndex, input: ReportInput): Promise<Block[]> {
  const name = shape.scenario;
  const baseline = baselineOf(shape, input.baselineByScenario);
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: name, id: anchor(name) }];
  if (scenario !== undefined) {
    if (scenario.description !== '') blocks.push({ kind: 'paragraph', inline: [text(scenario.description)] });
    const groups = Object.entries(scenario.frameworks)
      .filter(([, ids]) => ids.length > 0)
      .map(([key, ids]) => ({ label: FRAMEWORK_LABELS[key] ?? key, ids }));
    if (groups.length > 0) blocks.push({ kind: 'tags', groups });
    blocks.push({
      kind: 'note',
      inline: [
        text(`${scenario.trials} trials per policy and attack · horizon ${formatDuration(scenario.horizonMs)} · seed ${scenario.seed} · patterns: ${patternsOf(scenario).join(', ')}`),
      ],
    });
  }

  // 1. What was replayed.
  blocks.push({ kind: 'heading', level: 3, text: 'What was replayed', id: anchor(`${name}-replayed`) });
  blocks.push({
    kind: 'list',
    items: shape.attacks.map((attackName) => {
      const attack = scenario?.attacks.find((a) => a.name === attackName);
      if (attack === undefined) return [strong(attackName)];
      return [strong(attackName), text(` (${attack.pattern}): ${PATTERN_SUMMARY[attack.pattern]}. `), text(describeAttack(attack))];
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
    inline: [text('Mean per trial with its 95% confidence interval in brackets; “vs baseline” is the change in mean blast radius against the baseline policy (↓ = smaller).')],
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
          : reductionTableCell(reductionPct(index.mean(name, baseline, attack, 'blast_radius'), index.mean(name, p, attack, 'blast_radius'))),
        ...RISK_VIEW.slice(2).map((m) => summaryCell(index.get(name, p, attack, m.metric), m.render)),
      ]),
    });
  }

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
        ? 'Exposure window per trial (log scale): line = min–max, tick = median.'
        : 'Exposure window per trial (log scale): box = quartiles, tick = median, line = min–max.',
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
function boxOf(scenario: string, policy: string, attack: string, index: SummaryIndex, samples: SampleSource | undefined): BoxStats | null {
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

function methods(): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'How to read this report', id: 'methods' },
    {
      kind: 'list',
      items: [
        [strong('Blast radius'), text(': sum of the sensitivity weights of the resources the attacker acted on (public 0, internal 1, confidential 3, regulated 10 unless the scenario overrides them).')],
        [strong('Exposure window'), text(': time during which the attacker held at least one valid credential (or could mint one).')],
        [strong('Access window'), text(': time during which the attacker could act on at least one resource by any means: credentials it held, nodes it controlled, or tools acting for it. A hijacked agent driving a tool that holds a database password has no exposure window but a full access window.')],
        [strong('Confidence intervals'), text(': 95%. Student-t interval of the mean (lower end clipped at 0: every metric is non-negative) for every metric except attack success, which uses the Wilson score interval for a proportion. Empty cells (—) mean the value is undefined, e.g. never contained.')],
        [strong('Reduction'), text(': (baseline mean − policy mean) / baseline mean. ↓ means lower than the baseline, ↑ higher.')],
        [text('Every number comes from '), code('summary.csv'), text(' and '), code('comparison.csv'), text(' in the same folder; per-trial values are in '), code('trials.csv'), text('.')],
      ],
    },
  ];
}

function summaryCell(row: SummaryRow | undefined, render: (v: number | null) => string): TableCell {
  if (row === undefined || row.mean === null) return { text: EMPTY, tone: 'muted' };
  return meanCell(row.mean, row.ci95_low, row.ci95_high, render);
}

function meanCell(mean: number | null, low: number | null, high: number | null, render: (v: number | null) => string): TableCell {
  if (mean === null) return { text: EMPTY, tone: 'muted' };
  if (low === null || high === null) return { text: render(mean) };
  return { text: render(mean), sub: `[${render(low)}, ${render(high)}]` };
}

function reductionTableCell(reduction: number | null): TableCell {
  const t = humanReduction(reduction);
  if (reduction === null || t === '=' || t === EMPTY) return { text: t, tone: 'muted' };
  return { text: t, tone: reduction > 0 ? 'good' : 'bad' };
}

/** One line describing an attack's parameters. */
export function describeAttack(attack: Attack): string {
  const hops = `hop every ${describeDistribution(attack.hopDelay)}${attack.maxHops === Infinity ? '' : `, at most ${attack.maxHops} hops`}`;
  switch (attack.pattern) {
    case 'secret-replay':
      return `${attack.credential} leaks from ${attack.from} at ${formatDuration(attack.leakAtMs)}, replayed after ${describeDistribution(attack.replayDelay)}; ${hops}.`;
    case 'lateral-movement':
      return `Entry ${attack.entry} controlled from ${formatDuration(attack.atMs)}; ${hops}.`;
    case 'tool-chaining':
      return `${attack.agent} hijacked at ${formatDuration(attack.atMs)}; ${hops}.`;
    case 'intent-drift':
      return `${attack.agent} drifts at ${formatDuration(attack.atMs)} towards ${attack.targets.map((t) => `${t.action} ${t.target}`).join(', ')}; ${hops}.`;
    case 'orphaned-credential':
      return `${attack.agent} retired at ${formatDuration(attack.retiredAtMs)} still holding ${attack.credentials.join(', ')}, found after ${describeDistribution(attack.foundDelay)}; ${hops}.`;
    case 'mass-leak':
      return `Everything held at ${attack.holder} leaks at ${formatDuration(attack.leakAtMs)}, replayed after ${describeDistribution(attack.replayDelay)}; ${hops}.`;
    default:
      return assertNever(attack);
  }
}

/** One line describing a policy's settings that matter for its kind. */
export function describePolicy(policy: Policy): string {
  const parts: string[] = [];
  const ephemeralParts = (): void => {
    parts.push(`ttl ${formatDuration(policy.ttlMs)}`, `scope ${policy.scope}`);
    const revoke = (['completion', 'failure', 'timeout'] as const).filter((t) => policy.revokeOn[t]);
    if (revoke.length > 0) parts.push(`revoke on ${revoke.join(', ')}`);
    if (policy.reevaluate !== 'none') parts.push(`re-evaluate ${policy.reevaluate}`);
    if (policy.bindToWorkload) parts.push('bound to workload');
  };
  switch (policy.kind) {
    case 'persistent':
      parts.push(policy.rotationMs === null ? 'rotation: credential / scenario default' : `rotation ${formatDuration(policy.rotationMs)}`);
      break;
    case 'ephemeral':
      ephemeralParts();
      break;
    case 'hybrid':
      ephemeralParts();
      parts.push(
        policy.exceptions.length === 0
          ? 'no persistent exceptions'
          : `${policy.exceptions.length} persistent exception${policy.exceptions.length === 1 ? '' : 's'} (${policy.exceptions.map((e) => `rotation ${formatDuration(e.rotationMs)}`).join(', ')})`,
      );
      break;
    default:
      return assertNever(policy.kind);
  }
  parts.push(...describeControls(policy));
  if (policy.detection !== null) {
    parts.push(`detection ${humanPercent(policy.detection.probability)} after ${describeDistribution(policy.detection.delay)}`);
  }
  const envs = Object.keys(policy.revocationLatency.byEnvironment);
  if (policy.revocationLatency.default.kind !== 'fixed' || policy.revocationLatency.default.valueMs !== 0 || envs.length > 0) {
    parts.push(
      `revocation latency ${describeDistribution(policy.revocationLatency.default)}${envs
        .map((e) => `, ${e} ${describeDistribution(policy.revocationLatency.byEnvironment[e] ?? policy.revocationLatency.default)}`)
        .join('')}`,
    );
  }
  if (policy.kind !== 'persistent' && (policy.issuer.availability < 1 || policy.issuer.latency.kind !== 'fixed' || policy.issuer.latency.valueMs !== 0)) {
    parts.push(`issuer ${describeDistribution(policy.issuer.latency)}, availability ${humanPercentPrecise(policy.issuer.availability)}`);
  }
  return parts.join(' · ');
}

/** A distribution in the words of the scenario file (`fixed 1h`, `exponential mean 2h`, …). */
export function describeDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'fixed':
      return formatDuration(d.valueMs);
    case 'exponential':
      return `exponential(mean ${formatDuration(d.meanMs)})`;
    case 'lognormal':
      return `lognormal(median ${formatDuration(d.medianMs)}, σ ${d.sigma})`;
    case 'uniform':
      return `uniform(${formatDuration(d.minMs)}–${formatDuration(d.maxMs)})`;
    default:
      return assertNever(d);
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

async function writeDocuments(
  dir: string,
  title: string,
  facts: readonly (readonly [string, string])[],
  toc: readonly { readonly text: string; readonly id: string }[],
  blocks: readonly Block[],
  charts: readonly Chart[],
): Promise<ReportFiles> {
  const chartPaths = charts.map((c) => join(dir, 'charts', c.file));
  charts.forEach((c, i) => writeFileAtomic(chartPaths[i] ?? '', c.svg));
  const markdown = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  writeFileAtomic(markdown, toMarkdown(title, facts, blocks));
  writeFileAtomic(html, toHtml(title, facts, toc, blocks));
  return Promise.resolve({ markdown, html, charts: chartPaths });
}

function toMarkdown(title: string, facts: readonly (readonly [string, string])[], blocks: readonly Block[]): string {
  const out: string[] = [`# ${mdText(title)}`, ''];
  if (facts.length > 0) {
    out.push(facts.map(([k, v]) => `**${mdText(k)}:** ${mdText(v)}`).join(' · '), '');
  }
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${mdText(b.text)}`, '');
        break;
      case 'paragraph':
        out.push(mdInline(b.inline), '');
        break;
      case 'note':
        out.push(`_${mdInline(b.inline)}_`, '');
        break;
      case 'tags':
        out.push(b.groups.map((g) => `**${mdText(g.label)}:** ${g.ids.map((id) => `\`${id.replace(/`/g, '')}\``).join(' ')}`).join(' · '), '');
        break;
      case 'list':
        for (const item of b.items) out.push(`- ${mdInline(item)}`);
        out.push('');
        break;
      case 'table': {
        out.push(`*${mdText(b.caption)}*`, '');
        out.push(`| ${b.head.map(mdCell).join(' | ')} |`);
        out.push(`|${b.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`);
        for (const row of b.rows) {
          out.push(`| ${row.map((c) => mdCell(c.sub === undefined ? c.text : `${c.text} ${c.sub}`)).join(' | ')} |`);
        }
        out.push('');
        break;
      }
      case 'charts':
        for (const c of b.charts) out.push(`**${mdText(c.title)}.** ${mdText(c.caption)}`, '', `![${mdText(c.title)}](charts/${c.file})`, '');
        break;
      default:
        assertNever(b);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function toHtml(
  title: string,
  facts: readonly (readonly [string, string])[],
  toc: readonly { readonly text: string; readonly id: string }[],
  blocks: readonly Block[],
): string {
  const body: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        body.push(`<h${b.level} id="${esc(b.id)}">${esc(b.text)}</h${b.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${htmlInline(b.inline)}</p>`);
        break;
      case 'note':
        body.push(`<p class="note">${htmlInline(b.inline)}</p>`);
        break;
      case 'tags':
        body.push(
          `<div class="tags">${b.groups
            .map((g) => `<span class="tag-group"><span class="tag-label">${esc(g.label)}</span>${g.ids.map((id) => `<span class="tag">${esc(id)}</span>`).join('')}</span>`)
            .join('')}</div>`,
        );
        break;
      case 'list':
        body.push(`<ul>${b.items.map((i) => `<li>${htmlInline(i)}</li>`).join('')}</ul>`);
        break;
      case 'table': {
        const head = b.head.map((h, i) => `<th${b.numeric[i] === true ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
        const rows = b.rows
          .map(
            (row) =>
              `<tr>${row
                .map((c, i) => {
                  const cls = [b.numeric[i] === true ? 'num' : '', c.tone ?? ''].filter((x) => x !== '').join(' ');
                  const sub = c.sub === undefined ? '' : `<span class="sub">${esc(c.sub)}</span>`;
                  return `<td${cls === '' ? '' : ` class="${cls}"`}>${esc(c.text)}${sub}</td>`;
                })
                .join('')}</tr>`,
          )
          .join('\n');
        body.push(`<div class="table-wrap"><table><caption>${esc(b.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`);
        break;
      }
      case 'charts':
        body.push(`<div class="charts">${b.charts.map((c) => `<figure class="chart"><figcaption><strong>${esc(c.title)}</strong><span>${esc(c.caption)}</span></figcaption>${c.svg}</figure>`).join('\n')}</div>`);
        break;
      default:
        assertNever(b);
    }
  }
  const factsHtml =
    facts.length === 0 ? '' : `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
  const tocHtml =
    toc.length === 0
      ? ''
      : `<nav class="toc"><span class="toc-label">Scenarios</span>${toc.map((t) => `<a href="#${esc(t.id)}">${esc(t.text)}</a>`).join('')}</nav>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="page-header"><div class="brand">blastlab</div><h1>${esc(title)}</h1>${factsHtml}${tocHtml}</header>
<main>
${body.join('\n')}
</main>
<footer>Generated by blastlab. Self-contained: no scripts, no network requests.</footer>
</body>
</html>
`;
}

function htmlInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return esc(p.text);
        case 'strong':
          return `<strong>${esc(p.text)}</strong>`;
        case 'code':
          return `<code>${esc(p.text)}</code>`;
        case 'link':
          return `<a href="${esc(p.href)}" rel="noopener noreferrer">${esc(p.text)}</a>`;
        default:
          return assertNever(p);
      }
    })
    .join('');
}

function mdInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return mdText(p.text);
        case 'strong':
          return `**${mdText(p.text)}**`;
        case 'code':
          return `\`${p.text.replace(/`/g, '')}\``;
        case 'link':
          return `<${p.href.replace(/[<>\s]/g, encodeURIComponent)}>`;
        default:
          return assertNever(p);
      }
    })
    .join('');
}

/** Escapes text for HTML content and attribute values. */
export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Escapes Markdown syntax characters (and raw HTML) in plain text. */
function mdText(value: string): string {
  return value.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function mdCell(value: string): string {
  return mdText(value);
}

function isWebUrl(value: string): boolean {
  return /^https?:\/\/[^\s"'<>]+$/i.test(value);
}

function anchor(value: string): string {
  return `s-${value.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`;
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function signed(value: number): string {
  if (value === 0) return '0';
  return value > 0 ? `+${humanCount(value)}` : humanCount(value);
}

function humanPercentPrecise(p: number): string {
  return `${(p * 100).toFixed(3).replace(/0+$/, '').replace(/\.$/, '')}%`;
}
