/**
 * A run must not die while its worker pool shuts down. On Node 20, stopping a worker whose code a
 * background TurboFan job is still compiling aborted the process (exit 134) after the last batch:
 * ten pool runs in a row crashed every time before src/lib/threads.ts.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, ROOT } from '../e2e/helpers.js';
import { removeTempDirs, tempDir } from '../tmp.js';

const RUNS = 10;

describe('worker pool shutdown', () => {
  beforeAll(() => build());
  afterAll(removeTempDirs);

  it(`should shut the pool down cleanly after each of ${RUNS} runs in one process`, () => {
    const script = join(tempDir('blastlab-teardown-'), 'runs.mjs');
    const api = pathToFileURL(join(ROOT, 'dist/index.js')).href;
    writeFileSync(
      script,
      `import { compile, executePlan, loadScenarioFile, planTrials } from ${JSON.stringify(api)};
const scenario = await loadScenarioFile(${JSON.stringify(join(ROOT, 'scenarios/ci-deploy-key.yaml'))});
const plan = planTrials([scenario], { trials: 5 });
const models = plan.scenarios.map((s) => compile(s));
let trials = 0;
for (let i = 0; i < ${RUNS}; i++) {
  await executePlan(plan, models, { workers: 2 }, (batch) => { trials += batch.trialEnd - batch.trialStart; });
}
console.log(trials);
`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Assertion failed/);
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    expect(Number(r.stdout.trim())).toBe(RUNS * 5 * 3 * 2);
  }, 90_000);
});
