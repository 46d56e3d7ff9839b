/**
 * Report charts: vega-lite specs compiled to vega and rendered to SVG strings in Node (headless view,
 * `renderer: 'none'`). No hand-built SVG: the specs below are the whole drawing. Every chart takes
 * plain rows, so the same SVG goes into report.html (inline) and next to report.md (charts/*.svg).
 * Titles live in the documents (figure captions), not in the SVG: without a canvas, vega estimates text
 * widths generously and a long in-chart title would pad the picture with blank space.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Font stack shared with the report's CSS so charts and text match. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Series colours: the baseline (first) in slate, the others in distinguishable hues (colour-blind safe). */
export const PALETTE = ['#64748b', '#2563eb', '#0d9488', '#d97706', '#c026d3', '#dc2626', '#4d7c0f', '#0891b2'];

const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelColor: '#334155',
    titleColor: '#0f172a',
    titleFontWeight: 600,
    labelFontSize: 11,
    titleFontSize: 12,
    gridColor: '#e2e8f0',
    domainColor: '#94a3b8',
    tickColor: '#94a3b8',
  },
  legend: {
    labelColor: '#334155',
    titleColor: '#0f172a',
    labelFontSize: 11,
    titleFontSize: 12,
    orient: 'bottom',
    // Names are never cut ("role-15m-no-reeva…"): legends wrap into columns instead (see `legendColumns`).
    labelLimit: 0,
  },
  header: { labelFontSize: 12, labelFontWeight: 600, labelColor: '#0f172a', titleFontSize: 12 },
  title: { fontSize: 14, fontWeight: 600, color: '#0f172a', anchor: 'start', subtitleColor: '#475569', subtitleFontSize: 11 },
} as const;

/** Renders a vega-lite spec to an SVG string; element ids get `idPrefix` so several SVGs can share one page. */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Makes `id="x"` / `url(#x)` / `href="#x"` references unique per chart (inline SVGs share one id space).
 * vega numbers clip paths and gradients from counters shared by the whole process (`clip159` in the
 * tenth chart): they are renumbered per chart in order of first use, so a chart's bytes depend on its
 * spec only, not on what this process drew before it (two runs through the API in one process, or a
 * report drawn after another, give the same files as the CLI).
 */
function prefixIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '-');
  const renumbered = new Map<string, string>();
  const counts = new Map<string, number>();
  return svg
    .replace(/(id="|url\(#|href="#)(clip|gradient_)(\d+)(?=[")])/g, (_, before: string, kind: string, n: string) => {
      let id = renumbered.get(kind + n);
      if (id === undefined) {
        const count = (counts.get(kind) ?? 0) + 1;
        counts.set(kind, count);
        id = `${kind}${count}`;
        renumbered.set(kind + n, id);
      }
      return before + id;
    })
    .replace(/\bid="([^"]+)"/g, `id="${safe}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${safe}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${safe}-$1"`);
}

/**
 * Vega expression rendering `datum.value` like the tables' counts: 3 significant digits, k / M / G
 * suffixes from 1000, no run of trailing zeros, `0` for 0 (`0.5`, `12.3`, `0.0000001`, `4.2k`). An
 * axis whose data are all 0 otherwise prints `0.000000`.
 */
export const COUNT_LABEL_EXPR =
  "datum.value == 0 ? '0' : abs(datum.value) >= 1000 ? format(datum.value, '.3~s') : format(datum.value, '.3~r')";

/** Estimated pixel width of one character of an 11px label (generous: vega's own estimate is about 6.2). */
export const LABEL_CHAR_PX = 6.5;

/**
 * Vega's own width estimate per character of an 11px label without a canvas (0.8 × font size): the
 * bounds it lays out and the SVG's size use it, so room reserved for labels is counted with it.
 */
const VEGA_CHAR_PX = 0.8 * 11;

/**
 * Columns of a bottom legend so its full names fit about the chart's width: as many as fit, at least
 * one (then one name per line), never more than there are names.
 */
export function legendColumns(names: readonly string[], chartWidth: number): number {
  const entry = Math.max(0, ...names.map((n) => n.length)) * LABEL_CHAR_PX + 30;
  return Math.max(1, Math.min(names.length, Math.floor(chartWidth / entry)));
}

