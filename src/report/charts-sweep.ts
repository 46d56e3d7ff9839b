/**
 * Sweep charts: small multiples of risk and cost against the swept value, and the risk/cost curve.
 * Vega-lite specs rendered by `renderSvg` (charts.ts) like the run report's charts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { COUNT_LABEL_EXPR, LABEL_CHAR_PX, PALETTE, legendColumns } from './charts.js';

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
  // The panels sit three abreast: the legend may use that width.
  const columns = legendColumns(options.attacks, 3 * PANEL_WIDTH);
  const dash = attackChannel(options.attacks, DASHES, columns);
  const shape = attackChannel(options.attacks, SHAPES, columns);
  const color = {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...options.attacks],
    scale: { domain: [...options.attacks], range: PALETTE.slice(1).concat(PALETTE.slice(0, 1)) },
    // Legend swatches in the line's full colour, never the band's transparency.
    legend: { symbolOpacity: 1, symbolStrokeWidth: 2, columns },
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

/** Trade-off plot size in pixels. */
const TRADEOFF_WIDTH = 420;
const TRADEOFF_HEIGHT = 260;

/** Points closer than this (pixels, on both axes) share one label. */
const LABEL_MERGE_PX = 10;

/** Estimated width of one character and height of a line of an 11px label, in pixels (generous, like vega's estimate). */
const LABEL_LINE_H = 13;

/**
 * Where a point's label may go, in order of preference: above right, below right, above left, below
 * left, then further above and below. Offsets in pixels from the point; `align` of the text.
 */
const LABEL_SPOTS = [
  { dx: 6, dy: -8, align: 'left' },
  { dx: 6, dy: 14, align: 'left' },
  { dx: -6, dy: -8, align: 'right' },
  { dx: -6, dy: 14, align: 'right' },
  { dx: 6, dy: -22, align: 'left' },
  { dx: 6, dy: 28, align: 'left' },
] as const;

interface PixelBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

const boxesOverlap = (a: PixelBox, b: PixelBox): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** A label's box at a spot: the text's baseline sits `dy` below the point, it extends right (left) from `dx`. */
function labelBox(px: number, py: number, text: string, spot: (typeof LABEL_SPOTS)[number]): PixelBox {
  const w = text.length * LABEL_CHAR_PX;
  const x = px + spot.dx;
  const base = py + spot.dy;
  return {
    x1: spot.align === 'left' ? x : x - w,
    x2: spot.align === 'left' ? x + w : x,
    y1: base - LABEL_LINE_H + 3,
    y2: base + 3,
  };
}

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
  const columns = legendColumns(options.attacks, TRADEOFF_WIDTH);
  const color = attackChannel(options.attacks, ATTACK_COLOURS, columns);
  const dash = attackChannel(options.attacks, DASHES, columns);
  const shape = attackChannel(options.attacks, SHAPES, columns);
  // The axes start at 0 and end at the data's maximum (5% headroom), so a point's pixel position is known
  // here and the labels can be placed without running into each other.
  const maxX = Math.max(0, ...points.map((p) => p.cost)) * 1.05 || 1;
  const maxY = Math.max(0, ...points.map((p) => p.risk)) * 1.05 || 1;
  const px = (cost: number): number => (cost / maxX) * TRADEOFF_WIDTH;
  const py = (risk: number): number => TRADEOFF_HEIGHT - (risk / maxY) * TRADEOFF_HEIGHT;
  const x = {
    field: 'cost',
    type: 'quantitative',
    title: options.xTitle,
    scale: { domain: [0, maxX] as number[], nice: false },
    axis: { labelExpr: COUNT_LABEL_EXPR, tickCount: 6 },
  } as const;
  const y = {
    field: 'risk',
    type: 'quantitative',
    title: options.yTitle,
    scale: { domain: [0, maxY] as number[], nice: false },
    axis: { labelExpr: COUNT_LABEL_EXPR, tickCount: 6 },
  } as const;
  // Values that land on (or next to) the same point — a plateau of the curve — share one label,
  // "1h, 4h, 1d", at the first of them, instead of printing over each other.
  const labels: { cost: number; risk: number; values: string[] }[] = [];
  for (const p of [...points].sort((a, b) => a.order - b.order)) {
    const near = labels.find(
      (l) => Math.abs(px(l.cost) - px(p.cost)) <= LABEL_MERGE_PX && Math.abs(py(l.risk) - py(p.risk)) <= LABEL_MERGE_PX,
    );
    if (near === undefined) labels.push({ cost: p.cost, risk: p.risk, values: [p.value] });
    else if (!near.values.includes(p.value)) near.values.push(p.value);
  }
  // Each label takes the first spot that clears the labels placed before it and every point's marker.
  const taken: PixelBox[] = points.map((p) => ({
    x1: px(p.cost) - 5,
    x2: px(p.cost) + 5,
    y1: py(p.risk) - 5,
    y2: py(p.risk) + 5,
  }));
  const labelRows = labels.map((l) => {
    const text = l.values.join(', ');
    const fits = LABEL_SPOTS.map((spot, index) => ({ index, box: labelBox(px(l.cost), py(l.risk), text, spot) })).filter(
      ({ box }) => box.x1 >= 0 && box.y1 >= -LABEL_LINE_H,
    );
    const chosen = fits.find(({ box }) => !taken.some((t) => boxesOverlap(t, box))) ?? fits[0] ?? { index: 0, box: null };
    if (chosen.box !== null) taken.push(chosen.box);
    return { cost: l.cost, risk: l.risk, label: text, spot: chosen.index };
  });
  const labelLayers = LABEL_SPOTS.flatMap((spot, index) => {
    const rows = labelRows.filter((r) => r.spot === index).map(({ cost, risk, label }) => ({ cost, risk, label }));
    return rows.length === 0
      ? []
      : [
          {
            data: { values: rows },
            mark: { type: 'text', dx: spot.dx, dy: spot.dy, align: spot.align, fontSize: 11, color: '#334155' },
            encoding: { x, y, text: { field: 'label' } },
          } as const,
        ];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: TRADEOFF_WIDTH,
    height: TRADEOFF_HEIGHT,
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
      ...labelLayers,
    ],
  };
}

/** Attack colours: the palette from its second colour (the first goes to the baseline elsewhere). */
const ATTACK_COLOURS = PALETTE.slice(1).concat(PALETTE.slice(0, 1));

/** One nominal channel (colour, dash or shape) by attack, in the given order, with its legend in `columns`. */
function attackChannel<R>(attacks: readonly string[], range: readonly R[], columns: number) {
  return {
    field: 'attack',
    type: 'nominal',
    title: 'attack',
    sort: [...attacks],
    scale: { domain: [...attacks], range: [...range] },
    legend: { columns },
  } as const;
}
