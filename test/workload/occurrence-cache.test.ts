/** The per-trial occurrence cache (workload/occurrence-cache.ts): every (task, occurrence) is its own entry. */
import { describe, expect, it } from 'vitest';
import { OccurrenceCache } from '../../src/workload/occurrence-cache.js';
import { OccurrenceScratch } from '../../src/workload/occurrence.js';

/** What runOccurrence leaves for an occurrence ending at `end` that minted `tokens` tokens of credential `cred`. */
function replayed(end: number, cred: number, tokens: number, status: 'completed' | 'failed' = 'completed'): OccurrenceScratch {
  const out = new OccurrenceScratch();
  out.end = end;
  out.status = status;
  for (let i = 0; i < tokens; i++) {
    out.push(cred, 100 + i, i, false);
    out.mintAt[i] = end - 10 + i;
    out.deadAt[i] = end + 1000 + i;
  }
  return out;
}

/** Occurrence `row`'s tokens as [cred, actor, step, task, mintAt, deadAt]. */
function tokensOf(cache: OccurrenceCache, row: number): number[][] {
  const out: number[][] = [];
  for (let j = cache.first[row]!; j < cache.first[row]! + cache.count[row]!; j++)
    out.push([cache.cred[j]!, cache.actor[j]!, cache.step[j]!, cache.task[j]!, cache.mintAt[j]!, cache.deadAt[j]!]);
  return out;
}

describe('workload/occurrence-cache', () => {
  it('should keep tasks apart whatever their occurrence counts', () => {
    const cache = new OccurrenceCache();
    // The old composite key (task · 2²² + k) gave (0, 2²²) and (1, 0) the same entry.
    const a = cache.add(0, 4_194_304, replayed(50, 7, 1));
    const b = cache.add(1, 0, replayed(60, 8, 2, 'failed'));
    const c = cache.add(2, 9, replayed(70, 9, 0));
    expect(cache.row(0, 4_194_304)).toBe(a);
    expect(cache.row(1, 0)).toBe(b);
    expect(cache.row(2, 9)).toBe(c);
    expect(cache.row(0, 0)).toBe(-1);
    expect(cache.row(1, 1)).toBe(-1);
    expect(cache.row(3, 0)).toBe(-1);
    expect(tokensOf(cache, a)).toEqual([[7, 100, 0, 0, 40, 1050]]);
    expect(tokensOf(cache, b)).toEqual([
      [8, 100, 0, 1, 50, 1060],
      [8, 101, 1, 1, 51, 1061],
    ]);
    expect(tokensOf(cache, c)).toEqual([]);
    expect([cache.end[a], cache.end[b], cache.end[c]]).toEqual([50, 60, 70]);
    expect([cache.completed[a], cache.completed[b], cache.completed[c]]).toEqual([1, 0, 1]);
  });

  it('should keep every occurrence whole as its storage grows', () => {
    const cache = new OccurrenceCache();
    const rows: number[] = [];
    for (let k = 0; k < 300; k++) rows.push(cache.add(k % 3, k, replayed(k * 10, k, k % 4)));
    for (let k = 0; k < 300; k++) {
      expect(cache.row(k % 3, k)).toBe(rows[k]);
      expect(tokensOf(cache, rows[k]!).map((t) => t.slice(0, 4))).toEqual(
        Array.from({ length: k % 4 }, (_, i) => [k, 100 + i, i, k % 3]),
      );
    }
  });

  it('should forget every occurrence when cleared for the next trial', () => {
    const cache = new OccurrenceCache();
    cache.add(0, 1, replayed(10, 1, 2));
    cache.add(4, 2, replayed(20, 2, 1));
    cache.clear();
    expect(cache.row(0, 1)).toBe(-1);
    expect(cache.row(4, 2)).toBe(-1);
    const row = cache.add(4, 2, replayed(30, 3, 1));
    expect(cache.row(4, 2)).toBe(row);
    expect(tokensOf(cache, row)).toEqual([[3, 100, 0, 4, 20, 1030]]);
  });
});
