import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_EVENTS, eventsPerTrial, workBudgetIssues } from '../../src/exec/budget.js';
import { runScenarios } from '../../src/exec/run.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { BIN, build } from '../e2e/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'blastlab-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The policy of scenarioFile: a standing key, or one minted per task with a random issuer latency (a draw per occurrence). */
const POLICIES = {
  persistent: '{ kind: persistent }',
  minted: '{ kind: ephemeral, ttl: 15m, scope: task, issuer: { latency: { lognormal: { median: 5ms, sigma: 0.5 } } } }',
} as const;

/** A valid scenario whose one task runs `every` over `horizon`. */
function scenarioFile(name: string, every: string, horizon: string, policy: keyof typeof POLICIES = 'persistent'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
horizon: ${horizon}
nodes:
  - { id: a, kind: agent }
  - { id: c, kind: credential }
  - { id: r, kind: resource }
edges:
  - { from: a, to: c, kind: holds }
  - { from: c, to: r, kind: grants, actions: [read, write] }
workload:
  - { agent: a, every: 1h, duration: 1m, steps: [{ target: r, action: read }] }
  - { agent: a, every: ${every}, duration: 1ms, steps: [{ target: r, action: read }, { target: r, action: write }] }
attacks:
  - { pattern: secret-replay, credential: c, from: a, leakAt: 1h }
policies:
  ${policy}: ${POLICIES[policy]}
`,
  );
  return file;
}

describe('exec/budget', () => {
  it('should count task occurrences inside the horizon times steps', () => {
    const s = loadScenarioFile(scenarioFile('small', '1m', '10h'));
    expect(eventsPerTrial(s)).toEqual({ events: 10 + 600 * 2, largest: { index: 1, events: 1200 } });
  });

  it('should refuse every: 1ms over 100 years with the numbers and how to raise the budget', () => {
    const s = loadScenarioFile(scenarioFile('runaway', '1ms', '36500d'));
    const [issue, ...rest] = workBudgetIssues([s]);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: 'workload[1]',
      message: expect.stringContaining('6.31·10^12 task events per trial'),
      hint: expect.stringContaining('--max-events 6307200876000'),
    });
    expect(workBudgetIssues([s], 7e12)).toEqual([]);
    expect(workBudgetIssues([loadScenarioFile('test/fixtures/good/ci-deploy-key.yaml')], DEFAULT_MAX_EVENTS)).toEqual([]);
  });

  it('should refuse to run a scenario over the budget before anything is written (ScenarioError, exit 2)', async () => {
    const s = loadScenarioFile(scenarioFile('runaway2', '1ms', '36500d'));
    const out = join(dir, 'out');
    await expect(runScenarios([s], { out, workers: 1 })).rejects.toThrow(expect.objectContaining({ name: 'ScenarioError' }));
    expect(existsSync(out)).toBe(false);
  });

  it('should stop a runaway trial mid-way with one worker when the run is aborted', async () => {
    // The worker thread runs dist/ (npm test builds it first; a stale one is rebuilt here, slowly).
    build();
    // Every occurrence draws its issuer latency: the cost pass cannot stand one occurrence for all.
    const s = loadScenarioFile(scenarioFile('slow', '1ms', '36500d', 'minted'));
    const controller = new AbortController();
    const started = process.hrtime.bigint();
    setTimeout(() => controller.abort('SIGTERM'), 500);
    const run = runScenarios([s], {
      out: join(dir, 'slow-out'),
      trials: 1,
      workers: 1,
      maxEvents: 1e13,
      signal: controller.signal,
      workerFile: new URL('exec/worker.js', `file://${BIN.replace(/cli\/main\.js$/, '')}`),
    });
    await expect(run).rejects.toThrow(expect.objectContaining({ name: 'RunInterruptedError', signal: 'SIGTERM' }));
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(10);
    expect(readdirSync(dir).filter((n) => n.includes('slow-out'))).toEqual([]);
  }, 300_000);
});

describe('exec/sweep limits', () => {
  it('should refuse more than MAX_SWEEP_VALUES values before running anything (UsageError, exit 2)', async () => {
    const { runSweep } = await import('../../src/exec/sweep.js');
    const { MAX_SWEEP_VALUES } = await import('../../src/exec/budget.js');
    const values = Array.from({ length: MAX_SWEEP_VALUES + 1 }, (_, i) => `${i + 1}m`);
    const out = join(dir, 'sweep-out');
    await expect(
      runSweep('test/fixtures/good/ci-deploy-key.yaml', { out, policy: 'ephemeral-15m', param: 'ttl', values, workers: 1 }),
    ).rejects.toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(`at most ${MAX_SWEEP_VALUES} values`) }),
    );
    expect(existsSync(out)).toBe(false);
  });
});
