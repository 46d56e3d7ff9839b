/**
 * The terminal comparison table. Two layouts over the same cells:
 * - `wide`: one line per scenario × attack, a block of key metrics per policy, then the blast-radius
 *   reduction of each non-baseline policy against the baseline;
 * - `long`: one line per scenario × attack × policy (fits one screen for many scenarios);
 * - `auto` (default): wide when it fits `width`, else long, else (narrow terminals) compact: one line
 *   per scenario × attack, then each policy's values as `label value` pairs wrapped at `width`.
 * Column widths come from the cell texts, so the same results give the same table. Colour (picocolors)
 * only when the caller says so: the CLI decides from `isTTY`; nothing here looks at the terminal.
 */
import pc from 'picocolors';
import type { Metric } from '../domain/metrics.js';
import { reductionPct } from '../metrics/comparison.js';
import type { SummaryRow } from '../metrics/summary.js';
import { EMPTY, humanCount, humanPercent, humanReduction, humanSeconds } from './human.js';
import { SummaryIndex, baselineOf } from './lookup.js';

/** Options of `renderTable`. */
export interface TableOptions {
  /** ANSI colours (the CLI passes `process.stdout.isTTY`). */
  readonly color: boolean;
  readonly layout?: 'auto' | 'wide' | 'long';
  /** Terminal width for `auto` (default 120). */
  readonly width?: number;
  /** Scenario → baseline policy (default: its first policy). */
  readonly baselineByScenario?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

/** The key metrics shown per policy, with their header and renderer. */
const KEY_COLUMNS: readonly {
  readonly metric: Metric;
  readonly header: string;
  readonly render: (v: number | null) => string;
}[] = [
  { metric: 'attack_success', header: 'success', render: humanPercent },
  { metric: 'resources_reached', header: 'reached', render: humanCount },
  { metric: 'blast_radius', header: 'blast', render: humanCount },
  { metric: 'records_exposed', header: 'records', render: humanCount },
  { metric: 'exposure_window_s', header: 'exposure', render: humanSeconds },
  { metric: 'tokens_issued', header: 'tokens', render: humanCount },
  { metric: 'tasks_failed', header: 'failed', render: humanCount },
];

type Align = 'left' | 'right';
interface Cell {
  readonly text: string;
  readonly style?: (s: string) => string;
}

/** Renders the comparison table (no trailing newline). */
export function renderTable(summary: Iterable<SummaryRow>, options: TableOptions): string {
  const index = new SummaryIndex(summary);
  const layout = options.layout ?? 'auto';
  if (layout === 'long') return renderLong(index, options);
  const wide = renderWide(index, options);
  if (layout === 'wide') return wide;
  const width = options.width ?? 120;
  const fits = (text: string): boolean => text.split('\n').every((line) => [...stripAnsi(line)].length <= width);
  if (fits(wide)) return wide;
  const long = renderLong(index, options);
  return fits(long) ? long : renderCompact(index, options, width);
}

/**
 * The layout for narrow terminals: a heading line per scenario × attack, then per policy its name and
 * `label value` pairs, wrapped at `width` (a pair is never split).
 */
function renderCompact(index: SummaryIndex, options: TableOptions, width: number): string {
  const c = colors(options.color);
  const lines: string[] = [];
  for (const shape of index.shapes) {
    const baseline = baselineOf(shape, options.baselineByScenario);
    for (const attack of shape.attacks) {
      if (lines.length > 0) lines.push('');
      lines.push(c.bold(`${shape.scenario} · ${attack}`));
      for (const policy of shape.policies) {
        lines.push(`  ${policy === baseline ? c.dim(`${policy} (baseline)`) : policy}`);
        const pairs = KEY_COLUMNS.map((k) => `${k.header} ${k.render(index.mean(shape.scenario, policy, attack, k.metric))}`);
        if (policy !== baseline) {
          const reduction = reductionCell(
            reductionPct(
              index.mean(shape.scenario, baseline, attack, 'blast_radius'),
              index.mean(shape.scenario, policy, attack, 'blast_radius'),
            ),
            c,
          );
          pairs.push(`Δ blast ${style(reduction, reduction.text)}`);
        }
        let line = '';
        for (const pair of pairs) {
          const next = line === '' ? `    ${pair}` : `${line} · ${pair}`;
          if (line !== '' && [...stripAnsi(next)].length > width) {
            lines.push(line);
            line = `    ${pair}`;
          } else line = next;
        }
        lines.push(line);
      }
    }
  }
  return lines.join('\n');
}

function renderLong(index: SummaryIndex, options: TableOptions): string {
  const c = colors(options.color);
  const header: Cell[] = ['scenario', 'attack', 'policy', ...KEY_COLUMNS.map((k) => k.header), 'Δ blast'].map((text) => ({
    text,
    style: c.bold,
  }));
  const align: Align[] = ['left', 'left', 'left', ...KEY_COLUMNS.map((): Align => 'right'), 'right'];
  const body: Cell[][] = [];
  const separators = new Set<number>();
  for (const shape of index.shapes) {
    const baseline = baselineOf(shape, options.baselineByScenario);
    if (body.length > 0) separators.add(body.length);
    shape.attacks.forEach((attack, ai) => {
      shape.policies.forEach((policy, pi) => {
        const first = ai === 0 && pi === 0;
        const reduction = reductionPct(
          index.mean(shape.scenario, baseline, attack, 'blast_radius'),
          index.mean(shape.scenario, policy, attack, 'blast_radius'),
        );
        body.push([
          { text: first ? shape.scenario : '' },
          { text: pi === 0 ? attack : '' },
          policy === baseline ? { text: `${policy} (baseline)`, style: c.dim } : { text: policy },
          ...KEY_COLUMNS.map((k) => ({ text: k.render(index.mean(shape.scenario, policy, attack, k.metric)) })),
          policy === baseline ? { text: '' } : reductionCell(reduction, c),
        ]);
      });
    });
  }
  return layoutRows([header], body, align, separators, c);
}

function renderWide(index: SummaryIndex, options: TableOptions): string {
  const c = colors(options.color);
  // Policies are columns, so scenarios with different policy sets get a header each.
  const blocks: string[] = [];
  for (const shape of index.shapes) {
    const baseline = baselineOf(shape, options.baselineByScenario);
    const others = shape.policies.filter((p) => p !== baseline);
    const top: Cell[] = [{ text: '' }, { text: '' }];
    const sub: Cell[] = [
      { text: 'scenario', style: c.bold },
      { text: 'attack', style: c.bold },
    ];
    const align: Align[] = ['left', 'left'];
    const groupStarts: number[] = [];
    for (const policy of shape.policies) {
      groupStarts.push(sub.length);
      KEY_COLUMNS.forEach((k, i) => {
        top.push(i === 0 ? { text: policy === baseline ? `${policy} (baseline)` : policy, style: c.bold } : { text: '' });
        sub.push({ text: k.header, style: c.dim });
        align.push('right');
      });
    }
    others.forEach((policy, i) => {
      if (i === 0) groupStarts.push(sub.length);
      top.push(i === 0 ? { text: 'Δ blast vs baseline', style: c.bold } : { text: '' });
      sub.push({ text: policy, style: c.dim });
      align.push('right');
    });
    const body: Cell[][] = shape.attacks.map((attack, ai) => [
      { text: ai === 0 ? shape.scenario : '' },
      { text: attack },
      ...shape.policies.flatMap((policy) =>
        KEY_COLUMNS.map((k) => ({ text: k.render(index.mean(shape.scenario, policy, attack, k.metric)) })),
      ),
      ...others.map((policy) =>
        reductionCell(
          reductionPct(
            index.mean(shape.scenario, baseline, attack, 'blast_radius'),
            index.mean(shape.scenario, policy, attack, 'blast_radius'),
          ),
          c,
        ),
      ),
    ]);
    blocks.push(layoutRows([top, sub], body, align, new Set(), c, new Set(groupStarts)));
  }
  return blocks.join('\n\n');
}

function reductionCell(reduction: number | null, c: Colors): Cell {
  const text = humanReduction(reduction);
  if (reduction === null || text === '=' || text === EMPTY) return { text };
  return { text, style: reduction > 0 ? c.green : c.red };
}

/** Pads every column to its widest plain text; styles are applied after padding so ANSI codes do not count. */
function layoutRows(
  headers: readonly Cell[][],
  body: readonly Cell[][],
  align: readonly Align[],
  separatorsBefore: ReadonlySet<number>,
  c: Colors,
  groupStarts: ReadonlySet<number> = new Set(),
): string {
  // Spanning header rows (all but the last) do not size columns; they may widen a block below.
  const all = [...headers.slice(-1), ...body];
  const columns = align.length;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...all.map((r) => [...(r[i]?.text ?? '')].length)));
  // In the wide layout a policy name spans its block: widen the block's last column if the name is longer.
  for (const header of headers.slice(0, -1)) {
    header.forEach((cell, i) => {
      if (!groupStarts.has(i) || cell.text === '') return;
      let end = i + 1;
      while (end < columns && !groupStarts.has(end)) end++;
      const span = widths.slice(i, end).reduce((a, b) => a + b, 0) + 2 * (end - i - 1);
      const need = [...cell.text].length - span;
      if (need > 0) widths[end - 1] = (widths[end - 1] ?? 0) + need;
    });
  }
  const gap = (i: number): string => (i === 0 ? '' : groupStarts.has(i) ? ' │ ' : '  ');
  const renderRow = (row: readonly Cell[], spanning: boolean): string => {
    let line = '';
    for (let i = 0; i < columns; i++) {
      const cell = row[i] ?? { text: '' };
      const width = widths[i] ?? 0;
      let text = cell.text;
      if (spanning && groupStarts.has(i) && text !== '') {
        // A block title: left-aligned over its whole block.
        let end = i + 1;
        while (end < columns && !groupStarts.has(end)) end++;
        const span = widths.slice(i, end).reduce((a, b) => a + b, 0) + 2 * (end - i - 1);
        line += gap(i) + style(cell, pad(text, span, 'left'));
        i = end - 1;
        continue;
      }
      text = pad(text, width, align[i] ?? 'left');
      line += gap(i) + style(cell, text);
    }
    return line.trimEnd();
  };
  const lines: string[] = [];
  headers.forEach((h, i) => lines.push(renderRow(h, i < headers.length - 1)));
  const ruleWidth = Math.max(...lines.map((l) => stripAnsi(l).length));
  lines.push(c.dim('─'.repeat(ruleWidth)));
  body.forEach((row, i) => {
    if (separatorsBefore.has(i)) lines.push(c.dim('─'.repeat(ruleWidth)));
    lines.push(renderRow(row, false));
  });
  return lines.join('\n');
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - [...text].length));
  return align === 'left' ? text + fill : fill + text;
}

function style(cell: Cell, text: string): string {
  return cell.style === undefined || cell.text === '' ? text : cell.style(text);
}

interface Colors {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
}

function colors(enabled: boolean): Colors {
  const p = pc.createColors(enabled);
  return { bold: p.bold, dim: p.dim, green: p.green, red: p.red };
}

/** Removes ANSI escape sequences (for width checks and tests). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
