import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventHeap } from '../../src/lib/heap.js';

describe('lib/heap', () => {
  it('should pop by time, then priority, then insertion order', () => {
    const heap = new EventHeap<{ time: number; priority: number; seq: number; name: string }>();
    heap.push({ time: 5, priority: 0, seq: 0, name: 'late' });
    heap.push({ time: 1, priority: 1, seq: 1, name: 'low' });
    heap.push({ time: 1, priority: 0, seq: 3, name: 'second' });
    heap.push({ time: 1, priority: 0, seq: 2, name: 'first' });
    expect(heap.size).toBe(4);
    expect(heap.peek()?.name).toBe('first');
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()].map((e) => e?.name)).toEqual(['first', 'second', 'low', 'late']);
    expect(heap.pop()).toBeUndefined();
    expect(heap.size).toBe(0);
  });

  it('should pop any sequence of pushes in sorted order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(100), fc.nat(3))), (items) => {
        const heap = new EventHeap<{ time: number; priority: number; seq: number }>();
        const events = items.map(([time, priority], seq) => ({ time, priority, seq }));
        for (const e of events) heap.push(e);
        const out = [];
        while (heap.size > 0) out.push(heap.pop()!);
        expect(out).toEqual([...events].sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq));
      }),
    );
  });
});
