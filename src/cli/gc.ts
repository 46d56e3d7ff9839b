/**
 * A full garbage collection on request, for the few commands that drop most of their heap between
 * steps. V8 collects the old generation lazily: after loading a big estate (file text, parsed JSON,
 * its validated copy — about 0.6 GB of garbage for the 1M-edge estate) it lets the heap grow to
 * several times the live size before the next full collection, so the peak RSS of `export --results`
 * was the loader's garbage plus the replay's. One collection after each step keeps the peak near the
 * live size (measured: 1.66 → 1.25 GB, no CPU cost). Like main.ts, this sets a V8 flag at run time
 * (`--expose-gc`, which only makes `gc` available to new contexts); where that is not possible it
 * does nothing.
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

/**
 * Loading is done: worker threads started from now on get V8's default young generation. main.ts
 * raises the semi-space to 64 MB for the load (millions of objects that all survive), and V8 flags
 * are process-wide, so each worker's young generation grew to 134 MB too, where a worker's trials
 * make short-lived objects. Measured on the 10k run (`node bench/run-10k.mjs 1000 2`): peak RSS
 * 1.20–1.30 → 1.10 GB, the time unchanged. The main thread's heap keeps what it has.
 */
export function loadingDone(): void {
  // 0 is V8's own default: the size then follows the heap's configuration (or a worker's resourceLimits).
  setFlagsFromString('--max-semi-space-size=0');
  collectGarbage();
}
