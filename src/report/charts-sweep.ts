/**
 * Sweep charts: small multiples of risk and cost against the swept value, and the risk/cost curve.
 * Vega-lite specs rendered by `renderSvg` (charts.ts) like the run report's charts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { COUNT_LABEL_EXPR, PALETTE } from './charts.js';

/** Dash patterns and point shapes per series, so series with equal values stay distinguishable where they coincide. */
const DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [4, 4],
  [1, 3],
];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down'];

/** One point of a sweep curve. */
export interface SweepPointRow {
  readonly value: string;
  readonly attack: string;
  readonly metric: string;
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** Estimated pixel width of one character of an 11px axis label (vega's own estimate is about 6.2). */
const LABEL_CHAR_PX = 6.5;

/** Sweep panel width in pixels. */
const PANEL_WIDTH = 200;

/**
 * The swept values' axis: labels level when they fit their band, vertical when they would run into
 * each other (`0.9999999` next to `0.999999`).
 */
function valueAxis(values: readonly string[], width: number): Record<string, unknown> {
  const longest = Math.max(0, ...values.map((v) => v.length));
  const band = width / Math.max(1, values.length);
  return longest * LABEL_CHAR_PX + 6 <= band ? { labelAngle: 0, labelLimit: 0 } : { labelAngle: -90, labelLimit: 0 };
}

/**
 * Small multiples: one panel per metric, the swept value on x (command-line order), a line per attack
 * with its CI band. A panel whose values are all 0 draws its lines on the floor of a 0–1 axis (an
 * invisible rule at 1 gives the axis its extent), not in the middle of an axis labelled `0.000000`.
 */
export function sweepPanelsSpec(
  rows: readonly SweepPointRow[],
  options: {
    readonly param: string;
    readonly values: readonly string[];
    readonly metrics: readonly string[];
    readonly attacks: readonly string[];
  },
): TopLevelSpec {
  const allZero = new Set(
    options.metrics.filter((m) => rows.every((r) => r.metric !== m || ((r.mean ?? 0) === 0 && (r.high ?? 0) === 0))),
  );
  const values = rows
    .filter((r) => r.mean !== null)
    .map((r) => ({ ...r, low: r.low ?? r.mean, high: r.high ?? r.mean, extent: allZero.has(r.metric) ? 1 : 0 }));
  // The swept values as written on the command line, never reformatted (`1e-6` stays `1e-6`).
  const x = {
    field: 'value',
    type: 'ordinal',
    title: options.param,
    sort: [...options.values],
    axis: valueAxis(options.values, PANEL_WIDTH),
  } as const;
  const dash = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: DASHES },
  } as const;
  const shape = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: SHAPES },
  } as const;
  const color = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: PALETTE.slice(1).concat(PALETTE.slice(0, 1)) },
    // Legend swatches in the line's full colour, never the band's transparency.
    legend: { symbolOpacity: 1, symbolStrokeWidth: 2 },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: [...options.metrics] },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: PANEL_WIDTH,
      height: 140,
      layer: [
        {
          mark: { type: 'rule', opacity: 0, aria: false },
          encoding: { y: { field: 'extent', type: 'quantitative', title: null, axis: { labelExpr: COUNT_LABEL_EXPR } } },
        },
        {
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x,
            color,
            strokeDash: dash,
            y: { field: 'mean', type: 'quantitative', title: null, axis: { labelExpr: COUNT_LABEL_EXPR } },
          },
        },
        // The band comes after the line so the legend is drawn from the line (colour, dash), not the pale band.
        {
          mark: { type: 'area', opacity: 0.15 },
          encoding: { x, color, y: { field: 'low', type: 'quantitative', title: null }, y2: { field: 'high' } },
        },
        {
          mark: { type: 'point', filled: true, size: 42, opacity: 1 },
          encoding: {
            x,
            color,
            shape,
            y: { field: 'mean', type: 'quantitative', title: null },
            tooltip: [{ field: 'attack' }, { field: 'value' }, { field: 'mean', format: '.3~r' }],
          },
        },
      ],
    },
  };
}

/** Share of an axis's extent within which trade-off labels merge into one. */
const LABEL_MERGE = 0.06;

/** One point of the risk/cost trade-off: a swept value's mean risk against its mean cost. */
export interface TradeoffPoint {
  readonly value: string;
  readonly order: number;
  readonly attack: string;
  readonly cost: number;
  readonly risk: number;
}

/** Risk (y) against cost (x), one labelled point per swept value, joined in value order: the knee a team picks from. */
export function tradeoffSpec(
  points: readonly TradeoffPoint[],
  options: { readonly xTitle: string; readonly yTitle: string; readonly attacks: readonly string[] },
): TopLevelSpec {
  const color = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: PALETTE.slice(1).concat(PALETTE.slice(0, 1)) },
  } as const;
  const dash = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: DASHES },
  } as const;
  const shape = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: SHAPES },
  } as const;
  const x = { field: 'cost', type: 'quantitative', title: options.xTitle, axis: { labelExpr: COUNT_LABEL_EXPR } } as const;
  const y = { field: 'risk', type: 'quantitative', title: options.yTitle, axis: { labelExpr: COUNT_LABEL_EXPR } } as const;
  // Values that land on (or next to) the same point — a plateau of the curve — share one label,
  // "1h, 4h, 1d", at the first of them, instead of printing over each other. "Next to" is within
  // LABEL_MERGE of the data's extent on each axis (the y axis starts at 0).
  const costs = points.map((p) => p.cost);
  const spanX = Math.max(...costs, 0) - Math.min(...costs, 0) || 1;
  const spanY = Math.max(...points.map((p) => p.risk), 0) || 1;
  const labels: { cost: number; risk: number; values: string[] }[] = [];
  for (const p of [...points].sort((a, b) => a.order - b.order)) {
    const near = labels.find(
      (l) => Math.abs(l.cost - p.cost) <= LABEL_MERGE * spanX && Math.abs(l.risk - p.risk) <= LABEL_MERGE * spanY,
    );
    if (near === undefined) labels.push({ cost: p.cost, risk: p.risk, values: [p.value] });
    else if (!near.values.includes(p.value)) near.values.push(p.value);
  }
  const labelRows = labels.map((l) => ({ cost: l.cost, risk: l.risk, label: l.values.join(', ') }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 420,
    height: 260,
    data: { values: [...points] },
    layer: [
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, strokeDash: dash, order: { field: 'order' } } },
      {
        mark: { type: 'point', filled: true, size: 60, opacity: 1 },
        encoding: {
          x,
          y,
          color,
          shape,
          tooltip: [
            { field: 'attack' },
            { field: 'value' },
            { field: 'cost', format: '.3~r' },
            { field: 'risk', format: '.3~r' },
          ],
        },
      },
      {
        data: { values: labelRows },
        mark: { type: 'text', dx: 6, dy: -8, align: 'left', fontSize: 11, color: '#334155' },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
}
