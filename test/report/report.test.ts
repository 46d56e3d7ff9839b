import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/domain/metrics.js';
import { SummaryBuilder, orderOf } from '../../src/metrics/summary.js';
import { sweepRows } from '../../src/metrics/sweep.js';
import { describePolicy, writeReport, writeSweepReport, type ReportFiles } from '../../src/report/report.js';
import { policy, scenario, trialsFor } from './fixtures.js';

const scenarios = [
  scenario('ci-deploy-key', [
    policy('persistent', { rotationMs: 90 * 86_400_000 }),
    policy('ephemeral-15m', {
      kind: 'ephemeral',
      revokeOn: { completion: true, failure: true, timeout: false },
      bindToWorkload: true,
    }),
  ]),
  scenario('support-agent', [policy('persistent'), policy('hybrid', { kind: 'hybrid', ttlMs: 300_000 })], {
    references: ['https://example.org/support-incident', 'internal postmortem 42'],
    frameworks: { 'owasp-agentic': ['T2'], maestro: ['L3'] },
  }),
];

const made: string[] = [];
/** A temp folder removed after the suite. */
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'blastlab-report-'));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function build(): SummaryBuilder {
  const builder = new SummaryBuilder(orderOf(scenarios));
  for (const row of scenarios.flatMap(trialsFor)) builder.add(row);
  return builder;
}

/** `src`/`href` attribute values in HTML, with the tag they belong to. */
function urlAttributes(html: string): { tag: string; attr: string; value: string }[] {
  const out: { tag: string; attr: string; value: string }[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][\w:-]*)\b[^>]*>/g)) {
    for (const a of m[0].matchAll(/\s((?:xlink:)?(?:src|href))\s*=\s*"([^"]*)"/g))
      out.push({ tag: m[1] ?? '', attr: a[1] ?? '', value: a[2] ?? '' });
  }
  return out;
}

