/**
 * The report's word on attribution (docs/controls.md): which control carries a policy's reduction,
 * as "scope 0.9, lifetime 0.1" (shares of the whole reduction from attribution.csv, largest first,
 * one decimal; controls under 0.05 left out), and the extra settings the controls add to a policy's
 * description.
 */
import type { AttributionRow } from '../metrics/attribution.js';
import type { Policy } from '../domain/scenario.js';
import { brokerOf } from '../domain/scenario.js';
import { formatDuration } from '../lib/duration.js';
import { exactPercent } from './human.js';

/** Shares below this are left out of the note (they round to 0.0). */
const NOTE_MIN_SHARE = 0.05;

/** "scope 0.9, lifetime 0.1" for a (scenario, attack, policy), or null when there is nothing to attribute. */
export function carriedBy(
  rows: readonly AttributionRow[] | undefined,
  scenario: string,
  attack: string,
  policy: string | null,
): string | null {
  if (rows === undefined || policy === null) return null;
  const mine = rows.filter((r) => r.scenario === scenario && r.attack === attack && r.policy === policy && r.share !== null);
  const shown = mine
    .filter((r) => Math.abs(r.share!) >= NOTE_MIN_SHARE)
    .sort((a, b) => Math.abs(b.share!) - Math.abs(a.share!) || (a.control < b.control ? -1 : a.control > b.control ? 1 : 0));
  if (shown.length === 0) return null;
  return shown.map((r) => `${r.control} ${shareText(r.share!)}`).join(', ');
}

/** A share with one decimal, never rounded to the whole (`0.96` is not `1.0`): two decimals then, or `>0.99`. */
function shareText(share: number): string {
  const text = share.toFixed(1);
  if (Math.abs(share) >= 1 || Math.abs(Number(text)) < 1) return text;
  const finer = share.toFixed(2);
  return Math.abs(Number(finer)) < 1 ? finer : share < 0 ? '<-0.99' : '>0.99';
}

/** The control settings of a policy that differ from the defaults, for the policy table. */
export function describeControls(policy: Policy): string[] {
  const parts: string[] = [];
  if (policy.kind === 'persistent' && policy.scope === 'intent') parts.push('standing grants right-sized to declared intent');
  if (brokerOf(policy)?.callChain === 'propagated') parts.push('call-chain context propagated'); // none without a broker
  if (policy.approval !== null) {
    const wait = policy.approval.wait;
    const waitText =
      wait.kind === 'fixed'
        ? formatDuration(wait.valueMs)
        : wait.kind === 'exponential'
          ? `~${formatDuration(wait.meanMs)}`
          : wait.kind;
    parts.push(
      `approval of ${policy.approval.actions.join('/')} (refuses ${exactPercent(policy.approval.refuse)} of attacker requests, wait ${waitText})`,
    );
  }
  return parts;
}
