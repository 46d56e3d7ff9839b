import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarize, orderOf } from '../../src/metrics/summary.js';
import { renderTable, stripAnsi } from '../../src/report/table.js';
import { carriedBy } from '../../src/report/attribution.js';
import { humanCount, humanPercent, humanPercentFine, humanReduction, humanSeconds } from '../../src/report/human.js';
import { policy, scenario, trialsFor } from './fixtures.js';

const scenarios = [
  scenario('ci-deploy-key', [policy('persistent'), policy('ephemeral-15m', { kind: 'ephemeral' })]),
  scenario('support-agent', [
    policy('persistent'),
    policy('ephemeral-5m', { kind: 'ephemeral' }),
    policy('hybrid', { kind: 'hybrid' }),
  ]),
];
const summary = summarize(scenarios.flatMap(trialsFor), orderOf(scenarios));

describe('table', () => {
  it('should print one line per scenario × attack × policy in the long layout', () => {
    const text = renderTable(summary, { color: false, layout: 'long' });
    if (process.env['SHOW_TABLE'] !== undefined) console.log(text);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^scenario\s+attack\s+policy\s+success\s+reached\s+blast\s+records\s+exposure\s+tokens\s+failed\s+Δ blast$/,
    );
    const body = lines.filter((l) => !l.startsWith('─') && !l.startsWith('scenario'));
    expect(body).toHaveLength(2 * 2 + 2 * 3);
    const eph = body.find((l) => l.includes('ephemeral-15m'));
    expect(eph).toMatch(/25%\s+0\.25\s+2\.5\s+500k\s+6\.5m\s+722\s+1\.5\s+↓75%$/);
    expect(body[0]).toMatch(/^ci-deploy-key\s+secret-replay\s+persistent \(baseline\)\s+100%/);
    // Every line has the same width: columns are aligned.
    expect(new Set(body.map((l) => l.length)).size).toBeLessThanOrEqual(2);
  });

  it('should fall back on a compact layout that fits a narrow terminal', () => {
    for (const width of [90, 60, 40]) {
      const text = renderTable(summary, { color: false, width });
      if (process.env['SHOW_TABLE'] !== undefined) console.log(text);
      const lines = text.split('\n');
      expect(
        lines.every((l) => [...l].length <= width),
        `width ${width}`,
      ).toBe(true);
      // Every value of the long layout is still there.
      expect(text).toContain('ci-deploy-key · secret-replay');
      expect(text).toMatch(/ephemeral-15m\n(.*\n)*? {4}.*Δ blast ↓75%/);
      expect(text).toContain('persistent (baseline)');
    }
  });

  it('should print one line per scenario × attack with a block per policy in the wide layout', () => {
    const text = renderTable(summary, { color: false, layout: 'wide' });
    if (process.env['SHOW_TABLE'] !== undefined) console.log(text);
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(2);
    const first = blocks[0]?.split('\n') ?? [];
    expect(first[0]).toContain('persistent (baseline)');
    expect(first[0]).toContain('ephemeral-15m');
    expect(first[0]).toContain('Δ blast vs baseline');
    expect(first.filter((l) => l.startsWith('ci-deploy-key') || l.startsWith(' '))).toHaveLength(3);
    expect(first.at(-1)).toMatch(/lateral-movement.*↓75%$/);
  });

  it('should pick the long layout when the wide one does not fit', () => {
    const long = renderTable(summary, { color: false, layout: 'long' });
    const longWidth = Math.max(...long.split('\n').map((l) => [...l].length));
    expect(renderTable(summary, { color: false, width: longWidth })).toBe(long);
    expect(renderTable(summary, { color: false, width: 1000 })).toBe(renderTable(summary, { color: false, layout: 'wide' }));
  });

  it('should colour only when asked, without changing the layout', () => {
    const plain = renderTable(summary, { color: false, layout: 'long' });
    const coloured = renderTable(summary, { color: true, layout: 'long' });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[');
    expect(stripAnsi(coloured)).toBe(plain);
  });

  it('should honour another baseline', () => {
    const text = renderTable(summary, { color: false, layout: 'long', baselineByScenario: { 'ci-deploy-key': 'ephemeral-15m' } });
    expect(text).toContain('ephemeral-15m (baseline)');
    expect(text).toMatch(/persistent\s.*↑300%/);
  });
});

