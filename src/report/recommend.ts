/**
 * The recommendation of "At a glance": for one scenario and attack, which policy to adopt.
 *
 * Rule (docs/outputs.md): the candidates are the policies whose blast radius is not worse than another
 * policy's beyond the 95% confidence intervals (no other policy's interval lies wholly below theirs:
 * their lower end is at most the smallest upper end). Among them the cheapest wins: fewest failed tasks, then fewest tokens issued, then the
 * lower mean blast radius, then the name (so the answer never depends on the order of the file). The
 * baseline is a candidate too: when it wins, no policy lowers the blast radius clearly enough to pay for.
 */
import type { SummaryRow } from '../metrics/summary.js';

/** One policy's numbers the rule reads. */
export interface PolicyStanding {
  readonly policy: string;
  readonly blast: SummaryRow | undefined;
  readonly tasksFailed: number | null;
  readonly tokensIssued: number | null;
}

/** Why the recommended policy won, as data (`code`) and as one line (`message`). */
export type RecommendationReason =
  | { readonly code: 'only-candidate'; readonly message: string }
  | { readonly code: 'fewer-failed-tasks'; readonly message: string }
  | { readonly code: 'fewer-tokens'; readonly message: string }
  | { readonly code: 'lower-blast-radius'; readonly message: string }
  | { readonly code: 'name-order'; readonly message: string };

/** The outcome for one scenario × attack. */
export type Recommendation =
  | {
      readonly state: 'policy';
      readonly policy: string;
      readonly candidates: readonly string[];
      readonly reason: RecommendationReason;
    }
  | { readonly state: 'baseline'; readonly candidates: readonly string[]; readonly reason: RecommendationReason }
  | { readonly state: 'no-data' };

interface Interval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

function intervalOf(row: SummaryRow | undefined): Interval | null {
  if (row === undefined || row.mean === null) return null;
  return { mean: row.mean, low: row.ci95_low ?? row.mean, high: row.ci95_high ?? row.mean };
}

/** Compares two nullable costs; an unknown cost sorts last. */
function byCost(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Applies the rule to every policy of one scenario × attack (`baseline` names the baseline policy). */
export function recommend(standings: readonly PolicyStanding[], baseline: string): Recommendation {
  const known = standings.flatMap((s) => {
    const interval = intervalOf(s.blast);
    return interval === null ? [] : [{ ...s, interval }];
  });
  if (known.length === 0) return { state: 'no-data' };
  // A policy is clearly worse when another's interval lies wholly below its own: keep every other one.
  const ceiling = Math.min(...known.map((s) => s.interval.high));
  const candidates = known.filter((s) => s.interval.low <= ceiling);
  const ranked = [...candidates].sort(
    (a, b) =>
      byCost(a.tasksFailed, b.tasksFailed) ||
      byCost(a.tokensIssued, b.tokensIssued) ||
      a.interval.mean - b.interval.mean ||
      (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0),
  );
  const winner = ranked[0]!;
  const runnerUp = ranked[1];
  const names = candidates.map((c) => c.policy).sort();
  const reason = ((): RecommendationReason => {
    if (runnerUp === undefined) return { code: 'only-candidate', message: 'the only policy this low' };
    const of = `cheapest of ${candidates.length} within the 95% CI of the lowest`;
    if (byCost(winner.tasksFailed, runnerUp.tasksFailed) !== 0)
      return { code: 'fewer-failed-tasks', message: `${of}: fewest failed tasks` };
    if (byCost(winner.tokensIssued, runnerUp.tokensIssued) !== 0)
      return { code: 'fewer-tokens', message: `${of}: same failed tasks, fewest tokens issued` };
    if (winner.interval.mean !== runnerUp.interval.mean)
      return { code: 'lower-blast-radius', message: `${of}: same cost, lowest mean` };
    return { code: 'name-order', message: `${of}: same cost and mean, first by name` };
  })();
  if (winner.policy === baseline) return { state: 'baseline', candidates: names, reason };
  return { state: 'policy', policy: winner.policy, candidates: names, reason };
}
