/** Writes a report's three outputs from one content model: charts/*.svg, report.md and report.html. */
import { join } from 'node:path';
import type { Block, Chart, Facts, ReportFiles, TocEntry } from './content.js';
import { writeFileAtomic } from '../io/atomic.js';
import { toHtml } from './html.js';
import { toMarkdown } from './markdown.js';

/** Writes charts/*.svg, report.md and report.html into `dir` (each file atomically). */
export async function writeDocuments(
  dir: string,
  title: string,
  facts: Facts,
  toc: readonly TocEntry[],
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
