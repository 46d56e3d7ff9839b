/** Actions as bits, so scopes, grants and intents combine with `&` on the hot path. */
import type { Action } from './scenario.js';
import { ACTIONS } from './scenario.js';

export const READ = 1;
export const WRITE = 2;
export const ADMIN = 4;
/** write or admin: the steps `reevaluate: privileged` re-checks. */
export const PRIVILEGED = WRITE | ADMIN;

/** The bit of one action. */
export function actionBit(action: Action): number {
  return action === 'read' ? READ : action === 'write' ? WRITE : ADMIN;
}

/** The bits of a list of actions. */
export function actionMask(actions: readonly Action[]): number {
  let mask = 0;
  for (const a of actions) mask |= actionBit(a);
  return mask;
}

/** The name of one action bit for messages and traces (0 is an issuance or exchange request). */
export function actionName(bit: number): string {
  return bit === READ ? 'read' : bit === WRITE ? 'write' : bit === ADMIN ? 'admin' : 'request';
}

/** The actions of a mask, in ACTIONS order. */
export function maskActions(mask: number): Action[] {
  return ACTIONS.filter((a) => (mask & actionBit(a)) !== 0);
}
