/**
 * The report's content model: blocks of text, tables and charts that the Markdown and HTML renderers
 * (markdown.ts, html.ts) both draw, and the small cell builders the run and sweep reports share.
 */
import type { SummaryRow } from '../metrics/summary.js';
import { EMPTY, humanCount, humanReduction } from './human.js';

/** Files written by a report. */
export interface ReportFiles {
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly string[];
}

/** One block of report content, rendered both to Markdown and to HTML. */
export type Block =
  | { readonly kind: 'heading'; readonly level: 2 | 3; readonly text: string; readonly id: string }
  | { readonly kind: 'paragraph'; readonly inline: readonly Inline[] }
  | { readonly kind: 'tags'; readonly groups: readonly { readonly label: string; readonly ids: readonly string[] }[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | {
      readonly kind: 'table';
      readonly caption: string;
      readonly head: readonly string[];
      readonly rows: readonly (readonly TableCell[])[];
      readonly numeric: readonly boolean[];
    }
  | { readonly kind: 'charts'; readonly charts: readonly Chart[] }
  | { readonly kind: 'note'; readonly inline: readonly Inline[] };

/** Inline text inside a paragraph, list item or note. */
export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'strong'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

/** One table cell: its text, an optional second line (CI, "baseline") and a tone. */
export interface TableCell {
  readonly text: string;
  readonly sub?: string;
  readonly tone?: 'good' | 'bad' | 'muted';
}

/** One chart: its file under charts/, title, caption and SVG text. */
export interface Chart {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

/** Free-form facts shown under the title. */
export type Facts = readonly (readonly [string, string])[];

/** A table-of-contents entry. */
export interface TocEntry {
  readonly text: string;
  readonly id: string;
}

/** Inline builders. */
export const text = (t: string): Inline => ({ kind: 'text', text: t });
export const strong = (t: string): Inline => ({ kind: 'strong', text: t });
export const code = (t: string): Inline => ({ kind: 'code', text: t });

/** The "How to read this report" section, shared by run and sweep reports (`noTrials`: a `run --no-trials` report). */
export function methods(options: { readonly noTrials?: boolean } = {}): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'How to read this report', id: 'methods' },
    {
      kind: 'list',
      items: [
        [
          strong('Blast radius'),
          text(
            ': sum of the sensitivity weights of the resources the attacker acted on (public 0, internal 1, confidential 3, regulated 10 unless the scenario overrides them).',
          ),
        ],
        [
          strong('Exposure window'),
          text(': time during which the attacker held at least one valid credential (or could mint one).'),
        ],
        [
          strong('Access window'),
          text(
            ': time during which the attacker could act on at least one resource by any means: credentials it held, nodes it controlled, or tools acting for it. A hijacked agent driving a tool that holds a database password has no exposure window but a full access window.',
          ),
        ],
        [
          strong('Confidence intervals'),
          text(
            ': 95%. Student-t interval of the mean (lower end clipped at 0: every metric is non-negative) for every metric except attack success, which uses the Wilson score interval for a proportion. Empty cells (—) mean the value is undefined, e.g. never contained.',
          ),
        ],
        [
          strong('Reduction'),
          text(': (baseline mean − policy mean) / baseline mean. ↓ means lower than the baseline, ↑ higher.'),
        ],
        options.noTrials === true
          ? [
              text('Every number comes from '),
              code('summary.csv'),
              text(' and '),
              code('comparison.csv'),
              text(' in the same folder, computed from the mergeable summaries in '),
              code('summaries.json'),
              text(
                ' (run with --no-trials: no per-trial values were kept; p50 and p95 are within 0.1% once a metric has more than 2,048 distinct values).',
              ),
            ]
          : [
              text('Every number comes from '),
              code('summary.csv'),
              text(' and '),
              code('comparison.csv'),
              text(' in the same folder; per-trial values are in '),
              code('trials.csv'),
              text('.'),
            ],
      ],
    },
  ];
}

/** A summary row's mean with its CI as a table cell (muted dash when empty). */
export function summaryCell(row: SummaryRow | undefined, render: (v: number | null) => string): TableCell {
  if (row === undefined || row.mean === null) return { text: EMPTY, tone: 'muted' };
  return meanCell(row.mean, row.ci95_low, row.ci95_high, render);
}

/** A mean with its CI as a table cell. */
export function meanCell(
  mean: number | null,
  low: number | null,
  high: number | null,
  render: (v: number | null) => string,
): TableCell {
  if (mean === null) return { text: EMPTY, tone: 'muted' };
  if (low === null || high === null) return { text: render(mean) };
  return { text: render(mean), sub: `[${render(low)}, ${render(high)}]` };
}

/** A reduction as ↓/↑ with a good/bad tone. */
export function reductionTableCell(reduction: number | null): TableCell {
  const t = humanReduction(reduction);
  if (reduction === null || t === '=' || t === EMPTY) return { text: t, tone: 'muted' };
  return { text: t, tone: reduction > 0 ? 'good' : 'bad' };
}

/** True for an http(s) URL, which the report links. */
export function isWebUrl(value: string): boolean {
  return /^https?:\/\/[^\s"'<>]+$/i.test(value);
}

/** An HTML id for a heading. */
export function anchor(value: string): string {
  return `s-${value.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`;
}

/** A file-name-safe form of a name. */
export function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
}

/** The distinct values in first-seen order. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** A count with an explicit sign (`+3.6k`, `-2`, `0`). */
export function signed(value: number): string {
  if (value === 0) return '0';
  return value > 0 ? `+${humanCount(value)}` : humanCount(value);
}
