/**
 * Attacker tempo in the report (SPEC §1 "attacker tempo", docs/outputs.md "Attacker tempo"): per
 * scenario, each policy's reduction in mean blast radius at hopDelay 1m, 10m and 1h (tempo.csv) beside
 * the run's own reduction, and a note for "At a glance".
 *
 * Rules, stated once (the margins are the hard variant's, report/incidents.ts):
 * - A reduction `holds at 1m` when the reduction at 1m is above GONE_BELOW percent and within
 *   HOLD_MARGIN points of the run's: it does not depend on the attacker being slow.
 * - It appears `only at 1h` when the reduction at 1h is above GONE_BELOW percent and the reductions at
 *   1m and 10m are not: it is bought by attacker tempo.
 */
import type { TempoRow } from '../metrics/tempo.js';
import { reductionPct } from '../metrics/comparison.js';
import { TEMPO_HOP_DELAYS } from '../attacks/tempo.js';
import { EMPTY } from './human.js';
import { anchor, reductionTableCell, text, type Block, type TableCell } from './content.js';
import { GONE_BELOW, HOLD_MARGIN, type IncidentShape, type SummaryLookup } from './incidents.js';

/** The reduction (percent) of a (scenario, attack, policy) at one tempo label, or null. */
function reductionAt(rows: readonly TempoRow[], scenario: string, attack: string, policy: string, tempo: string): number | null {
  return (
    rows.find((r) => r.scenario === scenario && r.attack === attack && r.policy === policy && r.tempo === tempo)?.reduction_pct ??
    null
  );
}

/** "holds at 1m", "only at 1h" or null for a (scenario, attack, policy) whose run reduction is `normal` (module rules). */
export function tempoNote(
  rows: readonly TempoRow[] | undefined,
  scenario: string,
  attack: string,
  policy: string | null,
  normal: number | null,
): string | null {
  if (rows === undefined || policy === null) return null;
  const at = (tempo: string): number | null => reductionAt(rows, scenario, attack, policy, tempo);
  const fast = at('1m');
  const medium = at('10m');
  const slow = at('1h');
  const above = (v: number | null): boolean => v !== null && v > GONE_BELOW;
  if (above(fast) && normal !== null && fast! >= normal - HOLD_MARGIN) return 'holds at 1m';
  if (above(slow) && !above(fast) && !above(medium)) return 'only at 1h';
  return null;
}

/** The "Attacker tempo" section: one table per scenario that has tempo rows; nothing when `rows` is undefined. */
export function tempoBlocks(
  index: SummaryLookup,
  shapes: readonly IncidentShape[],
  rows: readonly TempoRow[] | undefined,
): Block[] {
  if (rows === undefined) return [];
  const tables: Block[] = [];
  for (const shape of shapes) {
    const mine = rows.filter((r) => r.scenario === shape.scenario);
    if (mine.length === 0) continue;
    const body: TableCell[][] = [];
    for (const attack of shape.attacks) {
      const base = index.mean(shape.scenario, shape.baseline, attack, 'blast_radius');
      for (const policy of shape.policies) {
        if (policy === shape.baseline || !mine.some((r) => r.attack === attack && r.policy === policy)) continue;
        const normal = reductionPct(base, index.mean(shape.scenario, policy, attack, 'blast_radius'));
        const note = tempoNote(mine, shape.scenario, attack, policy, normal);
        body.push([
          { text: attack },
          { text: policy },
          reductionTableCell(normal),
          ...TEMPO_HOP_DELAYS.map(({ label }) => reductionTableCell(reductionAt(mine, shape.scenario, attack, policy, label))),
          note === null ? { text: EMPTY, tone: 'muted' } : { text: note },
        ]);
      }
    }
    tables.push({
      kind: 'table',
      caption: `${shape.scenario}: reduction in mean blast radius against ${shape.baseline}`,
      head: ['attack', 'policy', 'this run', ...TEMPO_HOP_DELAYS.map(({ label }) => `hop ${label}`), 'reading'],
      numeric: [false, false, true, ...TEMPO_HOP_DELAYS.map(() => true), false],
      rows: body,
    });
  }
  if (tables.length === 0) return [];
  return [
    { kind: 'heading', level: 2, text: 'Attacker tempo', id: anchor('attacker-tempo') },
    {
      kind: 'paragraph',
      inline: [
        text(
          'Each reduction again with every attack’s hop delay fixed at 1m, 10m and 1h (tempo.csv; the first trials of each cell, --tempo-trials): a reduction that holds at 1m does not depend on the attacker being slow; one that appears only at 1h is bought by attacker tempo.',
        ),
      ],
    },
    ...tables,
  ];
}
