/** scenarios.csv rows: what each scenario replays and which framework ids and sources it cites (SPEC §8). */
import type { Scenario } from '../domain/scenario.js';
import { credentialAges } from './credential-ages.js';

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
  /** Credential counts and the oldest standing secret's age (metrics/credential-ages.ts); null = no known age. */
  readonly credentials: number;
  readonly standing_credentials: number;
  readonly stale_credentials: number;
  readonly oldest_standing_secret_age_s: number | null;
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
    ...credentialColumns(scenario),
  };
}

/** The credential columns of scenarios.csv. */
function credentialColumns(
  scenario: Scenario,
): Pick<ScenariosRow, 'credentials' | 'standing_credentials' | 'stale_credentials' | 'oldest_standing_secret_age_s'> {
  const ages = credentialAges(scenario);
  const oldest = ages.oldest[0]?.ageMs;
  return {
    credentials: ages.credentials,
    standing_credentials: ages.standing,
    stale_credentials: ages.stale.length,
    oldest_standing_secret_age_s: oldest === undefined || oldest === null ? null : Math.floor(oldest / 1000),
  };
}
