/**
 * The CLI's heap settings, for the few commands that hold a big estate.
 *
 * A full garbage collection on request, for those that drop most of their heap between steps. V8
 * collects the old generation lazily: after loading a big estate (file text, parsed JSON, its
 * validated copy — about 0.6 GB of garbage for the 1M-edge estate) it lets the heap grow to several
 * times the live size before the next full collection, so the peak RSS of `export --results` was the
 * loader's garbage plus the replay's. One collection after each step keeps the peak near the live size
 * (measured: 1.66 → 1.25 GB, no CPU cost). Like main.ts, this sets V8 flags at run time (`--expose-gc`,
 * which only makes `gc` available to new contexts); where that is not possible it does nothing.
 *
 * Lean worker heaps for a run over a big estate (leanWorkerHeaps).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Runs a full garbage collection (no-op when the runtime does not allow it). */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const found: unknown = runInNewContext('gc');
      gc = typeof found === 'function' ? (found as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** Graph edges, summed over a run's scenarios, from which the worker threads get lean heaps. */
export const LEAN_HEAP_EDGES = 500_000;

/**
 * Before the worker threads start, for a run whose scenarios have `edges` graph edges in all: from
 * LEAN_HEAP_EDGES on, the workers get V8's default young generation (16 MB semi-spaces instead of
 * main.ts's 64 MB) and an old generation that at most doubles between full collections (V8 lets it
 * grow up to fourfold). Each worker then holds a copy of a model of about 90 MB live, and the default
 * settings stack young generation and garbage on top of it. Measured on the 10k estate (1M edges,
 * 1,000 trials, 2 workers): 1.07–1.19 GB → 0.83–0.91 GB peak RSS, 9.1 → 9.3–9.4 s. Below the
 * threshold the default heaps stay well under 1 GB and the lean ones cost 13–22% of the time
 * (docs/scale.md). Flags are process-wide and read when a thread starts: this holds for every pool
 * created after it.
 */
export function leanWorkerHeaps(edges: number): void {
  if (edges < LEAN_HEAP_EDGES) return;
  setFlagsFromString('--max-semi-space-size=16');
  setFlagsFromString('--heap-growing-percent=100');
}
