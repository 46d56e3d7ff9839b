/**
 * Short human-readable renderings for the terminal table and the reports (never for CSV cells, which
 * go through `formatNumber`): counts with k/M/G suffixes, percentages, durations in the largest
 * sensible unit, reductions with an arrow. No locale: the same bytes on every machine.
 */

/** Em dash for an empty value. */
export const EMPTY = '—';

/** Below this a non-zero count prints as `<0.001`: never a run of zeros, never `0` for a non-zero. */
const SMALLEST_COUNT = 0.001;

/**
 * 3 significant digits below 1000, then k / M / G / T suffixes (`1.23`, `45.6`, `0.0123`, `2.0M`);
 * a non-zero value never prints as `0` (`<0.001` below 0.001).
 */
export function humanCount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY;
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs < SMALLEST_COUNT) return value < 0 ? `>-${SMALLEST_COUNT}` : `<${SMALLEST_COUNT}`;
  if (abs < 1) return String(Number(value.toPrecision(3)));
  if (abs < 1000) return trimFixed(value, abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
  const units = ['k', 'M', 'G', 'T'] as const;
  let scaled = value;
  let i = -1;
  while (Math.abs(scaled) >= 1000 && i < units.length - 1) {
    scaled /= 1000;
    i++;
  }
  return `${trimFixed(scaled, Math.abs(scaled) >= 100 ? 0 : 1)}${units[i] ?? ''}`;
}

/** A proportion in [0, 1] as a percentage (`42%`, `7.5%`, `0.3%`); never `100%` below 1 nor `0%` above 0 (`99.5%`, `<0.1%`). */
export function humanPercent(proportion: number | null): string {
  if (proportion === null || !Number.isFinite(proportion)) return EMPTY;
  const pct = proportion * 100;
  const abs = Math.abs(pct);
  return `${proportion < 0 ? '-' : ''}${percentText(abs, abs >= 10 || abs === 0 ? 0 : 1)}%`;
}

/**
 * A configured probability as written, in percent, never rounded (`99.99999%`, `0.00001%`): an input
 * of 0.9999999 is not 100%, and a sweep over such values must show them apart.
 */
export function exactPercent(p: number): string {
  return `${String(Number((p * 100).toPrecision(12)))}%`;
}

/**
 * A proportion as a percentage with up to `decimals` decimals (`99.95%`, `50%`), for measured ratios
 * where the second decimal matters (load success against a 99% SLO); never `100%` below 1 nor `0%`
 * above 0 (`>99.99%`, `<0.01%`).
 */
export function humanPercentFine(proportion: number | null, decimals: number): string {
  if (proportion === null || !Number.isFinite(proportion)) return EMPTY;
  const abs = Math.abs(proportion * 100);
  return `${proportion < 0 ? '-' : ''}${percentText(abs, decimals, Math.max(1, decimals))}%`;
}

/**
 * A non-negative percentage with `decimals` decimals, never rounded to certainty: a value strictly
 * between 0 and 10^-finest is `<0.1` (finest 1), a value that rounds to 0 or to 100 gets `finest`
 * decimals, or `>99.9`.
 */
function percentText(abs: number, decimals: number, finest = 1): string {
  const floor = 10 ** -finest;
  if (abs > 0 && abs < floor) return `<${trimFixed(floor, finest)}`;
  const text = trimFixed(abs, decimals);
  if (abs > 0 && text === '0') return trimFixed(abs, finest);
  if (abs < 100 && text === '100') {
    const finer = trimFixed(abs, finest);
    return finer === '100' ? `>${trimFixed(100 - floor, finest)}` : finer;
  }
  return text;
}

/** Seconds in the largest unit that keeps the number readable (`45s`, `12m`, `3.2h`, `2.1d`; `40ms`, `<1ms` below a second). */
export function humanSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return EMPTY;
  const abs = Math.abs(seconds);
  if (abs > 0 && abs < 1) {
    const ms = abs * 1000;
    return `${seconds < 0 ? '-' : ''}${ms < 1 ? '<1' : trimFixed(ms, ms >= 10 ? 0 : 1)}ms`;
  }
  if (abs < 60) return `${trimFixed(seconds, abs >= 10 || abs === 0 ? 0 : 1)}s`;
  if (abs < 3600) return `${trimFixed(seconds / 60, abs >= 600 ? 0 : 1)}m`;
  if (abs < 86_400) return `${trimFixed(seconds / 3600, abs >= 36_000 ? 0 : 1)}h`;
  return `${trimFixed(seconds / 86_400, abs >= 864_000 ? 0 : 1)}d`;
}

/** A reduction in percent (positive = better than baseline) as `↓75%` / `↑20%` / `=` (exactly 0); empty → `—`. */
export function humanReduction(reductionPct: number | null): string {
  if (reductionPct === null || !Number.isFinite(reductionPct)) return EMPTY;
  if (reductionPct === 0) return '=';
  const abs = Math.abs(reductionPct);
  return `${reductionPct > 0 ? '↓' : '↑'}${percentText(abs, abs >= 10 ? 0 : 1)}%`;
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
