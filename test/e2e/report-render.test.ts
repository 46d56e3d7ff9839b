/**
 * Opens report.html in headless Chromium (Debian's `chromium` package; CI installs it with
 * `apt-get install -y chromium`), checks that every chart rendered with a non-zero size and that the page
 * made no network request, and saves a screenshot next to the report.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SummaryBuilder, orderOf } from '../../src/metrics/summary.js';
import { sweepRows } from '../../src/metrics/sweep.js';
import { writeReport, writeSweepReport } from '../../src/report/report.js';
import { policy, scenario, trialsFor } from '../report/fixtures.js';
import { removeTempDirs, tempDir } from '../tmp.js';

afterAll(removeTempDirs);

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
/** Said in the test name when the browser is missing, so a skipped run explains itself. */
const skipReason = hasChromium ? '' : ` (skipped: ${CHROMIUM} not installed; apt-get install -y chromium)`;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function renderAndMeasure(
  htmlPath: string,
  screenshot: string,
): Promise<{ boxes: { width: number; height: number }[]; requests: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const boxes = await page.$$eval('figure.chart > svg', (svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { width: r.width, height: r.height };
      }),
    );
    await page.screenshot({ path: screenshot, fullPage: true });
    return { boxes, requests };
  } finally {
    await browser.close();
  }
}

describe('report-render', () => {
  it.skipIf(!hasChromium)(`should render every chart of report.html in Chromium${skipReason}`, async () => {
    const scenarios = [
      scenario('ci-deploy-key', [
        policy('persistent'),
        policy('ephemeral-15m', { kind: 'ephemeral' }),
        policy('hybrid', { kind: 'hybrid' }),
      ]),
      scenario('support-agent', [policy('persistent'), policy('ephemeral-5m', { kind: 'ephemeral', ttlMs: 300_000 })]),
    ];
    const builder = new SummaryBuilder(orderOf(scenarios));
    for (const row of scenarios.flatMap(trialsFor)) builder.add(row);
    const dir = tempDir('blastlab-render-');
    const files = await writeReport(dir, {
      scenarios,
      summary: builder.rows(),
      samples: (s, p, a, m) => builder.values(s, p, a, m),
    });
    const shot = join(dir, 'report.png');
    const { boxes, requests } = await renderAndMeasure(files.html, shot);
    expect(boxes).toHaveLength(4);
    for (const b of boxes) {
      expect(b.width).toBeGreaterThan(100);
      expect(b.height).toBeGreaterThan(100);
    }
    expect(requests).toEqual([]);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env['BLASTLAB_KEEP_SCREENSHOT'] !== undefined) console.log(shot);
  });

  it.skipIf(!hasChromium)(`should render the sweep report's charts in Chromium${skipReason}`, async () => {
    const values = ['1m', '15m', '1h', '1d'];
    const rows = values.flatMap((value, i) => {
      const s = scenario('ci-deploy-key', [policy('ephemeral', { kind: 'ephemeral' })]);
      const b = new SummaryBuilder();
      for (const r of trialsFor(s)) {
        b.add({
          ...r,
          metrics: {
            ...r.metrics,
            blast_radius: (r.metrics.blast_radius ?? 0) * (i + 1) - r.trial,
            tokens_issued: 4000 / (i + 1) + r.trial,
          },
        });
      }
      return sweepRows(b.rows(), { policy: 'ephemeral', param: 'ttl', value });
    });
    const dir = tempDir('blastlab-render-sweep-');
    const files = await writeSweepReport(dir, { scenario: undefined, policy: 'ephemeral', param: 'ttl', values, rows });
    const shot = join(dir, 'sweep.png');
    const { boxes, requests } = await renderAndMeasure(files.html, shot);
    expect(boxes).toHaveLength(2);
    for (const b of boxes) expect(b.width * b.height).toBeGreaterThan(10_000);
    expect(requests).toEqual([]);
    if (process.env['BLASTLAB_KEEP_SCREENSHOT'] !== undefined) console.log(shot);
  });
});