describe('human', () => {
  it('should render counts, percentages, durations and reductions compactly', () => {
    expect([
      humanCount(0),
      humanCount(1.234),
      humanCount(12.34),
      humanCount(999),
      humanCount(2_000_000),
      humanCount(null),
    ]).toEqual(['0', '1.23', '12.3', '999', '2M', '—']);
    expect([humanPercent(0.25), humanPercent(0.075), humanPercent(1)]).toEqual(['25%', '7.5%', '100%']);
    expect([humanSeconds(45), humanSeconds(390), humanSeconds(3 * 3600), humanSeconds(2.5 * 86_400)]).toEqual([
      '45s',
      '6.5m',
      '3h',
      '2.5d',
    ]);
    expect([humanReduction(75), humanReduction(-20), humanReduction(0), humanReduction(0.01), humanReduction(null)]).toEqual([
      '↓75%',
      '↑20%',
      '=',
      '↓<0.1%',
      '—',
    ]);
  });

  it('should never print a small non-zero count or duration as 0 or as a run of zeros', () => {
    expect([humanCount(0.004), humanCount(0.01234), humanCount(0.5), humanCount(0.0000003), humanCount(-0.0002)]).toEqual([
      '0.004',
      '0.0123',
      '0.5',
      '<0.001',
      '>-0.001',
    ]);
    expect([humanSeconds(0.04), humanSeconds(0.4), humanSeconds(0.0002), humanSeconds(0)]).toEqual([
      '40ms',
      '400ms',
      '<1ms',
      '0s',
    ]);
  });

  it('should print measured ratios with two decimals, never rounded to 100% or 0%', () => {
    expect([
      humanPercentFine(0.99999, 2),
      humanPercentFine(0.9995, 2),
      humanPercentFine(1, 2),
      humanPercentFine(0.5, 2),
      humanPercentFine(0.00001, 2),
      humanPercentFine(0, 2),
    ]).toEqual(['>99.99%', '99.95%', '100%', '50%', '<0.01%', '0%']);
    // The one-decimal rule is unchanged.
    expect([humanPercent(0.9996), humanPercent(0.0004), humanPercent(0.995)]).toEqual(['>99.9%', '<0.1%', '99.5%']);
  });

  it('should not round a control share below 1 to the whole reduction', () => {
    const row = (control: string, share: number) => ({
      scenario: 's',
      attack: 'a',
      policy: 'p',
      control,
      reduction_pct: 50,
      share,
    });
    expect(carriedBy([row('scope', 0.96), row('lifetime', 0.04)], 's', 'a', 'p')).toBe('scope 0.96');
    expect(carriedBy([row('scope', 0.999), row('lifetime', 0.001)], 's', 'a', 'p')).toBe('scope >0.99');
    expect(carriedBy([row('scope', 0.7), row('lifetime', 0.3)], 's', 'a', 'p')).toBe('scope 0.7, lifetime 0.3');
    expect(carriedBy([row('scope', 1)], 's', 'a', 'p')).toBe('scope 1.0');
  });

  it('should never round a percentage to certainty', () => {
    expect([
      humanPercent(0.995),
      humanPercent(0.9999),
      humanPercent(0.0004),
      humanPercent(0.0012),
      humanPercent(0),
      humanPercent(1),
    ]).toEqual(['99.5%', '>99.9%', '<0.1%', '0.1%', '0%', '100%']);
    expect([humanReduction(99.96), humanReduction(-99.7), humanReduction(100)]).toEqual(['↓>99.9%', '↑99.7%', '↓100%']);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => {
        const text = humanPercent(p);
        if (p < 1) expect(text).not.toBe('100%');
        if (p > 0) expect(text).not.toBe('0%');
      }),
    );
  });
});

describe('bench ratio', () => {
  it('should print a real ratio with significant digits, never 0.00', async () => {
    const { formatRatio } = await import('../../src/cli/bench.js');
    expect([
      formatRatio(0.0048),
      formatRatio(0.00482219),
      formatRatio(1.2549),
      formatRatio(312.4),
      formatRatio(12345.6),
      formatRatio(0),
    ]).toEqual(['0.0048', '0.00482', '1.25', '312', '12346', '0']);
  });
});