describe('report', () => {
  let dir: string;
  let files: ReportFiles;
  let html: string;
  let md: string;

  beforeAll(async () => {
    dir = tempDir();
    const builder = build();
    files = await writeReport(dir, {
      scenarios,
      summary: builder.rows(),
      samples: (s, p, a, m) => builder.values(s, p, a, m),
      facts: [['trials', '4 per policy and attack']],
    });
    html = readFileSync(files.html, 'utf8');
    md = readFileSync(files.markdown, 'utf8');
  });

  it('should keep the baseline in the overview when no policy is lower beyond the confidence intervals', async () => {
    // Four trials: the ephemeral policy's interval still reaches the baseline's blast radius of 10.
    const glance = md.split('## ci-deploy-key')[0]!;
    expect(glance).toMatch(
      /\| ci-deploy-key \| secret-replay \| persistent blast 10 \| keep baseline \| — \| — \| — \| no policy is lower beyond the 95% CI \(1 other within it\) \|/,
    );
    const flat = [scenario('flat', [policy('persistent'), policy('persistent-30d', { rotationMs: 30 * 86_400_000 })])];
    const builder = new SummaryBuilder(orderOf(flat));
    for (const row of flat.flatMap(trialsFor)) builder.add(row);
    const out = await writeReport(tempDir(), { scenarios: flat, summary: builder.rows() });
    const overview = readFileSync(out.markdown, 'utf8').split('## flat')[0]!;
    expect(overview).toContain('keep baseline');
    expect(overview).not.toContain('persistent-30d');
  });

  it('should recommend the cheapest policy among those tied on blast radius, whatever the file order', async () => {
    // 40 trials: both brokered policies reach blast 10 once (mean 0.25); "cheap" fails no task.
    const cheap = (name: string) => policy(name, { kind: 'ephemeral' });
    const rowsFor = (s: ReturnType<typeof scenario>) =>
      trialsFor(s).map((r) => (r.policy === 'cheap' ? { ...r, metrics: { ...r.metrics, tasks_failed: 0 } } : r));
    for (const order of [
      ['persistent', 'costly', 'cheap'],
      ['persistent', 'cheap', 'costly'],
    ]) {
      const s = scenario(
        'tied',
        order.map((n) => (n === 'persistent' ? policy(n) : cheap(n))),
        { trials: 40 },
      );
      const builder = new SummaryBuilder(orderOf([s]));
      for (const row of rowsFor(s)) builder.add(row);
      const out = await writeReport(tempDir(), { scenarios: [s], summary: builder.rows() });
      const glance = readFileSync(out.markdown, 'utf8').split('## tied')[0]!;
      expect(glance).toMatch(
        /\| tied \| secret-replay \| persistent blast 10 \| cheap blast 0.25 \| ↓98% \| \+740 \| 0 \| cheapest of 2 within the 95% CI of the lowest: fewest failed tasks \|/,
      );
    }
  });

  it('should write report.md, report.html and one SVG per chart', () => {
    expect(readdirSync(dir).sort()).toEqual(['charts', 'report.html', 'report.md']);
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual([
      'ci-deploy-key-blast-radius.svg',
      'ci-deploy-key-exposure-window.svg',
      'support-agent-blast-radius.svg',
      'support-agent-exposure-window.svg',
    ]);
    for (const f of files.charts) expect(readFileSync(f, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it('should give each scenario a section with what was replayed, policies, risk, cost and sources', () => {
    for (const doc of [md, html]) {
      expect(doc).toContain('ci-deploy-key');
      expect(doc).toContain('support-agent');
      expect(doc).toContain('What was replayed');
      expect(doc).toContain('Policies compared');
      expect(doc).toContain('Risk: how far the damage travels');
      expect(doc).toContain('Cost: what the policy costs the fleet');
      expect(doc).toContain('secret-replay');
      expect(doc).toContain('lateral-movement');
    }
    expect(md).toMatch(/^## ci-deploy-key$/m);
    expect(md).toMatch(/^## support-agent$/m);
    expect(html).toContain('<h2 id="s-ci-deploy-key">ci-deploy-key</h2>');
  });

  it('should show the reduction against the baseline with confidence intervals', () => {
    // Baseline blast 10 in every trial, the other policy 2.5 on average: ↓75%.
    expect(md).toMatch(/\| ephemeral-15m \| .*↓75% \|/);
    expect(md).toMatch(/\| hybrid \| .*↓75% \|/);
    expect(html).toContain('<td class="num good">↓75%</td>');
    // Attack success 1 of 4 trials with its Wilson interval.
    expect(md).toContain('25% \\[4.6%, 70%\\]');
  });

  it('should list framework tags and sources, linking only web addresses', () => {
    expect(md).toContain('**OWASP NHI Top 10:** `NHI2:2025` `NHI7:2025`');
    expect(md).toContain('**MITRE ATT&CK:** `T1552.001`');
    expect(md).toContain('**NIST CSF 2.0:** `PR.AA-05`');
    expect(html).toContain('<span class="tag">NHI7:2025</span>');
    expect(html).toContain('OWASP Agentic');
    expect(html).toContain('MAESTRO');
    expect(html).toContain('<a href="https://example.org/support-incident" rel="noopener noreferrer">');
    expect(html).toContain('<li>internal postmortem 42</li>');
    expect(md).toContain('- <https://example.org/incident-report>');
  });

  it('should describe the policies and attacks in the words of the scenario file', () => {
    expect(md).toContain('rotation 90d');
    expect(md).toContain('ttl 15m · scope task · revoke on completion, failure · bound to workload');
    expect(md).toContain('deploy-key leaks from ci-agent at 1d');
    expect(
      describePolicy(
        policy('x', {
          kind: 'hybrid',
          detection: { probability: 0.3, delay: { kind: 'exponential', meanMs: 3_600_000 }, atMs: Infinity },
        }),
      ),
    ).toContain('detection 30% after exponential(mean 1h)');
  });

  it('should print configured probabilities as written, never rounded to 100% or 0%', () => {
    const text = describePolicy(
      policy('x', {
        kind: 'ephemeral',
        issuer: { latency: { kind: 'fixed', valueMs: 40 }, availability: 0.9999999 },
        detection: { probability: 1e-7, delay: { kind: 'fixed', valueMs: 0 }, atMs: Infinity },
        approval: { actions: ['write'], refuse: 0.999, wait: { kind: 'fixed', valueMs: 60_000 } },
      }),
    );
    expect(text).toContain('availability 99.99999%');
    expect(text).toContain('detection 0.00001%');
    expect(text).toContain('refuses 99.9% of attacker requests');
  });

  it('should embed the charts inline in report.html and link them from report.md', () => {
    expect((html.match(/<svg\b/g) ?? []).length).toBe(4);
    expect(md).toContain('![Blast radius per policy](charts/ci-deploy-key-blast-radius.svg)');
    // Chart element ids are unique across the page.
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should be self-contained: no script and no external src/href but source links', () => {
    expect(html).not.toMatch(/<script|<link\b|<iframe|@import|url\(http/i);
    for (const { tag, attr, value } of urlAttributes(html)) {
      if (/http/i.test(value)) {
        expect(tag).toBe('a');
        expect(attr).toBe('href');
        expect(scenarios.flatMap((s) => s.references)).toContain(value);
      }
    }
  });

  it('should escape hostile scenario text', async () => {
    const evil = scenario('evil', [policy('persistent')], {
      description: '<img src=x onerror=alert(1)> **bold** | pipe',
      references: ['javascript:alert(1)', 'https://ok.example/"><script>'],
    });
    const d = tempDir();
    const out = await writeReport(d, {
      scenarios: [evil],
      summary: new SummaryBuilder().rows().concat(
        build()
          .rows()
          .map((r) => ({ ...r, scenario: 'evil' }))
          .filter((r) => r.policy === 'persistent'),
      ),
    });
    const h = readFileSync(out.html, 'utf8');
    expect(h).not.toContain('<img src=x');
    expect(h).not.toContain('<script>');
    expect(h).not.toContain('href="javascript:');
    expect(readFileSync(out.markdown, 'utf8')).toContain('\\<img src=x onerror=alert(1)\\> \\*\\*bold\\*\\* \\| pipe');
  });

  it('should draw the exposure chart from the summary when raw samples are not given', async () => {
    const d = tempDir();
    const out = await writeReport(d, { scenarios, summary: build().rows() });
    expect(out.charts).toHaveLength(4);
    expect(readFileSync(out.html, 'utf8')).toContain(
      '(symmetric log scale; 0 = never held a valid credential): line = min–max, tick and dot = median.',
    );
  });
});

describe('sweep report', () => {
  it('should chart risk and cost per value and the risk/cost curve', async () => {
    const base = scenarios[0]!;
    const values = ['1m', '15m', '1h', '1d'];
    const rows = values.flatMap((value, i) => {
      const s = scenario(base.name, [policy('ephemeral', { kind: 'ephemeral', ttlMs: (i + 1) * 60_000 })]);
      const b = new SummaryBuilder();
      for (const r of trialsFor(s)) {
        const m = { ...r.metrics, blast_radius: (r.metrics.blast_radius ?? 0) * (i + 1), tokens_issued: 1000 / (i + 1) };
        b.add({ ...r, metrics: m });
      }
      return sweepRows(b.rows(), { policy: 'ephemeral', param: 'ttl', value });
    });
    expect(rows).toHaveLength(values.length * 2 * METRICS.length);
    const d = tempDir();
    const out = await writeSweepReport(d, { scenario: base, policy: 'ephemeral', param: 'ttl', values, rows });
    const md = readFileSync(out.markdown, 'utf8');
    expect(md).toContain('# blastlab sweep: ephemeral ttl');
    expect(md).toContain('![Risk against cost](charts/sweep-ttl-tradeoff.svg)');
    expect(md).toMatch(/^\| 1m \| 25%/m);
    expect(out.charts.every((c) => existsSync(c))).toBe(true);
    const html = readFileSync(out.html, 'utf8');
    expect((html.match(/<svg\b/g) ?? []).length).toBe(2);
    for (const v of values) expect(html).toContain(`>${v}</text>`);
  });
});
