/**
 * Chart layout checked on vega's own scenegraph (the boxes it lays out, text widths estimated as in
 * the SVG it writes): no two texts overlap, no attack name is cut, every legend entry has a visible
 * mark in the colour of its series. The browser test (test/e2e/report-render.test.ts) renders the same
 * charts in Chromium.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { sweepPanelsSpec, tradeoffSpec } from '../../src/report/charts-sweep.js';
import { PALETTE, boxPlotSpec, meanBarsSpec } from '../../src/report/charts.js';

interface Box {
  readonly role: string;
  readonly text: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}
interface MarkSymbol {
  readonly fill: string | undefined;
  readonly x: number;
  readonly y: number;
  readonly size: number;
}
interface LegendSymbol {
  readonly fill: string | undefined;
  readonly stroke: string | undefined;
  readonly opacity: number;
}

type SceneItem = {
  marktype?: string;
  role?: string;
  items?: SceneItem[];
  x?: number;
  y?: number;
  text?: string | string[];
  bounds?: { x1: number; y1: number; x2: number; y2: number };
  fill?: string;
  stroke?: string;
  opacity?: number;
  fillOpacity?: number;
  strokeOpacity?: number;
  size?: number;
};

async function layout(spec: TopLevelSpec): Promise<{ texts: Box[]; symbols: LegendSymbol[]; marks: MarkSymbol[] }> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const texts: Box[] = [];
  const symbols: LegendSymbol[] = [];
  const marks: MarkSymbol[] = [];
  const walk = (mark: SceneItem, dx: number, dy: number): void => {
    for (const item of mark.items ?? []) {
      // Texts vega hides (label overlap removal sets opacity 0) are not drawn.
      if (
        mark.marktype === 'text' &&
        item.bounds !== undefined &&
        item.text !== undefined &&
        item.text !== '' &&
        (item.opacity ?? 1) > 0
      ) {
        const b = item.bounds;
        texts.push({
          role: mark.role ?? '',
          text: String(item.text),
          x1: b.x1 + dx,
          y1: b.y1 + dy,
          x2: b.x2 + dx,
          y2: b.y2 + dy,
        });
      }
      if (mark.marktype === 'symbol' && mark.role === 'legend-symbol') {
        symbols.push({
          fill: item.fill,
          stroke: item.stroke,
          opacity: (item.opacity ?? 1) * Math.max(item.fillOpacity ?? 0, item.strokeOpacity ?? 1),
        });
      }
      if (mark.marktype === 'symbol' && mark.role === 'mark' && (item.opacity ?? 1) > 0) {
        marks.push({ fill: item.fill, x: (item.x ?? 0) + dx, y: (item.y ?? 0) + dy, size: item.size ?? 0 });
      }
      if (mark.marktype === 'group') walk(item, dx + (item.x ?? 0), dy + (item.y ?? 0));
      else walk(item, dx, dy);
    }
  };
  walk((view.scenegraph() as unknown as { root: SceneItem }).root, 0, 0);
  view.finalize();
  return { texts, symbols, marks };
}

function overlaps(texts: readonly Box[]): string[] {
  const out: string[] = [];
  texts.forEach((a, i) =>
    texts.slice(i + 1).forEach((b) => {
      if (a.x1 < b.x2 - 0.5 && b.x1 < a.x2 - 0.5 && a.y1 < b.y2 - 0.5 && b.y1 < a.y2 - 0.5)
        out.push(`"${a.text}" (${a.role}) × "${b.text}" (${b.role})`);
    }),
  );
  return out;
}

const attacks = ['prompt-injected-ticket', 'bulk-outreach-drift', 'log-registry-password-replay'];
const policies = ['persistent', 'role-15m-no-reevaluation', 'spiffe-5m-step', 'hybrid'];

describe('report/charts layout', () => {
  it('should lay out the blast-radius bars without overlapping or cut labels, and legend marks in the series colours', async () => {
    const points = attacks.flatMap((attack) =>
      policies.map((policy, i) => ({ attack, policy, mean: i, low: Math.max(0, i - 0.5), high: i + 0.5 })),
    );
    const { texts, symbols } = await layout(meanBarsSpec(points, { yTitle: 'blast radius', policies, attacks }));
    expect(overlaps(texts)).toEqual([]);
    // Every attack name is there in full (wrapped lines joined back), never with an ellipsis.
    const labels = texts.filter((t) => t.role === 'axis-label').map((t) => t.text.replace(/,/g, ''));
    for (const a of attacks) expect(labels).toContain(a);
    expect(texts.some((t) => t.text.includes('…'))).toBe(false);
    expect(symbols).toHaveLength(policies.length);
    symbols.forEach((s, i) => {
      expect(s.opacity).toBeGreaterThan(0.5);
      expect([s.fill, s.stroke]).toContain(PALETTE[i]);
    });
  });

  it('should make room for six long attack names wrapped under their bars (codecov-2021)', async () => {
    const six = ['image-key-replay', 'ci-environment-exfiltration', 'altered-uploader-in-ci'].flatMap((a) => [a, `${a}-hard`]);
    const four = ['as-was', 'gcp-sts-1h', 'broker-15m', 'hybrid'];
    const points = six.flatMap((attack) => four.map((policy, i) => ({ attack, policy, mean: i, low: i, high: i })));
    const { texts } = await layout(meanBarsSpec(points, { yTitle: 'blast radius', policies: four, attacks: six }));
    expect(overlaps(texts)).toEqual([]);
  });

  it('should lay out the exposure box plot without overlapping labels', async () => {
    const boxes = attacks.flatMap((attack) =>
      policies.map((policy, i) => ({
        attack,
        policy,
        n: 10,
        min: 0,
        q1: 60 * i,
        median: 600 * i,
        q3: 3600 * i,
        max: 86_400 * (i + 1),
      })),
    );
    const { texts } = await layout(boxPlotSpec(boxes, { policies, attacks }));
    expect(overlaps(texts)).toEqual([]);
    expect(texts.filter((t) => t.role === 'axis-label').map((t) => t.text)).toEqual(expect.arrayContaining(attacks));
  });

  it('should show exposure windows of 0 apart from short ones, with a mark in each policy colour', async () => {
    // Three policies never let the attacker hold a credential (every trial 0); one holds it a few minutes.
    const boxes = attacks.flatMap((attack) =>
      policies.map((policy, i) =>
        i === 1
          ? { attack, policy, n: 10, min: 60, q1: 120, median: 180, q3: 240, max: 600 }
          : { attack, policy, n: 10, min: 0, q1: 0, median: 0, q3: 0, max: 0 },
      ),
    );
    const { texts, marks } = await layout(boxPlotSpec(boxes, { policies, attacks }));
    expect(overlaps(texts)).toEqual([]);
    const ticks = texts.filter((t) => t.role === 'axis-label' && /^\d/.test(t.text));
    const zeroTick = ticks.find((t) => t.text === '0s');
    const minuteTick = ticks.find((t) => t.text === '1m');
    expect(zeroTick, 'a visible 0s tick').toBeDefined();
    expect(minuteTick, 'a visible 1m tick').toBeDefined();
    // 0 stands clearly apart from a minute: a reader sees "never held" and "held briefly" as different.
    expect((minuteTick!.x1 + minuteTick!.x2) / 2 - (zeroTick!.x1 + zeroTick!.x2) / 2).toBeGreaterThan(30);
    // Every (attack, policy) with all-zero trials still shows a visible mark in its policy's colour.
    for (const [i, p] of policies.entries()) {
      const own = marks.filter((m) => m.fill === PALETTE[i]);
      expect(own.length, p).toBe(attacks.length);
      for (const m of own) expect(m.size, p).toBeGreaterThan(0);
    }
  });

  it('should label sweep axes like the tables: all-zero panels say 0, small values keep their digits, long values do not collide', async () => {
    const values = ['0.9999999', '0.999999', '0.99', '0.5'];
    const metrics = ['tokens issued', 'attack success (% of trials)', 'rate'];
    const rows = values.flatMap((value, i) => [
      { value, attack: 'secret-replay', metric: 'tokens issued', mean: 0, low: 0, high: 0 },
      { value, attack: 'secret-replay', metric: 'attack success (% of trials)', mean: 0, low: 0, high: 0 },
      { value, attack: 'secret-replay', metric: 'rate', mean: (i + 1) * 1e-7, low: i * 1e-7, high: (i + 2) * 1e-7 },
    ]);
    const spec = sweepPanelsSpec(rows, { param: 'issuer.availability', values, metrics, attacks: ['secret-replay'] });
    const { texts } = await layout(spec);
    expect(overlaps(texts)).toEqual([]);
    const labels = texts.filter((t) => t.role === 'axis-label').map((t) => t.text);
    // Never a run of zeros: 0 prints as 0, a non-zero keeps its significant digits.
    expect(labels.filter((l) => /^-?0\.0+$/.test(l))).toEqual([]);
    expect(labels).toContain('0');
    expect(labels.some((l) => /^0\.000000[1-9]/.test(l))).toBe(true);
    for (const v of values) expect(labels).toContain(v);
  });

  it('should keep coinciding sweep series visible: one legend entry per attack with an opaque mark in its line colour', async () => {
    const values = ['1m', '15m', '1h', '1d'];
    const metrics = ['blast radius', 'tokens issued'];
    const sweepAttacks = ['secret-replay', 'lateral-movement', 'tool-chaining', 'mass-leak'];
    // Every attack has the same values: the lines coincide.
    const rows = sweepAttacks.flatMap((attack) =>
      values.flatMap((value, i) => metrics.map((metric) => ({ value, attack, metric, mean: i, low: i, high: i + 1 }))),
    );
    const { texts, symbols } = await layout(sweepPanelsSpec(rows, { param: 'ttl', values, metrics, attacks: sweepAttacks }));
    expect(overlaps(texts)).toEqual([]);
    expect(texts.filter((t) => t.role === 'legend-label').map((t) => t.text)).toEqual(sweepAttacks);
    expect(symbols).toHaveLength(sweepAttacks.length);
    const lineColours = PALETTE.slice(1);
    symbols.forEach((s, i) => {
      expect(s.opacity, sweepAttacks[i]).toBeGreaterThan(0.5);
      expect([s.fill, s.stroke], sweepAttacks[i]).toContain(lineColours[i]);
    });
    // Coinciding series differ in dash and marker, so each stays visible where they overlap.
    const spec = JSON.stringify(sweepPanelsSpec(rows, { param: 'ttl', values, metrics, attacks: sweepAttacks }));
    expect(spec).toContain('"strokeDash"');
    expect(spec).toContain('"shape"');
  });

  it('should label the risk/cost curve without overlapping text', async () => {
    const points = ['1m', '5m', '15m', '1h', '4h', '1d'].map((value, order) => ({
      value,
      order,
      attack: 'secret-replay',
      cost: 10_000 / (order + 1),
      risk: order,
    }));
    const { texts } = await layout(
      tradeoffSpec(points, { xTitle: 'tokens issued per trial', yTitle: 'blast radius', attacks: ['secret-replay'] }),
    );
    expect(overlaps(texts)).toEqual([]);
  });

  it('should place risk/cost labels that would collide apart (a plateau label next to a nearby point)', async () => {
    // A TTL sweep: 15m–1d issue the same tokens (a plateau at 839), 5m a little more, 1m far more.
    const costs: Record<string, number> = { '1m': 7396.9, '5m': 1557.65, '15m': 839, '1h': 839, '4h': 839, '1d': 839 };
    const points = ['secret-replay', 'lateral-movement'].flatMap((attack, a) =>
      Object.entries(costs).map(([value, cost], order) => ({ value, order, attack, cost, risk: a })),
    );
    const { texts } = await layout(
      tradeoffSpec(points, {
        xTitle: 'tokens issued per trial',
        yTitle: 'blast radius',
        attacks: ['secret-replay', 'lateral-movement'],
      }),
    );
    expect(overlaps(texts)).toEqual([]);
    const labels = texts.filter((t) => t.role === 'mark').map((t) => t.text);
    expect(labels).toEqual(expect.arrayContaining(['1m', '5m', '15m, 1h, 4h, 1d']));
  });
});
