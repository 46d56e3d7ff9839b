/** The sweep report: risk and cost per value of one policy parameter, and the risk/cost curve. */
import type { Metric } from '../domain/metrics.js';
import type { SweepRow } from '../metrics/sweep.js';
import type { Scenario } from '../domain/scenario.js';
import { renderSvg } from './charts.js';
import { sweepPanelsSpec, tradeoffSpec } from './charts-sweep.js';
import {
  anchor,
  code,
  meanCell,
  methods,
  slug,
  strong,
  text,
  unique,
  type Block,
  type Chart,
  type ReportFiles,
} from './content.js';
import { humanCount, humanPercent, humanSeconds, secondsUnit } from './human.js';
import { writeDocuments } from './write.js';

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
  { metric: 'attack_success', label: 'attack success' },
  { metric: 'blast_radius', label: 'blast radius' },
  { metric: 'exposure_window_s', label: 'exposure window' },
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
      text(
        ` over ${input.values.join(', ')}. Every value runs on the same trial seeds, so differences between values come from the parameter, not from sampling.`,
      ),
    ],
  });
  if (input.scenario !== undefined && input.scenario.description !== '') {
    blocks.push({ kind: 'paragraph', inline: [text(input.scenario.description)] });
  }

  // The charts in the tables' units: exposure in minutes, hours or days (not raw seconds), attack success in percent.
  const exposureMax = Math.max(
    0,
    ...input.rows.filter((r) => r.metric === 'exposure_window_s').map((r) => r.ci95_high ?? r.mean ?? 0),
  );
  const unit = secondsUnit(exposureMax);
  const labelOf = (metric: Metric): string =>
    metric === 'exposure_window_s'
      ? `exposure window (${unit.label})`
      : metric === 'attack_success'
        ? 'attack success (% of trials)'
        : (SWEEP_METRICS.find((m) => m.metric === metric)?.label ?? metric);
  const scaled = (metric: Metric, v: number | null): number | null =>
    v === null ? v : metric === 'exposure_window_s' ? v / unit.divisor : metric === 'attack_success' ? v * 100 : v;
  const panelRows = input.rows
    .filter((r) => SWEEP_METRICS.some((m) => m.metric === r.metric))
    .map((r) => ({
      value: r.value,
      attack: r.attack,
      metric: labelOf(r.metric),
      mean: scaled(r.metric, r.mean),
      low: scaled(r.metric, r.ci95_low),
      high: scaled(r.metric, r.ci95_high),
    }));
  const panels: Chart = {
    file: `sweep-${slug(input.param)}.svg`,
    title: `Risk and cost against ${input.param}`,
    caption: 'Mean per trial for each value; the band is the 95% CI; one line per attack.',
    svg: await renderSvg(
      sweepPanelsSpec(panelRows, {
        param: input.param,
        values: input.values,
        metrics: SWEEP_METRICS.map((m) => labelOf(m.metric)),
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
          const render =
            m.metric === 'attack_success' ? humanPercent : m.metric === 'exposure_window_s' ? humanSeconds : humanCount;
          return meanCell(r?.mean ?? null, r?.ci95_low ?? null, r?.ci95_high ?? null, render);
        }),
      ]),
    });
  }
  blocks.push(...methods());
  return writeDocuments(dir, title, input.facts ?? [], [], blocks, [tradeoff, panels]);
}
