/**
 * Tasks and `revokeOn` (rule B9 of `src/serve/broker.ts`): a token request may name the task it
 * serves (`task`, stamped into the token as `txn`, the transaction identifier of RFC 8417 and
 * transaction tokens); a token exchanged from an access token keeps its `txn`. When the task ends the
 * client says so at `POST /task/end` with one of the task's live tokens and the outcome
 * (`completion`, `failure` or `timeout`); when the policy's `revokeOn` lists the outcome, every live
 * token of that task is revoked then, before its TTL. The registry forgets a token once it expires.
 */
import { REVOKE_TRIGGERS, type RevokeTrigger } from '../domain/scenario.js';
import { OAuthError } from './oauth-error.js';

/** A task id: 1 to 128 characters of letters, digits and `._:-`. */
const TASK_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A token the registry tracks. */
export interface TaskToken {
  readonly jti: string;
  /** Expiry (s). */
  readonly exp: number;
}

/** Checks a `task` parameter; throws invalid_request. */
export function checkTaskId(task: string): string {
  if (!TASK_ID.test(task)) throw new OAuthError('invalid_request', 'task must be 1 to 128 characters of A-Z a-z 0-9 . _ : -');
  return task;
}

/** Checks an `outcome` parameter; throws invalid_request. */
export function checkOutcome(outcome: string | undefined): RevokeTrigger {
  if (outcome === undefined || !(REVOKE_TRIGGERS as readonly string[]).includes(outcome))
    throw new OAuthError('invalid_request', `outcome must be one of ${REVOKE_TRIGGERS.join(', ')}`);
  return outcome as RevokeTrigger;
}

/** Live tokens per (client, task). */
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskToken[]>();
  private added = 0;

  private static key(client: string, task: string): string {
    return `${client}\u0000${task}`;
  }

  /** Tasks with at least one tracked token. */
  get size(): number {
    return this.tasks.size;
  }

  /** Tracks a token minted for `client`'s `task`; every 1,024 additions, drops expired tokens. */
  add(client: string, task: string, token: TaskToken, nowS: number): void {
    const key = TaskRegistry.key(client, task);
    const list = this.tasks.get(key);
    if (list === undefined) this.tasks.set(key, [token]);
    else list.push(token);
    if (++this.added % 1024 === 0) this.sweep(nowS);
  }

  /** Removes and returns the unexpired tokens of `client`'s `task`. */
  end(client: string, task: string, nowS: number): TaskToken[] {
    const key = TaskRegistry.key(client, task);
    const list = this.tasks.get(key) ?? [];
    this.tasks.delete(key);
    return list.filter((t) => t.exp > nowS);
  }

  private sweep(nowS: number): void {
    for (const [key, list] of this.tasks) {
      const live = list.filter((t) => t.exp > nowS);
      if (live.length === 0) this.tasks.delete(key);
      else if (live.length !== list.length) this.tasks.set(key, live);
    }
  }
}
