/**
 * Opens report.html in headless Chromium (Debian's `chromium` package; CI installs it with
 * `apt-get install -y chromium`), checks that every chart rendered with a non-zero size, that no two
 * texts of a chart (axis labels, titles, legend labels) overlap as the browser lays them out, that no
 * name is cut with an ellipsis, that every legend entry has a visible mark in the colour of a drawn series (not the pale CI band), and
 * that the page made no network request; saves a screenshot next to the report. Skips, saying why in
 * the test name, only when no chromium binary exists.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SummaryBuilder, orderOf } from '../../src/metrics/summary.js';
import { sweepRows } from '../../src/metrics/sweep.js';
import { writeReport, writeSweepReport } from '../../src/report/report.js';
import type { Scenario } from '../../src/domain/scenario.js';
import type { TrialRow } from '../../src/domain/metrics.js';
import { policy, scenario, trialsFor } from '../report/fixtures.js';
import { removeTempDirs, tempDir } from '../tmp.js';

afterAll(removeTempDirs);

/** Where a Chromium may be: `CHROMIUM_PATH` first, then the usual Debian/Ubuntu binaries. */
const CANDIDATES = [
  process.env['CHROMIUM_PATH'],
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].filter((p): p is string => p !== undefined && p !== '');
const CHROMIUM = CANDIDATES.find((p) => existsSync(p)) ?? '';
const hasChromium = CHROMIUM !== '';
/** Said in the test name when no browser exists, so a skipped run explains itself. */
const skipReason = hasChromium
  ? ''
  : ` (skipped: no chromium at ${CANDIDATES.join(', ')}; apt-get install -y chromium or set CHROMIUM_PATH)`;
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

/** A chart's text as the browser laid it out. */
interface TextBox {
  readonly text: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** One legend entry: its label and its symbol as drawn. */
interface LegendEntry {
  readonly label: string;
  readonly width: number;
  readonly height: number;
  readonly colours: readonly string[];
  readonly opacity: number;
}

/** What one chart drew: its size, its visible texts, its legend, and the colours of its opaque series marks. */
interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly texts: readonly TextBox[];
  readonly legend: readonly LegendEntry[];
  readonly seriesColours: readonly string[];
}

/** Pixels two text boxes may share before they count as overlapping (antialiasing, glyph overhang). */
const OVERLAP_TOLERANCE_PX = 1;

/** Pairs of texts in one chart whose boxes overlap by more than the tolerance on both axes. */
function overlappingTexts(texts: readonly TextBox[]): string[] {
  const out: string[] = [];
  const t = OVERLAP_TOLERANCE_PX;
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) {
      if (a.x1 < b.x2 - t && b.x1 < a.x2 - t && a.y1 < b.y2 - t && b.y1 < a.y2 - t) out.push(`"${a.text}" × "${b.text}"`);
    }
  });
  return out;
}

/** Legend entries without a visible mark in the colour of a series the chart draws opaquely. */
function badLegendEntries(chart: ChartLayout): string[] {
  return chart.legend.flatMap((e) => {
    const why: string[] = [];
    if (e.width < 4 || e.height < 4) why.push(`symbol ${e.width.toFixed(1)}×${e.height.toFixed(1)} px`);
    if (e.opacity < 0.5) why.push(`opacity ${e.opacity.toFixed(2)}`);
    if (!e.colours.some((c) => chart.seriesColours.includes(c))) {
      why.push(
        `colours ${e.colours.join('/') || 'none'} not among the drawn series ${[...new Set(chart.seriesColours)].join(', ')}`,
      );
    }
    return why.length === 0 ? [] : [`${e.label}: ${why.join(', ')}`];
  });
}

/**
 * Runs in the page (plain JS: the project has no DOM types): per chart SVG, its size, its visible
 * texts' boxes, its legend entries' symbols, and the colours of the data marks drawn opaquely
 * (lines, bars, points; never the translucent CI bands).
 */
const MEASURE_CHARTS = `(() => {
  const shown = (el, paint) => {
    let o = Number(getComputedStyle(el).getPropertyValue(paint + '-opacity') || 1);
    for (let e = el; e !== null && e.tagName.toLowerCase() !== 'svg'; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === 'none' || style.visibility === 'hidden') return 0;
      o *= Number(style.opacity || 1);
    }
    return o;
  };
  const paints = (el) => ['fill', 'stroke'].flatMap((paint) => {
    const colour = el.getAttribute(paint);
    return colour === null || colour === 'none' || colour === 'transparent' ? [] : [{ colour, opacity: shown(el, paint) }];
  });
  return [...document.querySelectorAll('figure.chart > svg')].map((svg) => {
    const r = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')]
      .filter((t) => (t.textContent || '').trim() !== '' && shown(t, 'fill') > 0)
      .map((t) => {
        const b = t.getBoundingClientRect();
        return { text: t.textContent || '', x1: b.left, y1: b.top, x2: b.right, y2: b.bottom };
      });
    const symbols = [...svg.querySelectorAll('.role-legend-symbol path')];
    const legend = [...svg.querySelectorAll('.role-legend-label text')].map((label, i) => {
      const symbol = symbols[i];
      if (symbol === undefined) return { label: label.textContent || '', width: 0, height: 0, colours: [], opacity: 0 };
      const b = symbol.getBoundingClientRect();
      const p = paints(symbol);
      return {
        label: label.textContent || '',
        width: b.width,
        height: b.height,
        colours: p.filter((x) => x.opacity >= 0.5).map((x) => x.colour),
        opacity: Math.max(0, ...p.map((x) => x.opacity)),
      };
    });
    const seriesColours = [...svg.querySelectorAll('.role-mark path, .role-mark line')]
      .flatMap((el) => paints(el))
      .filter((x) => x.opacity >= 0.5)
      .map((x) => x.colour);
    return { width: r.width, height: r.height, texts, legend, seriesColours };
  });
})()`;

