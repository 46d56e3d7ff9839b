import { describe, expect, it } from 'vitest';
import { meanBarsSpec, renderSvg } from '../../src/report/charts.js';
import { tradeoffSpec, type TradeoffPoint } from '../../src/report/charts-sweep.js';

/** A bar chart with rounded bars, which vega clips (one clip path a bar). */
function bars(mean: number): Parameters<typeof renderSvg>[0] {
  const points = ['persistent', 'ephemeral'].map((policy, i) => ({
    attack: 'a',
    policy,
    mean: mean + i,
    low: mean,
    high: mean + 2,
  }));
  return meanBarsSpec(points, { yTitle: 'blast radius', policies: ['persistent', 'ephemeral'], attacks: ['a'] });
}

describe('report/charts', () => {
  it('should draw the same bytes for the same spec whatever the process drew before', async () => {
    const first = await renderSvg(bars(3), 'x');
    // vega numbers clip paths from a counter shared by the whole process.
    await renderSvg(bars(5), 'y');
    await renderSvg(bars(7), 'z');
    const again = await renderSvg(bars(3), 'x');
    expect(again).toBe(first);
    // Every reference names a clip path of the same chart, numbered from 1 in order of first use.
    const ids = [...first.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    const refs = [...first.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.every((r) => ids.includes(r))).toBe(true);
    expect(ids).toContain('x-clip1');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should give values that land on the same risk/cost point one shared label', () => {
    const point = (value: string, order: number, attack: string, cost: number, risk: number): TradeoffPoint => ({
      value,
      order,
      attack,
      cost,
      risk,
    });
    const spec = tradeoffSpec(
      [
        point('1m', 0, 'a', 900, 0.1),
        point('1h', 1, 'a', 100, 0.5),
        point('4h', 2, 'a', 100, 0.5),
        point('1d', 3, 'a', 100, 0.5),
        point('1h', 1, 'b', 100, 0.5),
      ],
      { xTitle: 'tokens', yTitle: 'success', attacks: ['a', 'b'] },
    ) as unknown as { layer: { data?: { values: { label: string; cost: number; risk: number }[] } }[] };
    const labels = spec.layer.flatMap((l) => l.data?.values ?? []);
    expect(labels).toEqual([
      { cost: 900, risk: 0.1, label: '1m' },
      { cost: 100, risk: 0.5, label: '1h, 4h, 1d' },
    ]);
  });
});
