/**
 * Incident replays in the report (docs/incidents.md): confirmed reach apart from potential reach, whether
 * a scenario reproduces its incident, and whether a policy's benefit survives the hard variant of each
 * attack (`<attack>-hard`, run beside the normal one).
 *
 * Rules, stated once:
 * - Confirmed reach = resources the public record says the attacker reached (`record: {reached:
 *   confirmed}`); potential blast = blast radius − confirmed blast radius (model extrapolation).
 * - A scenario reproduces its incident when, under its baseline, each attack its `record` names reaches
 *   every confirmed resource in every trial (the minimum of `confirmed_resources_reached` equals their
 *   number), within the recorded dwell: the mean exposure window is at most DWELL_TOLERANCE × the
 *   recorded dwell (when the record gives one).
 * - For each attack A with a hard variant A-hard, the policy with the lowest mean blast radius on A is
 *   compared on both: its benefit `holds` when the hard reduction is within HOLD_MARGIN points of the
 *   normal one, `disappears` when the hard reduction is at most GONE_BELOW percent, else `shrinks`.
 */
import type { Metric } from '../domain/metrics.js';
import { reductionPct } from '../metrics/comparison.js';
import type { SummaryRow } from '../metrics/summary.js';
import type { Scenario } from '../domain/scenario.js';
import { EMPTY, humanCount, humanReduction, humanSeconds } from './human.js';

/** Suffix of a hard variant's attack name. */
export const HARD_SUFFIX = '-hard';
/** A simulated dwell up to this multiple of the recorded one still counts as "within the recorded dwell". */
export const DWELL_TOLERANCE = 1.25;
/** Percentage points a hard reduction may fall short of the normal one and still "hold". */
export const HOLD_MARGIN = 10;
/** A hard reduction at or below this percentage means the benefit "disappears". */
export const GONE_BELOW = 10;

/** What the report needs from its summary index (src/report/lookup.ts SummaryIndex satisfies it). */
export interface SummaryLookup {
  get(scenario: string, policy: string, attack: string, metric: Metric): SummaryRow | undefined;
  mean(scenario: string, policy: string, attack: string, metric: Metric): number | null;
}

/** A scenario's policies and attacks (in summary order) and its baseline. */
export interface IncidentShape {
  readonly scenario: string;
  readonly policies: readonly string[];
  readonly attacks: readonly string[];
  readonly baseline: string;
}

/** Report content, structurally the `table` and `paragraph` blocks of report.ts. */
export type IncidentBlock =
  | {
      readonly kind: 'table';
      readonly caption: string;
      readonly head: readonly string[];
      readonly rows: readonly (readonly IncidentCell[])[];
      readonly numeric: readonly boolean[];
    }
  | { readonly kind: 'paragraph'; readonly inline: readonly { readonly kind: 'text'; readonly text: string }[] };
export interface IncidentCell {
  readonly text: string;
  readonly sub?: string;
  readonly tone?: 'good' | 'bad' | 'muted';
}

/** How a policy's benefit fares under the hard variant. */
export type HardVerdict = 'holds' | 'shrinks' | 'disappears';

/** One normal attack with a hard variant: the best policy on the normal attack and its reduction on both. */
export interface HardComparison {
  readonly scenario: string;
  readonly attack: string;
  readonly policy: string;
  readonly normalPct: number;
  readonly hardPct: number;
  readonly verdict: HardVerdict;
}

/** The verdict for a normal and a hard reduction (percent). */
export function hardVerdict(normalPct: number, hardPct: number): HardVerdict {
  if (hardPct <= GONE_BELOW) return 'disappears';
  return hardPct >= normalPct - HOLD_MARGIN ? 'holds' : 'shrinks';
}

