/**
 * One pool for a whole run (exec/pool.ts TrialPool): the trials and their variants run on the same
 * workers, a variant shipped as the scenario fields it changes over the model the workers already have.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, ROOT } from '../e2e/helpers.js';
import { removeTempDirs, tempDir } from '../tmp.js';

describe('a pool shared by a run', () => {
  beforeAll(() => build());
  afterAll(removeTempDirs);

  it('should run a model and its variants, at once, with the values of a run in this thread', () => {
    const script = join(tempDir('blastlab-pool-'), 'shared.mjs');
    const dist = (path: string): string => JSON.stringify(pathToFileURL(join(ROOT, 'dist', path)).href);
    writeFileSync(
      script,
      `import { compile, loadScenarioFile, planTrials } from ${dist('index.js')};
import { executePlan, TrialPool } from ${dist('exec/pool.js')};
import { tempoPlan } from ${dist('exec/tempo.js')};
const scenario = await loadScenarioFile(${JSON.stringify(join(ROOT, 'scenarios/breaches/dropbox-sign-2024.yaml'))});
const plan = planTrials([scenario], { trials: 6 });
const models = plan.scenarios.map((s) => compile(s));
const tempo = tempoPlan(plan, models, 6);
const collect = async (p, m, options) => {
  const rows = [];
  await executePlan(p, m, options, (b) => {
    const width = b.values.length / (b.trialEnd - b.trialStart);
    for (let t = b.trialStart; t < b.trialEnd; t++)
      rows.push([b.cell, t, [...b.values.subarray((t - b.trialStart) * width, (t - b.trialStart + 1) * width)]]);
  });
  return JSON.stringify(rows);
};
const inThread = [await collect(plan, models, { workers: 1 }), await collect(tempo.plan, tempo.models, { workers: 1, riskOnly: true })];
const pool = new TrialPool(2);
const base = pool.handle(models[0]);
const variant = pool.handle(tempo.models[0]);
const shared = await Promise.all([
  collect(plan, models, { workers: 2, pool }),
  collect(tempo.plan, tempo.models, { workers: 2, pool, riskOnly: true }),
]);
await pool.close();
console.log(JSON.stringify({
  same: shared[0] === inThread[0] && shared[1] === inThread[1],
  rows: JSON.parse(shared[0]).length + JSON.parse(shared[1]).length, // one per trial
  base: base.overlay === null && variant.base === base.id && variant.id !== base.id,
  overlay: Object.keys((await import('node:v8')).deserialize(variant.overlay)),
}));
`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { same: boolean; rows: number; base: boolean; overlay: string[] };
    expect(out.rows).toBeGreaterThan(0);
    expect(out).toEqual({ same: true, rows: out.rows, base: true, overlay: ['attacks'] });
  }, 90_000);
});
