/** scenarios.csv rows: what each scenario replays and which framework ids and sources it cites (SPEC §8). */
import type { Scenario } from '../domain/scenario.js';

/** Separator for list cells (patterns, framework ids, references). */
export const LIST_SEPARATOR = '; ';

/** One row of scenarios.csv before formatting; keys are the CSV columns. */
export interface ScenariosRow {
  readonly scenario: string;
  readonly description: string;
  /** Distinct pattern ids in attack order. */
  readonly patterns: string;
  readonly owasp_nhi: string;
  readonly attack: string;
  readonly nist_csf: string;
  readonly references: string;
}

/** Distinct pattern ids of a scenario's attacks, in attack order. */
export function patternsOf(scenario: Scenario): string[] {
  return [...new Set(scenario.attacks.map((a) => a.pattern))];
}

/** The scenarios.csv row of one scenario. */
export function scenarioRow(scenario: Scenario): ScenariosRow {
  const ids = (framework: string): string =>
    (Object.hasOwn(scenario.frameworks, framework) ? (scenario.frameworks[framework] ?? []) : []).join(LIST_SEPARATOR);
  return {
    scenario: scenario.name,
    description: scenario.description,
    patterns: patternsOf(scenario).join(LIST_SEPARATOR),
    owasp_nhi: ids('owasp-nhi'),
    attack: ids('attack'),
    nist_csf: ids('nist-csf'),
    references: scenario.references.join(LIST_SEPARATOR),
  };
}