async function renderAndMeasure(
  htmlPath: string,
  screenshot: string,
): Promise<{ boxes: { width: number; height: number }[]; charts: ChartLayout[]; requests: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const charts = await page.evaluate<ChartLayout[]>(MEASURE_CHARTS);
    const boxes = charts.map((c) => ({ width: c.width, height: c.height }));
    await page.screenshot({ path: screenshot, fullPage: true });
    return { boxes, charts, requests };
  } finally {
    await browser.close();
  }
}

/** Every chart: no overlapping texts, every legend entry with a visible mark in its series' colour. */
function expectReadable(charts: readonly ChartLayout[]): void {
  charts.forEach((chart, i) => {
    expect(chart.texts.length, `chart ${i + 1} has texts`).toBeGreaterThan(3);
    expect(overlappingTexts(chart.texts), `chart ${i + 1}: overlapping texts`).toEqual([]);
    // Names are shown in full (wrapped, never cut with an ellipsis).
    expect(
      chart.texts.filter((t) => t.text.includes('…')).map((t) => t.text),
      `chart ${i + 1}: truncated texts`,
    ).toEqual([]);
    expect(chart.legend.length, `chart ${i + 1} has a legend`).toBeGreaterThan(0);
    expect(badLegendEntries(chart), `chart ${i + 1}: legend entries without a visible mark`).toEqual([]);
  });
}

/** Long attack and policy names, four policies, and one policy whose attacker never holds a credential (exposure 0). */
function hardScenario(): Scenario {
  const base = scenario('agentic-support', [
    policy('role-15m-no-reevaluation', { kind: 'ephemeral' }),
    policy('spiffe-5m-step', { kind: 'ephemeral', ttlMs: 300_000 }),
    policy('persistent-with-rotation', { rotationMs: 86_400_000 }),
    policy('hybrid', { kind: 'hybrid' }),
  ]);
  const [first, second] = base.attacks;
  return {
    ...base,
    attacks: [
      { ...first!, name: 'prompt-injected-ticket' },
      { ...second!, name: 'log-registry-password-replay' },
      { ...second!, name: 'bulk-outreach-drift' },
    ],
  };
}

/** Six long attack names under one chart (codecov-2021's shape): their wrapped labels must not run into each other. */
function sixAttacks(): Scenario {
  const base = scenario('codecov-2021', [
    policy('as-was'),
    policy('gcp-sts-1h', { kind: 'ephemeral', ttlMs: 3_600_000 }),
    policy('broker-15m', { kind: 'ephemeral' }),
    policy('hybrid', { kind: 'hybrid' }),
  ]);
  const [first] = base.attacks;
  const names = ['image-key-replay', 'ci-environment-exfiltration', 'altered-uploader-in-ci'].flatMap((a) => [a, `${a}-hard`]);
  return { ...base, attacks: names.map((name) => ({ ...first!, name })) };
}

/** The fixture's trials; in agentic-support the hybrid policy's attacker never holds a credential. */
function hardTrials(s: Scenario): TrialRow[] {
  return trialsFor(s).map((r) =>
    r.scenario === 'agentic-support' && r.policy === 'hybrid'
      ? { ...r, metrics: { ...r.metrics, exposure_window_s: 0, blast_radius: 0, attack_success: 0 } }
      : r,
  );
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
      hardScenario(),
      sixAttacks(),
    ];
    const builder = new SummaryBuilder(orderOf(scenarios));
    for (const row of scenarios.flatMap(hardTrials)) builder.add(row);
    const dir = tempDir('blastlab-render-');
    const files = await writeReport(dir, {
      scenarios,
      summary: builder.rows(),
      samples: (s, p, a, m) => builder.values(s, p, a, m),
    });
    const shot = join(dir, 'report.png');
    const { boxes, charts, requests } = await renderAndMeasure(files.html, shot);
    expect(boxes).toHaveLength(8);
    for (const b of boxes) {
      expect(b.width).toBeGreaterThan(100);
      expect(b.height).toBeGreaterThan(100);
    }
    expectReadable(charts);
    expect(requests).toEqual([]);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env['BLASTLAB_KEEP_SCREENSHOT'] !== undefined) console.log(shot);
  });

  it.skipIf(!hasChromium)(`should render the sweep report's charts in Chromium${skipReason}`, async () => {
    // Long values that collide when printed level, an all-zero metric (failed tasks) and a tiny one (peak issuance).
    const values = ['0.9999999', '0.999999', '0.99', '0.5'];
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
            tasks_failed: 0,
            peak_issuance_per_s: (i + 1) * 1e-7,
          },
        });
      }
      return sweepRows(b.rows(), { policy: 'ephemeral', param: 'ttl', value });
    });
    const dir = tempDir('blastlab-render-sweep-');
    const files = await writeSweepReport(dir, { scenario: undefined, policy: 'ephemeral', param: 'ttl', values, rows });
    const shot = join(dir, 'sweep.png');
    const { boxes, charts, requests } = await renderAndMeasure(files.html, shot);
    expect(boxes).toHaveLength(2);
    for (const b of boxes) expect(b.width * b.height).toBeGreaterThan(10_000);
    expectReadable(charts);
    // No axis prints a run of zeros (an all-zero panel says 0); every swept value is on the axis as written.
    const labels = charts.flatMap((c) => c.texts.map((t) => t.text));
    expect(labels.filter((l) => /^-?0\.0+$/.test(l))).toEqual([]);
    for (const v of values) expect(labels).toContain(v);
    expect(requests).toEqual([]);
    if (process.env['BLASTLAB_KEEP_SCREENSHOT'] !== undefined) console.log(shot);
  });
});
