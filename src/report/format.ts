/**
 * The one number formatter of every output file: fixed precision (6 decimals by default), no locale,
 * no exponent, trailing zeros trimmed, `-0` written `0`, integers written as integers, empty for
 * `null` and for non-finite values (which no metric produces; an empty cell beats a wrong one).
 */

/** Decimal places kept in CSV cells. */
export const CSV_DECIMALS = 6;

/** Formats a number for a CSV cell (see the module comment); `null` → empty. */
export function formatNumber(value: number | null, decimals: number = CSV_DECIMALS): string {
  if (value === null || !Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return integerText(value);
  // toFixed never uses an exponent below 1e21, and every double ≥ 2^53 is an integer (handled above).
  let text = value.toFixed(decimals);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

function integerText(value: number): string {
  if (value === 0) return '0'; // also -0
  return Math.abs(value) < 1e21 ? value.toFixed(0) : BigInt(value).toString();
}