/** A mean with its 95% CI, for one attack under one policy. */
export interface MeanPoint {
  readonly attack: string;
  readonly policy: string;
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** Grouped bars of a metric's mean per attack and policy, with 95% CI error bars. */
export function meanBarsSpec(
  points: readonly MeanPoint[],
  options: { readonly yTitle: string; readonly policies: readonly string[]; readonly attacks: readonly string[] },
): TopLevelSpec {
  const values = points.filter((p) => p.mean !== null).map((p) => ({ ...p, low: p.low ?? p.mean, high: p.high ?? p.mean }));
  // Attack names are never truncated: they wrap at hyphens onto several lines when there are several attacks.
  const x = {
    field: 'attack',
    type: 'nominal',
    title: null,
    sort: [...options.attacks],
    axis: attackAxis(options.attacks),
  } as const;
  const xOffset = { field: 'policy', type: 'nominal', sort: [...options.policies] } as const;
  // Wide enough for the bars and for every attack's label (its longest line) under its group.
  const width = Math.max(
    220,
    Math.min(340, options.attacks.length * options.policies.length * 44),
    options.attacks.length * (attackLabelChars(options.attacks) * VEGA_CHAR_PX + 10),
  );
  const color = {
    field: 'policy',
    type: 'nominal',
    title: 'policy',
    sort: [...options.policies],
    scale: { domain: [...options.policies], range: PALETTE.slice(0, Math.max(1, options.policies.length)) },
    legend: { columns: legendColumns(options.policies, width) },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
        encoding: {
          x,
          xOffset,
          color,
          y: { field: 'mean', type: 'quantitative', title: options.yTitle, axis: { labelExpr: COUNT_LABEL_EXPR } },
          tooltip: [{ field: 'policy' }, { field: 'attack' }, { field: 'mean', format: '.3~r' }],
        },
      },
      {
        mark: { type: 'rule', color: '#0f172a', strokeWidth: 1.2 },
        encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      {
        mark: { type: 'tick', color: '#0f172a', thickness: 1.2, size: 8, orient: 'horizontal' },
        encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' } },
      },
      {
        mark: { type: 'tick', color: '#0f172a', thickness: 1.2, size: 8, orient: 'horizontal' },
        encoding: { x, xOffset, y: { field: 'high', type: 'quantitative' } },
      },
      // A mean of 0 draws no bar: a thick stroke in the policy's colour on the baseline says "0", not "missing".
      {
        transform: [{ filter: 'datum.mean == 0' }],
        mark: { type: 'tick', thickness: 3, orient: 'horizontal', opacity: 1 },
        encoding: { x, xOffset, color, y: { field: 'mean', type: 'quantitative' } },
      },
    ],
  };
}

/** A band axis of attack names that never truncates them: long names wrap at hyphens when several share the axis. */
function attackAxis(attacks: readonly string[]): Record<string, unknown> {
  if (!wrapsAttacks(attacks)) return { labelAngle: 0, labelLimit: 0 };
  return { labelAngle: 0, labelLimit: 0, labelExpr: "split(replace(datum.label, /-/g, '-\\n'), '\\n')", labelLineHeight: 13 };
}

/** Whether the attack axis wraps names at hyphens (several attacks, some name longer than 12 characters). */
function wrapsAttacks(attacks: readonly string[]): boolean {
  return attacks.length > 1 && attacks.some((a) => a.length > 12);
}

/** Characters in the longest line of an attack label: the longest hyphen-separated part (with its hyphen) when wrapped. */
function attackLabelChars(attacks: readonly string[]): number {
  const lines = wrapsAttacks(attacks) ? attacks.flatMap((a) => a.split(/(?<=-)/)) : attacks;
  return Math.max(0, ...lines.map((l) => l.length));
}

/** The five numbers a box plot draws, in seconds. */
export interface BoxStats {
  readonly attack: string;
  readonly policy: string;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly n: number;
}

/** Exposure box plot width in pixels. */
const BOX_WIDTH = 330;

/** Tick positions for a duration axis, in seconds: round durations a reader knows. */
const DURATION_TICKS_S = [0, 60, 600, 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400, 365 * 86_400];

