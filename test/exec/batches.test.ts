/**
 * Batches (exec/batches.ts planBatches, CellDelivery; exec/worker.ts runBatch): the attacks of one (scenario, policy)
 * run trial by trial in one batch, on one replay of each trial's workload occurrences. That must give
 * every attack the metrics it gets alone, and the consumer must still see the cells in plan order.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/model/compile.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { planTrials } from '../../src/exec/plan.js';
import { tempoPlan } from '../../src/exec/tempo.js';
import { variantPlan } from '../../src/exec/attribution.js';
import { baselines } from '../../src/exec/baseline.js';
import { CellDelivery, planBatches, type BatchResult } from '../../src/exec/batches.js';
import { executePlan } from '../../src/exec/pool.js';
import { shardPlan } from '../../src/exec/shard.js';
import { decodeMetrics, runBatch } from '../../src/exec/worker.js';
import { runTrialDetailed } from '../../src/sim/trial.js';
import { METRICS } from '../../src/domain/metrics.js';
import { RunInterruptedError } from '../../src/errors.js';

const dropbox = loadScenarioFile('scenarios/breaches/dropbox-sign-2024.yaml');
// Its issuers' latencies are drawn at random: each trial's workload is its own.
const handoff = loadScenarioFile('scenarios/agents/multi-agent-handoff.yaml');

describe('batches of one policy', () => {
  it('should give each attack of a batch the metrics of its trials run alone (trials and tempo variants)', () => {
    // Token copies landing where the attacker reads, a month of them; the tempo plan's batches hold
    // every attack at 1m, 10m and 1h.
    const plan = planTrials([dropbox, handoff], { trials: 3 });
    const models = plan.scenarios.map((s) => compile(s));
    const tempo = tempoPlan(plan, models, 3);
    for (const [p, m, riskOnly] of [
      [plan, models, false],
      [tempo.plan, tempo.models, true],
    ] as const) {
      // One batch per group, over all its trials (planBatches cuts this small plan into a trial a batch).
      const batches = planBatches(p, 1).filter(
        (b, i, all) => i === 0 || b.policyIndex !== all[i - 1]!.policyIndex || b.scenarioIndex !== all[i - 1]!.scenarioIndex,
      );
      expect(batches.some((b) => b.attacks.length > 1)).toBe(true);
      for (const group of batches) {
        const cell = p.cells.find((c) => c.scenarioIndex === group.scenarioIndex && c.policyIndex === group.policyIndex)!;
        const batch = { ...group, trialStart: cell.trialStart, trialEnd: cell.trialEnd };
        const model = m[batch.scenarioIndex]!;
        const values = runBatch(model, { ...batch, cursor: new Int32Array(2), riskOnly });
        const rows = batch.trialEnd - batch.trialStart;
        expect(values.length).toBe(batch.attacks.length * rows * METRICS.length);
        batch.attacks.forEach((attack, block) => {
          for (let trial = batch.trialStart; trial < batch.trialEnd; trial++) {
            const alone = runTrialDetailed(model, batch.policyIndex, attack, trial, { riskOnly }).metrics;
            expect(decodeMetrics(values, block * rows + trial - batch.trialStart)).toEqual(alone);
          }
        });
      }
    }
  });

  it('should group only cells of one scenario and policy with one trial range, and cut a group into runs of trials', () => {
    const plan = planTrials([dropbox], { trials: 40 });
    // A shard that starts and ends inside cells: its first and last cells have trial ranges of their own.
    const shard = shardPlan(plan, { index: 1, count: 3 });
    for (const p of [plan, shard]) {
      const batches = planBatches(p, 8);
      const covered = batches.flatMap((b) =>
        b.attacks.map((a) => `${b.scenarioIndex}/${b.policyIndex}/${a}/${b.trialStart}-${b.trialEnd}`),
      );
      for (const cell of p.cells) {
        const own = batches.filter((b) => b.policyIndex === cell.policyIndex && b.attacks.includes(cell.attackIndex));
        // Every trial of the cell is in exactly one batch.
        const trials = own.flatMap((b) => Array.from({ length: b.trialEnd - b.trialStart }, (_, i) => b.trialStart + i));
        expect(trials.sort((x, y) => x - y)).toEqual(
          Array.from({ length: cell.trialEnd - cell.trialStart }, (_, i) => cell.trialStart + i),
        );
        for (const b of own) expect(b.trialStart >= cell.trialStart && b.trialEnd <= cell.trialEnd).toBe(true);
      }
      expect(new Set(covered).size).toBe(covered.length);
    }
    // 40 trials, 8 workers: batches of about 40·attacks·policies / 128 trial runs, several per group.
    const batches = planBatches(plan, 8);
    expect(batches.length).toBeGreaterThan(new Set(batches.map((b) => b.policyIndex)).size);
  });

  it('should hand the cells to the consumer in plan order, each trial once, when groups are cut into several batches', async () => {
    const plan = planTrials([dropbox], { trials: 9 });
    const models = plan.scenarios.map((s) => compile(s));
    // Several batches per group: a consumer fed batch by batch would see attacks interleaved.
    const batches = planBatches(plan, 1);
    expect(batches.filter((b) => b.policyIndex === 0).length).toBeGreaterThan(1);
    const seen: [number, number, number][] = [];
    await executePlan(plan, models, { workers: 1, riskOnly: true }, (b: BatchResult) => {
      expect(b.values.length).toBe((b.trialEnd - b.trialStart) * METRICS.length);
      for (let t = b.trialStart; t < b.trialEnd; t++) seen.push([b.cell.policyIndex, b.cell.attackIndex, t]);
    });
    const expected = plan.cells.flatMap((c) =>
      Array.from({ length: c.trialEnd - c.trialStart }, (_, i): [number, number, number] => [
        c.policyIndex,
        c.attackIndex,
        c.trialStart + i,
      ]),
    );
    expect(seen).toEqual(expected);
  });

  it('should let other work run between the cells of a backlog it releases at once', async () => {
    // Cells 1 and 2 done first wait for cell 0; when it comes, the three go to the consumer, and the
    // thread takes its other messages in between (on a pool: finished workers get their next batches).
    const plan = planTrials([dropbox], { trials: 2 });
    const [first, second, third] = plan.cells;
    const order: string[] = [];
    const delivery = new CellDelivery(plan, (b: BatchResult) => void order.push(`cell ${plan.cells.indexOf(b.cell)}`), undefined);
    const batchOf = (cell: typeof first) => ({
      kind: 'batch' as const,
      scenarioIndex: cell!.scenarioIndex,
      policyIndex: cell!.policyIndex,
      attacks: [cell!.attackIndex],
      policies: [cell!.policyIndex],
      trialStart: cell!.trialStart,
      trialEnd: cell!.trialEnd,
    });
    const values = new Float64Array(2 * METRICS.length);
    await delivery.deliver(batchOf(third), values);
    await delivery.deliver(batchOf(second), values);
    expect(order).toEqual([]);
    setImmediate(() => order.push('other work'));
    await delivery.deliver(batchOf(first), values);
    expect(order).toEqual(['cell 0', 'other work', 'cell 1', 'cell 2']);
  });

  it('should hand a big cell on batch by batch: only groups of a bounded size wait for their last batch', async () => {
    // 2 policies × 2 attacks × 7,000 trials: a group would hold 14,000 trial runs, over the bound, so
    // each cell runs in batches of its own and each reaches the consumer (and the progress bar) at once:
    // stopping the run at the first one leaves the rest of the cell unrun.
    const ciKey = loadScenarioFile('test/fixtures/e2e/suite/ci-key.yaml');
    const plan = planTrials([ciKey], { trials: 7000 });
    const models = plan.scenarios.map((s) => compile(s));
    const batches = planBatches(plan, 1);
    expect(batches.every((b) => b.attacks.length === 1)).toBe(true);
    const abort = new AbortController();
    const handed: number[] = [];
    const run = executePlan(plan, models, { workers: 1, riskOnly: true, signal: abort.signal }, (b: BatchResult) => {
      handed.push(b.trialEnd - b.trialStart);
      abort.abort();
    });
    await expect(run).rejects.toThrow(RunInterruptedError);
    expect(handed).toEqual([batches[0]!.trialEnd - batches[0]!.trialStart]);
    expect(handed[0]).toBeLessThan(7000);
  });

  it("should run an attribution policy's variants that leave its workload alone in one batch, each cell with its own metrics, in plan order", async () => {
    const plan = planTrials([handoff], { trials: 3 });
    const models = plan.scenarios.map((s) => compile(s));
    const variants = variantPlan(plan, models, baselines(plan, undefined), 3);
    const batches = planBatches(variants.plan, 1, true);
    // Variants of one policy that share its workload run together, adjacent in the plan or not.
    const shared = batches.filter((b) => new Set(b.policies).size > 1);
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.some((b) => b.policies.some((p, i) => i > 0 && p > b.policies[i - 1]! + 1))).toBe(true);
    const seen: string[] = [];
    await executePlan(variants.plan, variants.models, { workers: 1, riskOnly: true }, (b: BatchResult) => {
      const model = variants.models[b.cell.scenarioIndex]!;
      for (let t = b.trialStart; t < b.trialEnd; t++) {
        seen.push(`${b.cell.policyIndex}/${b.cell.attackIndex}/${t}`);
        const alone = runTrialDetailed(model, b.cell.policyIndex, b.cell.attackIndex, t, { riskOnly: true }).metrics;
        expect(decodeMetrics(b.values, t - b.trialStart)).toEqual(alone);
      }
    });
    const expected = variants.plan.cells.flatMap((c) =>
      Array.from({ length: c.trialEnd - c.trialStart }, (_, i) => `${c.policyIndex}/${c.attackIndex}/${c.trialStart + i}`),
    );
    expect(seen).toEqual(expected);
  });

  it('should refuse a batch whose policies draw different workloads', () => {
    const plan = planTrials([dropbox], { trials: 1 });
    const model = compile(plan.scenarios[0]!);
    const policies = [0, 1];
    expect(() =>
      runBatch(model, {
        kind: 'batch',
        scenarioIndex: 0,
        policyIndex: 0,
        policies,
        attacks: [0, 0],
        trialStart: 0,
        trialEnd: 1,
        cursor: new Int32Array(2),
        riskOnly: true,
      }),
    ).toThrow(/do not draw one workload/);
  });
});
