/**
 * The pool's schedule (exec/pool.ts runOnPool): a slow batch at the head of the plan holds back the
 * delivery of the results behind it, never the other workers. A worker module that stands in for the
 * real one sleeps on the plan's first batch and stamps every other batch with the moment it ended.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/domain/metrics.js';
import { compile } from '../../src/model/compile.js';
import { executePlan } from '../../src/exec/pool.js';
import { planBatches } from '../../src/exec/batches.js';
import { planTrials } from '../../src/exec/plan.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { removeTempDirs, tempDir } from '../tmp.js';

afterAll(removeTempDirs);

const SLEEP_MS = 2500;

describe('exec/pool schedule', () => {
  it('should keep the other workers busy while the first batch runs long', async () => {
    const worker = join(tempDir('blastlab-schedule-'), 'slow-first.mjs');
    writeFileSync(
      worker,
      `export default function (task) {
  const rows = (task.trialEnd - task.trialStart) * task.attacks.length;
  const first = task.scenarioIndex === 0 && task.policyIndex === 0 && task.trialStart === 0;
  if (first) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${SLEEP_MS});
  const values = new Float64Array(rows * ${METRICS.length});
  for (let r = 0; r < rows; r++) values[r * ${METRICS.length}] = performance.timeOrigin + performance.now();
  return values;
}
`,
    );
    const scenario = loadScenarioFile('scenarios/breaches/dropbox-sign-2024.yaml');
    const plan = planTrials([scenario], { trials: 40 });
    const models = plan.scenarios.map((s) => compile(s));
    const batches = planBatches(plan, 2, true);
    // Far more batches than the old window (4 a worker, counted from the batch awaited next).
    expect(batches.length).toBeGreaterThan(24);

    const ends: { batch: string; end: number }[] = [];
    await executePlan(plan, models, { workers: 2, riskOnly: true, workerFile: pathToFileURL(worker) }, (result) => {
      ends.push({ batch: `${result.cell.policyIndex}/${result.trialStart}`, end: result.values[0]! });
    });
    const slow = ends.find((e) => e.batch === '0/0')!;
    const doneMeanwhile = new Set(ends.filter((e) => e.end < slow.end - SLEEP_MS / 3).map((e) => e.batch));
    // Before, at most 7 batches (the window less the slow one) could end while it ran.
    expect(doneMeanwhile.size).toBeGreaterThan(16);
  }, 30_000);
});
