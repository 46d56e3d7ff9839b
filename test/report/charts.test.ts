import { describe, expect, it } from 'vitest';
import { tradeoffSpec, type TradeoffPoint } from '../../src/report/charts-sweep.js';

describe('report/charts', () => {
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
