/** Indexed access to summary rows, and the scenario × policy × attack structure they describe, in row order. */
import type { Metric } from '../domain/metrics.js';
import type { SummaryRow } from '../metrics/summary.js';

/** One scenario's policies and attacks as they appear in the summary (already in file order). */
export interface ScenarioShape {
  readonly scenario: string;
  readonly policies: readonly string[];
  readonly attacks: readonly string[];
}

/** Summary rows indexed by (scenario, policy, attack, metric). */
export class SummaryIndex {
  private readonly rows = new Map<string, SummaryRow>();
  /** Scenarios in summary order, each with its policies and attacks in summary order. */
  readonly shapes: readonly ScenarioShape[];

  constructor(summary: Iterable<SummaryRow>) {
    const shapes = new Map<string, { scenario: string; policies: string[]; attacks: string[] }>();
    for (const row of summary) {
      this.rows.set(key(row.scenario, row.policy, row.attack, row.metric), row);
      let shape = shapes.get(row.scenario);
      if (shape === undefined) {
        shape = { scenario: row.scenario, policies: [], attacks: [] };
        shapes.set(row.scenario, shape);
      }
      if (!shape.policies.includes(row.policy)) shape.policies.push(row.policy);
      if (!shape.attacks.includes(row.attack)) shape.attacks.push(row.attack);
    }
    this.shapes = [...shapes.values()];
  }

  /** The summary row, if any. */
  get(scenario: string, policy: string, attack: string, metric: Metric): SummaryRow | undefined {
    return this.rows.get(key(scenario, policy, attack, metric));
  }

  /** The mean, or `null` when absent or empty. */
  mean(scenario: string, policy: string, attack: string, metric: Metric): number | null {
    return this.get(scenario, policy, attack, metric)?.mean ?? null;
  }

  /** The shape of one scenario. */
  shape(scenario: string): ScenarioShape | undefined {
    return this.shapes.find((s) => s.scenario === scenario);
  }
}

/** The baseline of a scenario: the given one, else its first policy. */
export function baselineOf(
  shape: ScenarioShape,
  baselineByScenario: ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined,
): string {
  const given =
    baselineByScenario === undefined
      ? undefined
      : baselineByScenario instanceof Map
        ? (baselineByScenario as ReadonlyMap<string, string>).get(shape.scenario)
        : Object.hasOwn(baselineByScenario, shape.scenario)
          ? (baselineByScenario as Readonly<Record<string, string>>)[shape.scenario]
          : undefined;
  return given ?? shape.policies[0] ?? '';
}

function key(scenario: string, policy: string, attack: string, metric: string): string {
  return `${scenario}\u0000${policy}\u0000${attack}\u0000${metric}`;
}
