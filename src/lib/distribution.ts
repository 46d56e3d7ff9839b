/** Sampling resolved distributions by inversion, so one uniform gives one draw (keyed draws rely on it). */
import { assertNever } from './assert.js';

/** A resolved probability distribution over durations, parameters in milliseconds. */
export type Distribution =
  | { readonly kind: 'fixed'; readonly valueMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number };

// Acklam's coefficients (allocated once, not per draw).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9),
 * so a lognormal can be drawn from a single uniform.
 */
export function normalQuantile(p: number): number {
  const q0 = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  const low = 0.02425;
  if (q0 < low) {
    const q = Math.sqrt(-2 * Math.log(q0));
    return (
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
    );
  }
  if (q0 > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - q0));
    return (
      -(((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
    );
  }
  const q = q0 - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

/** The draw of `dist` for the uniform `u` ∈ [0, 1), in integer milliseconds. */
export function sampleAt(dist: Distribution, u: number): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs;
    case 'exponential':
      // `|| 0`: u = 0 would give −0, which Object.is (and deep-equal metrics) tells apart from 0.
      return Math.round(-dist.meanMs * Math.log(1 - u)) || 0;
    case 'lognormal':
      return Math.round(dist.medianMs * Math.exp(dist.sigma * normalQuantile(u)));
    case 'uniform':
      return Math.round(dist.minMs + u * (dist.maxMs - dist.minMs));
    default:
      return assertNever(dist);
  }
}

/** Largest possible draw (Infinity for unbounded distributions). */
export function upperBound(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs;
    case 'uniform':
      return dist.maxMs;
    case 'exponential':
    case 'lognormal':
      return Number.POSITIVE_INFINITY;
    default:
      return assertNever(dist);
  }
}
