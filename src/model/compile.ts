/**
 * PROVISIONAL interface (the lead is implementing this module): compiles a resolved Scenario into the
 * compact, structured-cloneable form the trial loop uses. Workers receive it once.
 */
import type { Scenario } from '../scenario/types.js';

/** The scenario compiled for the hot path: plain data and typed arrays only (structured-cloneable). */
export interface CompiledModel {
  readonly scenario: Scenario;
}

/** Compiles a scenario once; the result is reused for every trial of every policy and attack. */
export function compile(scenario: Scenario): CompiledModel {
  return { scenario };
}