/** The lowest-blast non-baseline policy on an attack (first in order on ties), or null when none is lower. */
function bestPolicy(index: SummaryLookup, shape: IncidentShape, attack: string): { policy: string; pct: number } | null {
  const base = index.mean(shape.scenario, shape.baseline, attack, 'blast_radius');
  let best: { policy: string; mean: number } | null = null;
  for (const p of shape.policies) {
    const m = index.mean(shape.scenario, p, attack, 'blast_radius');
    if (p !== shape.baseline && m !== null && (best === null || m < best.mean)) best = { policy: p, mean: m };
  }
  if (best === null || base === null || best.mean >= base) return null;
  return { policy: best.policy, pct: reductionPct(base, best.mean) ?? 0 };
}

/** Every normal attack that has a hard variant and a policy lowering its blast radius, compared on both. */
export function hardComparisons(index: SummaryLookup, shapes: readonly IncidentShape[]): HardComparison[] {
  const out: HardComparison[] = [];
  for (const shape of shapes) {
    for (const attack of shape.attacks) {
      const hard = attack + HARD_SUFFIX;
      if (attack.endsWith(HARD_SUFFIX) || !shape.attacks.includes(hard)) continue;
      const best = bestPolicy(index, shape, attack);
      if (best === null) continue;
      const hardPct = reductionPct(
        index.mean(shape.scenario, shape.baseline, hard, 'blast_radius'),
        index.mean(shape.scenario, best.policy, hard, 'blast_radius'),
      );
      // A hard variant that reaches nothing under the baseline either leaves nothing to compare.
      if (hardPct === null) continue;
      out.push({
        scenario: shape.scenario,
        attack,
        policy: best.policy,
        normalPct: best.pct,
        hardPct,
        verdict: hardVerdict(best.pct, hardPct),
      });
    }
  }
  return out;
}

/** The "At a glance" addition: how each lowest-blast claim fares under its hard variant (empty when none has one). */
export function hardVariantBlocks(index: SummaryLookup, shapes: readonly IncidentShape[]): IncidentBlock[] {
  const rows = hardComparisons(index, shapes);
  if (rows.length === 0) return [];
  const count = (v: HardVerdict): number => rows.filter((r) => r.verdict === v).length;
  return [
    {
      kind: 'paragraph',
      inline: [
        {
          kind: 'text',
          text:
            `Under the hard variant of each attack (minute-scale attacker, live leak sources, the minting secret leaked too, code execution where the attacker had it; docs/incidents.md), ` +
            `${count('holds')} of ${rows.length} lowest-blast claims hold, ${count('shrinks')} shrink and ${count('disappears')} disappear: a benefit that disappears was produced by the normal attack's assumptions, not by the policy.`,
        },
      ],
    },
    {
      kind: 'table',
      caption: 'The lowest-blast policy of each attack, normal and hard variant',
      head: ['scenario', 'attack', 'policy', 'normal', 'hard variant', 'benefit'],
      numeric: [false, false, false, true, true, false],
      rows: rows.map((r) => [
        { text: r.scenario },
        { text: r.attack },
        { text: r.policy },
        { text: humanReduction(r.normalPct) },
        { text: humanReduction(r.hardPct) },
        { text: r.verdict, tone: r.verdict === 'holds' ? 'good' : r.verdict === 'disappears' ? 'bad' : 'muted' },
      ]),
    },
  ];
}

/** Whether a scenario's baseline reproduces its incident (see the rules above), with the figures shown. */
export interface Reproduction {
  readonly attack: string;
  readonly confirmed: number;
  /** Fewest confirmed resources reached in a baseline trial, and the mean. */
  readonly minReached: number | null;
  readonly meanReached: number | null;
  readonly simulatedDwellS: number | null;
  readonly recordedDwellS: number | null;
  readonly reproduces: boolean;
}

