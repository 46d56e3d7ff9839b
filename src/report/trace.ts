/**
 * A trial's trace as text: every attacker step in time order with the reason it worked or was denied,
 * then the trial's metrics. What a reviewer reads to see *why* a policy gave the number it gave.
 */
import type { CompiledModel } from '../model/compile.js';
import type { TraceEvent } from '../reach/engine.js';
import { METRICS, type TrialMetrics } from '../domain/metrics.js';
import { actionName } from '../domain/actions.js';
import { humanSeconds } from './human.js';

/** Who and what a trace is about (its first line). */
export interface TraceHeader {
  readonly scenario: string;
  readonly policy: string;
  readonly attack: string;
  readonly trial: number;
  readonly seed: number;
}

/** Renders a header, the steps (one line each, aligned) and the metrics of one trial; `metricsOnly` drops header and steps. */
export function renderTrace(
  model: CompiledModel,
  header: TraceHeader,
  events: readonly TraceEvent[],
  metrics: TrialMetrics,
  options: { readonly metricsOnly?: boolean } = {},
): string {
  const id = (node: number): string => (node >= 0 ? model.ids[node]! : '');
  const rows = events.map((e) => [
    `t+${humanSeconds(e.t / 1000)}`,
    String(e.hop),
    e.kind,
    id(e.cred),
    id(e.target),
    e.kind === 'expose' || e.kind === 'invoke' || e.kind === 'detect' || e.kind === 'control' ? '' : actionName(e.action),
    e.reason,
  ]);
  const head = ['time', 'hop', 'step', 'credential', 'target', 'action', 'why'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `trace: scenario ${header.scenario}, policy ${header.policy}, attack ${header.attack}, trial ${header.trial} (seed ${header.seed})`,
    '',
  ];
  if (rows.length === 0) out.push('(the attacker took no step: nothing it held was usable)');
  else out.push(line(head), ...rows.map(line));
  out.push('', 'metrics:');
  if (options.metricsOnly === true) out.splice(0, out.length, 'metrics:');
  const named = METRICS.map((m) => [m, metrics[m] === null ? '—' : String(metrics[m])] as const);
  const width = Math.max(...named.map(([m]) => m.length));
  for (const [m, v] of named) out.push(`  ${m.padEnd(width)}  ${v}`);
  return `${out.join('\n')}\n`;
}
