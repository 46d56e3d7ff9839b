/** The per-trial occurrence cache (workload/occurrence-cache.ts): every (task, occurrence) is its own entry. */
import { describe, expect, it } from 'vitest';
import { OccurrenceCache } from '../../src/workload/occurrence-cache.js';
import type { OccurrenceTokens } from '../../src/workload/occurrence.js';

const occurrence = (task: number, k: number): OccurrenceTokens => ({
  task,
  k,
  start: k,
  end: k + 1,
  status: 'completed',
  issuances: [],
  reauthorizations: 0,
});

describe('workload/occurrence-cache', () => {
  it('should keep tasks apart whatever their occurrence counts', () => {
    const cache = new OccurrenceCache();
    // The old composite key (task · 2²² + k) gave (0, 2²²) and (1, 0) the same entry.
    cache.set(0, 4_194_304, occurrence(0, 4_194_304));
    cache.set(1, 0, occurrence(1, 0));
    cache.set(2, 9, occurrence(2, 9));
    expect(cache.get(0, 4_194_304)).toMatchObject({ task: 0, k: 4_194_304 });
    expect(cache.get(1, 0)).toMatchObject({ task: 1, k: 0 });
    expect(cache.get(2, 9)).toMatchObject({ task: 2, k: 9 });
    expect(cache.get(0, 0)).toBeUndefined();
    expect(cache.get(1, 1)).toBeUndefined();
    expect(cache.get(3, 0)).toBeUndefined();
  });
});
