/**
 * Worker threads that can be stopped without crashing the process.
 *
 * Node 20 tears a worker down by unregistering its V8 isolate from the platform and only then
 * disposing it. A TurboFan job still compiling that worker's code on a background thread can, in
 * that window, allocate, ask the platform for the isolate's task runner, and abort the whole
 * process (`Assertion failed: (data.first) != nullptr` in `NodePlatform::ForIsolate`, exit 134).
 * A run that ended its last batch then died while its pool shut down: about one run in twelve of
 * `blastlab run scenarios/ci-deploy-key.yaml --trials 5` on 2 cores.
 *
 * Compiling optimized code on the worker's own thread instead leaves no background job to race
 * the teardown. V8 reads the flag when it creates an isolate, so it holds for every worker started
 * afterwards and leaves this thread's isolate as it is. Measured: no change in run time (the
 * workers are CPU-bound; background compiling only competed with them for the same cores).
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/** Call before starting worker threads: every worker started afterwards shuts down safely. */
export function safeWorkerTeardown(): void {
  if (applied) return;
  setFlagsFromString('--no-concurrent-recompilation');
  applied = true;
}
