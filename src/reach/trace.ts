/**
 * S8 trace codes: why a trace line happened, as data (#10.7). The engine emits `TraceEvent`s through
 * the sink it is given; `reason` is the wording the trace printer shows, `code` what tests assert on.
 */

/** Why a trace line happened, as data (#10.7); `reason` is its wording for the trace printer. */
export const REASON_CODES = [
  'credential-use',
  'tool-acting',
  'bound-elsewhere',
  'out-of-scope',
  'out-of-intent',
  'issuance-out-of-intent',
  'approval-refused',
  'exchange-out-of-intent',
  'exchange',
  'declared-exchange',
  'revoked',
  'expose',
  'admin-control',
  'runs-control',
  'invoke',
  'detected',
  'created',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** One line of a trial's trace: what the attacker did, and why it worked or not. */
export interface TraceEvent {
  readonly t: number;
  readonly hop: number;
  readonly kind: 'use' | 'deny' | 'expose' | 'control' | 'invoke' | 'exchange' | 'detect' | 'create' | 'skip';
  readonly cred: number;
  readonly target: number;
  readonly action: number;
  readonly reason: string;
  /** The reason as a code (absent only on lines from code that predates codes). */
  readonly code?: ReasonCode;
}