/** The reproduction check of each attack the scenario's record names. */
export function reproductions(index: SummaryLookup, scenario: Scenario, baseline: string): Reproduction[] {
  const record = scenario.record;
  if (record === undefined) return [];
  const confirmed = scenario.nodes.filter((n) => n.kind === 'resource' && n.record?.reached === 'confirmed').length;
  const recordedDwellS = record.dwellMs === null ? null : record.dwellMs / 1000;
  return record.attacks.map((attack) => {
    const reached = index.get(scenario.name, baseline, attack, 'confirmed_resources_reached');
    const simulatedDwellS = index.mean(scenario.name, baseline, attack, 'exposure_window_s');
    const minReached = reached?.min ?? null;
    const withinDwell =
      recordedDwellS === null || (simulatedDwellS !== null && simulatedDwellS <= DWELL_TOLERANCE * recordedDwellS);
    return {
      attack,
      confirmed,
      minReached,
      meanReached: reached?.mean ?? null,
      simulatedDwellS,
      recordedDwellS,
      reproduces: confirmed > 0 && minReached !== null && minReached >= confirmed && withinDwell,
    };
  });
}

/** The per-scenario section: confirmed and potential reach per attack and policy, and the reproduction check. */
export function confirmedReachBlocks(
  index: SummaryLookup,
  scenario: Scenario | undefined,
  shape: IncidentShape,
): IncidentBlock[] {
  if (scenario === undefined) return [];
  const tagged = scenario.nodes.filter(
    (n) => n.kind === 'resource' && n.record !== undefined && n.record.reached !== 'potential',
  );
  if (scenario.record === undefined && tagged.length === 0) return [];
  const confirmed = tagged.filter((n) => n.kind === 'resource' && n.record?.reached === 'confirmed').map((n) => n.id);
  const denied = tagged.filter((n) => n.kind === 'resource' && n.record?.reached === 'denied').map((n) => n.id);
  const cell = (policy: string, attack: string): IncidentCell => {
    const blast = index.mean(shape.scenario, policy, attack, 'blast_radius');
    const sure = index.mean(shape.scenario, policy, attack, 'confirmed_blast_radius');
    if (blast === null) return { text: EMPTY, tone: 'muted' };
    const split = `${humanCount(sure ?? 0)} + ${humanCount(Math.max(0, blast - (sure ?? 0)))}`;
    if (confirmed.length === 0) return { text: split };
    return {
      text: `${split} · ${humanCount(index.mean(shape.scenario, policy, attack, 'confirmed_resources_reached'))}/${confirmed.length}`,
    };
  };
  const blocks: IncidentBlock[] = [
    {
      kind: 'paragraph',
      inline: [
        {
          kind: 'text',
          text:
            `Confirmed by the public record: ${confirmed.length === 0 ? 'nothing (the record confirms exposure, not reach)' : confirmed.join(', ')}` +
            `${denied.length === 0 ? '' : `; denied by the record: ${denied.join(', ')}`}. ` +
            'Each cell is the mean blast radius split as confirmed + potential (model extrapolation), then the mean number of confirmed resources reached of those the record confirms.',
        },
      ],
    },
    {
      kind: 'table',
      caption: 'Confirmed + potential blast radius per attack and policy',
      head: ['attack', ...shape.policies],
      numeric: [false, ...shape.policies.map(() => true)],
      rows: shape.attacks.map((attack) => [{ text: attack }, ...shape.policies.map((p) => cell(p, attack))]),
    },
  ];
  for (const r of reproductions(index, scenario, shape.baseline)) {
    const dwell =
      r.recordedDwellS === null
        ? 'the record gives no dwell'
        : `mean exposure window ${humanSeconds(r.simulatedDwellS)} against a recorded dwell of ${humanSeconds(r.recordedDwellS)}`;
    const verdict = r.confirmed === 0 ? 'cannot be judged: the record confirms no reach' : r.reproduces ? 'yes' : 'no';
    blocks.push({
      kind: 'paragraph',
      inline: [
        {
          kind: 'text',
          text: `Reproduces the incident (${r.attack} under ${shape.baseline}): ${verdict} — confirmed resources reached: at least ${humanCount(r.minReached)}, mean ${humanCount(r.meanReached)} of ${r.confirmed} per trial; ${dwell}.`,
        },
      ],
    });
  }
  return blocks;
}