/**
 * Symlog constant of the exposure axis, in seconds: linear below it, logarithmic above. 10 s puts 0 a
 * clear step left of 1m (a sixth of the axis), so trials where the attacker never held a credential
 * stand apart from short exposures instead of collapsing onto the first tick.
 */
const EXPOSURE_SYMLOG_CONSTANT_S = 10;

/** Vega expression rendering `datum.value` (seconds) as `45s` / `10m` / `6h` / `7d`. */
const DURATION_LABEL_EXPR =
  "datum.value >= 86400 ? format(datum.value / 86400, '.3~') + 'd' : datum.value >= 3600 ? format(datum.value / 3600, '.3~') + 'h' : datum.value >= 60 ? format(datum.value / 60, '.3~') + 'm' : format(datum.value, '.3~') + 's'";

/**
 * Horizontal box plots (min–max whiskers, quartile box, median tick and dot) of a duration metric in
 * seconds, per attack and policy. The axis is symmetric-log: exposure windows span minutes (short TTLs)
 * to weeks (standing secrets), and a linear axis would flatten the short ones into the origin; 0 (never
 * held) keeps its own place left of 1m. The median dot in the policy's colour keeps a zero-width box
 * (every trial 0) visible and tells whose it is.
 */
export function boxPlotSpec(
  boxes: readonly BoxStats[],
  options: { readonly policies: readonly string[]; readonly attacks: readonly string[] },
): TopLevelSpec {
  // At least 0 and 1m, so an all-zero chart still has an axis with 0 at its left end.
  const max = Math.max(1, ...boxes.map((b) => b.max));
  const ticks = DURATION_TICKS_S.filter(
    (t, i) => t <= max || DURATION_TICKS_S[i - 1] === undefined || (DURATION_TICKS_S[i - 1] ?? 0) < max,
  );
  const values = boxes.map((b) => ({ ...b }));
  const y = { field: 'attack', type: 'nominal', title: null, sort: [...options.attacks], axis: { labelLimit: 0 } } as const;
  const yOffset = { field: 'policy', type: 'nominal', sort: [...options.policies] } as const;
  const color = {
    field: 'policy',
    type: 'nominal',
    title: 'policy',
    sort: [...options.policies],
    scale: { domain: [...options.policies], range: PALETTE.slice(0, Math.max(1, options.policies.length)) },
    legend: { columns: legendColumns(options.policies, BOX_WIDTH) },
  } as const;
  const x = {
    field: 'q1',
    type: 'quantitative' as const,
    title: 'exposure window (symmetric log scale)',
    scale: {
      type: 'symlog' as const,
      constant: EXPOSURE_SYMLOG_CONSTANT_S,
      domain: [0, ticks.at(-1) ?? 60],
      nice: false,
      padding: 6,
    },
    axis: { values: ticks, labelExpr: DURATION_LABEL_EXPR, grid: true },
  };
  const rows = options.attacks.length * options.policies.length;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: BOX_WIDTH,
    height: Math.max(120, rows * 24),
    data: { values },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 }, opacity: 0.9, stroke: '#0f172a', strokeWidth: 0.6 },
        encoding: {
          y,
          yOffset,
          color,
          x,
          x2: { field: 'q3' },
          tooltip: [
            { field: 'policy' },
            { field: 'attack' },
            { field: 'n' },
            { field: 'min', format: '.3~r' },
            { field: 'q1', format: '.3~r' },
            { field: 'median', format: '.3~r' },
            { field: 'q3', format: '.3~r' },
            { field: 'max', format: '.3~r' },
          ],
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.2 },
        encoding: { y, yOffset, color, x: { ...x, field: 'min' }, x2: { field: 'max' } },
      },
      {
        mark: { type: 'tick', color: '#0f172a', thickness: 2, orient: 'vertical' },
        encoding: { y, yOffset, x: { ...x, field: 'median' } },
      },
      {
        mark: { type: 'point', shape: 'circle', filled: true, size: 36, opacity: 1, stroke: '#0f172a', strokeWidth: 0.8 },
        encoding: { y, yOffset, color, x: { ...x, field: 'median' } },
      },
    ],
  };
}
