/**
 * Short human-readable renderings for the terminal table and the reports (never for CSV cells, which
 * go through `formatNumber`): counts with k/M/G suffixes, percentages, durations in the largest
 * sensible unit, reductions with an arrow. No locale: the same bytes on every machine.
 */

/** Em dash for an empty value. */
export const EMPTY = '—';

/** 3 significant digits below 1000, then k / M / G / T suffixes (`1.23`, `45.6`, `2.0M`). */
export function humanCount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY;
  const abs = Math.abs(value);
  if (abs < 1000) return trimFixed(value, abs === 0 || abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
  const units = ['k', 'M', 'G', 'T'] as const;
  let scaled = value;
  let i = -1;
  while (Math.abs(scaled) >= 1000 && i < units.length - 1) {
    scaled /= 1000;
    i++;
  }
  return `${trimFixed(scaled, Math.abs(scaled) >= 100 ? 0 : 1)}${units[i] ?? ''}`;
}

/** A proportion in [0, 1] as a percentage (`42%`, `7.5%`, `0.3%`). */
export function humanPercent(proportion: number | null): string {
  if (proportion === null || !Number.isFinite(proportion)) return EMPTY;
  const pct = proportion * 100;
  const abs = Math.abs(pct);
  return `${trimFixed(pct, abs >= 10 || abs === 0 ? 0 : 1)}%`;
}

/** Seconds in the largest unit that keeps the number readable (`45s`, `12m`, `3.2h`, `2.1d`). */
export function humanSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return EMPTY;
  const abs = Math.abs(seconds);
  if (abs < 60) return `${trimFixed(seconds, abs >= 10 || abs === 0 ? 0 : 1)}s`;
  if (abs < 3600) return `${trimFixed(seconds / 60, abs >= 600 ? 0 : 1)}m`;
  if (abs < 86_400) return `${trimFixed(seconds / 3600, abs >= 36_000 ? 0 : 1)}h`;
  return `${trimFixed(seconds / 86_400, abs >= 864_000 ? 0 : 1)}d`;
}

/** A reduction in percent (positive = lower than baseline) as `↓75%` / `↑20%` / `=`; empty → `—`. */
export function humanReduction(reductionPct: number | null): string {
  if (reductionPct === null || !Number.isFinite(reductionPct)) return EMPTY;
  const abs = Math.abs(reductionPct);
  const text = trimFixed(abs, abs >= 10 ? 0 : 1);
  if (text === '0') return '=';
  return `${reductionPct > 0 ? '↓' : '↑'}${text}%`;
}

/** A display unit for seconds chosen from the largest value, for chart axes. */
export function secondsUnit(maxSeconds: number): { readonly label: string; readonly divisor: number } {
  if (maxSeconds >= 3 * 86_400) return { label: 'days', divisor: 86_400 };
  if (maxSeconds >= 3 * 3600) return { label: 'hours', divisor: 3600 };
  if (maxSeconds >= 3 * 60) return { label: 'minutes', divisor: 60 };
  return { label: 'seconds', divisor: 1 };
}

function trimFixed(value: number, decimals: number): string {
  let text = value.toFixed(decimals);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}
