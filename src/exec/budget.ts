/**
 * The work budget (docs/reliability.md, "Budgets"): a scenario whose workload asks for more task
 * events per trial than the budget is refused before anything runs — `every: 1ms` over a 100-year
 * horizon is 3·10¹² occurrences, hours of one trial, not a typo to discover after ten minutes.
 *
 * Events per trial = Σ over workload tasks of (occurrences inside the horizon × steps): the work of a
 * trial's workload replay, which dominates a trial on big estates. The default is about five times a
 * generated 10,000-agent estate (1.9·10⁷); raise it with `--max-events`.
 */
import type { ScenarioIssue } from '../errors.js';
import type { Scenario } from '../domain/scenario.js';
import { occurrenceCount } from '../workload/occurrence.js';

/** The most values one `sweep` takes: each is a point of the report's charts, whose layout recurses per point. */
export const MAX_SWEEP_VALUES = 100;

/** Default budget: task events per trial. */
export const DEFAULT_MAX_EVENTS = 100_000_000;

/** The estimated task events of one trial of a scenario, and the task that contributes most. */
export function eventsPerTrial(scenario: Scenario): { events: number; largest: { index: number; events: number } | null } {
  let events = 0;
  let largest: { index: number; events: number } | null = null;
  scenario.workload.forEach((task, index) => {
    const n = occurrenceCount(task, scenario.horizonMs) * Math.max(1, task.steps.length);
    events += n;
    if (largest === null || n > largest.events) largest = { index, events: n };
  });
  return { events, largest };
}

/** One issue per scenario over the budget, with the numbers and how to raise it. */
export function workBudgetIssues(scenarios: readonly Scenario[], maxEvents: number = DEFAULT_MAX_EVENTS): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const scenario of scenarios) {
    const { events, largest } = eventsPerTrial(scenario);
    if (events <= maxEvents || largest === null) continue;
    issues.push({
      code: 'over-work-budget',
      file: scenario.source.file,
      line: null,
      column: null,
      path: `workload[${largest.index}]`,
      message:
        `work budget: about ${formatCount(events)} task events per trial (occurrences inside the horizon × steps; ` +
        `this task alone: ${formatCount(largest.events)}), over the budget of ${formatCount(maxEvents)}`,
      hint: `a longer "every" or a shorter horizon; or, if intended, raise the budget with --max-events ${Math.ceil(events)}`,
    });
  }
  return issues;
}

function formatCount(n: number): string {
  return n >= 1e6 ? n.toExponential(2).replace('e+', '·10^') : String(n);
}
