/** The report's credential-age lists (docs/import.md): the ten oldest standing secrets and the stale ones. */
import { credentialAges, type CredentialAge } from '../metrics/credential-ages.js';
import type { Scenario } from '../domain/scenario.js';
import { humanSeconds } from './human.js';

/** One titled list of plain-text items. */
export interface AgeList {
  /** Anchor suffix. */
  readonly id: string;
  readonly title: string;
  readonly items: readonly string[];
}

const days = (ms: number): string => humanSeconds(ms / 1000);

function describe(c: CredentialAge): string {
  const parts = [`${c.id} (${c.type})`];
  if (c.ageMs !== null) parts.push(`version in force issued ${days(c.ageMs)} before asOf`);
  parts.push(c.unusedMs === null ? 'last use unknown' : `last used ${days(c.unusedMs)} before asOf`);
  return parts.join(': ');
}

/** The lists to show for a scenario; none when it has no real timestamps. */
export function credentialAgeLists(scenario: Scenario): AgeList[] {
  if (scenario.asOf === null) return [];
  const ages = credentialAges(scenario);
  const lists: AgeList[] = [];
  if (ages.oldest.length > 0) {
    lists.push({
      id: 'oldest-secrets',
      title: `Oldest standing secrets (as of ${scenario.asOf})`,
      items: ages.oldest.map(describe),
    });
  }
  if (ages.stale.length > 0) {
    lists.push({
      id: 'stale-credentials',
      title: `Stale credentials (unused for more than ${days(scenario.staleAfterMs)})`,
      items: ages.stale.map(describe),
    });
  }
  return lists;
}
