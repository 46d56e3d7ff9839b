import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCsrBfs, plainCsr, staticReach } from '../../src/bench/cases/reach.js';
import { RawHeap } from '../../src/bench/cases/engine.js';
import { formatBenchTable, runBenchmarks, selectIds } from '../../src/bench/suite.js';
import { BENCH_IDS } from '../../src/bench/types.js';
import { generateEstate } from '../../src/estate/synthetic.js';
import { compile } from '../../src/model/compile.js';
import { READ, ADMIN } from '../../src/domain/actions.js';
import type { BenchRow } from '../../src/report/columns.js';

// The 2-core case runs a compiled worker thread; compile just the worker and its imports for the test.
let outDir = '';
let workerUrl: URL;
beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'blastlab-bench-'));
  const tsc = join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--outDir',
      outDir,
      '--rootDir',
      'src',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--ignoreConfig',
      'src/bench/mint-worker.ts',
    ],
    { stdio: 'pipe' },
  );
  workerUrl = pathToFileURL(join(outDir, 'bench', 'mint-worker.js'));
});
afterAll(() => {
  if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
});

describe('bench suite', () => {
  let rows: BenchRow[] = [];

  it('should produce every row of issue 4 in a quick run, each beside its baseline', async () => {
    rows = await runBenchmarks({ quick: true, mintWorkerUrl: workerUrl });
    const ids = rows.map((r) => r.name.replace(/\(\d+ (edges|occurrences)/, '(N $1'));
    expect(ids).toEqual([...BENCH_IDS]);
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const row of rows) {
      expect(row.samples).toBeGreaterThan(0);
      expect(row.ops_per_s).toBeGreaterThan(0);
      if (row.baseline === '') {
        expect(row.ratio_to_baseline).toBeNull();
      } else {
        const base = byName.get(row.baseline)!;
        expect(row.ratio_to_baseline).toBeCloseTo(row.ops_per_s! / base.ops_per_s!, 9);
      }
    }
    expect(byName.get('mint token')!.baseline).toBe('raw ed25519 sign');
    expect(rows.find((r) => r.name.startsWith('reach ('))!.name).toMatch(/^reach \(\d+ edges\)$/);
  });

  it('should print a table with one line per row', () => {
    const table = formatBenchTable(rows).split('\n');
    expect(table).toHaveLength(rows.length + 2);
    expect(table[0]).toMatch(/^benchmark\s+ops\/s/);
  });

  it('should select filtered rows together with their baselines', () => {
    expect([...selectIds(/2 cores/)].sort()).toEqual(['mint token', 'mint token, 2 cores async', 'raw ed25519 sign']);
    expect([...selectIds(/^reach/)].sort()).toEqual(['raw csr bfs (N edges)', 'reach (N edges)']);
    expect(selectIds(undefined).size).toBe(BENCH_IDS.length);
  });
});

describe('bench cases', () => {
  it('should reach with the raw BFS exactly the nodes a naive traversal reaches', () => {
    const s = generateEstate({ agents: 40, seed: 9 });
    const model = compile(s);
    const csr = plainCsr(s, model.indexOf);
    const source = 0;
    const visited = new Uint8Array(model.nodeCount);
    const count = rawCsrBfs(csr, source, visited, new Int32Array(model.nodeCount));
    const adj = new Map<string, string[]>();
    for (const e of s.edges) adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
    const seen = new Set([s.nodes[source]!.id]);
    const queue = [s.nodes[source]!.id];
    for (let i = 0; i < queue.length; i++) {
      for (const w of adj.get(queue[i]!) ?? []) {
        if (!seen.has(w)) {
          seen.add(w);
          queue.push(w);
        }
      }
    }
    expect(count).toBe(seen.size);
  });

  it('should give the static reach of an agent every resource its own credentials grant', () => {
    const s = generateEstate({ agents: 20, seed: 4 });
    const model = compile(s);
    const agent = model.indexOf.get(s.nodes[0]!.id)!;
    const reached = staticReach(model)(agent);
    for (const e of s.edges) {
      if (e.kind !== 'grants') continue;
      const heldByAgent = s.edges.some((h) => h.kind === 'holds' && h.from === s.nodes[0]!.id && h.to === e.from);
      if (!heldByAgent) continue;
      const bits = reached[model.indexOf.get(e.to)!]!;
      if (e.actions.includes('read')) expect(bits & READ).toBe(READ);
      if (e.actions.includes('admin')) expect(bits & ADMIN).toBe(ADMIN);
    }
  });

  it('should pop the raw heap in time order', () => {
    const heap = new RawHeap(2);
    const times = [5, 3, 9, 1, 1, 7, 0, 12, 4];
    times.forEach((t, i) => heap.push(t, i));
    const out: number[] = [];
    while (heap.size > 0) {
      heap.pop();
      out.push(heap.lastTime);
    }
    expect(out).toEqual([...times].sort((a, b) => a - b));
  });
});
