/**
 * `--real-tokens`: every token a trial's workload issues is minted and verified with the real
 * issuer (Ed25519 through node:crypto) instead of being modelled. The simulated time of the issuance
 * is the issuer's clock, so `iat`/`exp` follow the trial; the signing key is derived from the scenario
 * seed, so tokens are reproducible. The caller times the work (the simulation core never reads a clock).
 */
import { createHash } from 'node:crypto';
import type { CompiledModel } from '../model/compile.js';
import { maskActions } from '../domain/actions.js';
import type { Issuance } from './occurrence.js';
import { SimulationInvariantError } from '../errors.js';
import { MAX_TOKEN_LENGTH, type ScopePair } from '../issuer/claims.js';
import { createSigningKey, jwkThumbprint } from '../issuer/keys.js';
import { KeyRing } from '../issuer/keyring.js';
import { RevocationList } from '../issuer/revocation.js';
import { TokenIssuer } from '../issuer/issuer.js';
import { ScopeTable } from '../issuer/scope-table.js';

/** Counts of one sink's work. */
export interface RealTokenCounts {
  minted: number;
  verified: number;
}

/** Mints and verifies real tokens for a scenario's issuances. */
export class RealTokenSink {
  readonly counts: RealTokenCounts = { minted: 0, verified: 0 };
  private nowMs = 0;
  private readonly issuer: TokenIssuer;
  private readonly workloadKeys = new Map<number, string>();
  private readonly scopes = new Map<string, readonly ScopePair[]>();
  /** Scopes too long to carry inline go by reference (issuer/scope-table.ts), resolved by the verifier. */
  private readonly scopeTable = new ScopeTable();

  constructor(private readonly model: CompiledModel) {
    this.issuer = this.newIssuer(this.scopeTable);
  }

  /** Scopes minted by reference so far. */
  get scopesByReference(): number {
    return this.scopeTable.size;
  }

  private newIssuer(scopes: ScopeTable | undefined): TokenIssuer {
    const { scenario } = this.model;
    const seed = createHash('sha256').update(`blastlab|${scenario.seed}|${scenario.name}`).digest();
    const key = createSigningKey(`${scenario.name}-1`, seed);
    return new TokenIssuer({
      issuer: 'https://broker.blastlab.invalid',
      trustDomain: 'blastlab.invalid',
      keys: new KeyRing(key, { overlapMs: 0 }),
      revocations: new RevocationList(),
      now: () => this.nowMs,
      ...(scopes === undefined ? {} : { scopes }),
    });
  }

  /** Mints the token of one issuance at its simulated mint time, then verifies it for its first scope pair. */
  issue(issuance: Issuance, bound: boolean, roleScope: boolean): void {
    const { model } = this;
    this.nowMs = issuance.mintAt;
    const pairs = this.scopeOf(issuance, roleScope);
    const first = pairs[0];
    if (first === undefined) return;
    const actor = model.scenario.nodes[issuance.actor]!;
    const environment = actor.kind === 'credential' ? 'default' : actor.environment;
    const jkt = bound ? this.workloadKey(issuance.actor) : undefined;
    const minted = this.issuer.mint({
      subject: this.issuer.subjectOf(actor.id, environment),
      pairs,
      ttlMs: issuance.expiresAt - issuance.mintAt,
      bindTo: jkt,
    });
    this.counts.minted++;
    const check = this.issuer.verifier.verify(minted.token, { target: first.target, action: first.action, presentedJkt: jkt });
    if (!check.ok) {
      throw new SimulationInvariantError(
        `real tokens: a freshly minted token failed verification (${check.failure}: ${check.reason})`,
      );
    }
    this.counts.verified++;
  }

  /**
   * The credentials whose role-scoped token (every grant of the credential, bound) would be longer
   * than verifiers accept with its scope inline: minted once each, so the lengths are exact.
   * `inlineLength` is that token's length; `length` the token's as minted, with the scope by reference
   * (over MAX_TOKEN_LENGTH only if even that is too long).
   */
  oversizedRoleScopes(): { credential: number; items: number; inlineLength: number; length: number }[] {
    const { model } = this;
    const inline = this.newIssuer(undefined);
    const byReference = this.newIssuer(new ScopeTable());
    const out: { credential: number; items: number; inlineLength: number; length: number }[] = [];
    for (let cred = 0; cred < model.nodeCount; cred++) {
      if (model.grants.off[cred + 1]! === model.grants.off[cred]!) continue;
      const pairs = this.scopeOf({ cred, task: -1, step: -1 } as Issuance, true);
      const request = { subject: inline.subjectOf('x'.repeat(64), 'default'), pairs, ttlMs: 1000, bindTo: 'x'.repeat(43) };
      const inlineLength = inline.mint(request).token.length;
      if (inlineLength > MAX_TOKEN_LENGTH)
        out.push({ credential: cred, items: pairs.length, inlineLength, length: byReference.mint(request).token.length });
    }
    return out;
  }

  private scopeOf(issuance: Issuance, roleScope: boolean): readonly ScopePair[] {
    const key = roleScope ? `role|${issuance.cred}` : `${issuance.task}|${issuance.step}|${issuance.cred}`;
    let pairs = this.scopes.get(key);
    if (pairs === undefined) {
      const { model } = this;
      const list: ScopePair[] = [];
      if (roleScope) {
        const { grants } = model;
        for (let g = grants.off[issuance.cred]!; g < grants.off[issuance.cred + 1]!; g++) {
          for (const action of maskActions(grants.data[g]!)) list.push({ target: model.ids[grants.to[g]!]!, action });
        }
      } else if (issuance.step >= 0) {
        const step = model.scenario.workload[issuance.task]!.steps[issuance.step]!;
        list.push({ target: step.target, action: step.action });
      } else {
        for (const [target, mask] of model.taskCredPairs[issuance.task]!.get(issuance.cred) ?? []) {
          for (const action of maskActions(mask)) list.push({ target: model.ids[target]!, action });
        }
      }
      pairs = list;
      this.scopes.set(key, pairs);
    }
    return pairs;
  }

  /** A stable per-workload key thumbprint (the `cnf.jkt` a bound token carries). */
  private workloadKey(actor: number): string {
    let jkt = this.workloadKeys.get(actor);
    if (jkt === undefined) {
      const seed = createHash('sha256').update(`workload|${this.model.ids[actor]}`).digest();
      jkt = jwkThumbprint(createSigningKey(`wl-${actor}`, seed).publicKey);
      this.workloadKeys.set(actor, jkt);
    }
    return jkt;
  }
}
