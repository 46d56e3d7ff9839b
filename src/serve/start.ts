/**
 * `startBroker`: scenario + policy name + options → a running broker server. Picks the policy (the
 * named one, else the scenario's first non-persistent policy, else its first), loads or creates the
 * signing key file, replays and opens the revocation journal.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { SigningKey } from '../issuer/keys.js';
import { jwkThumbprint } from '../issuer/keys.js';
import type { BrokerPolicy, Policy, Scenario } from '../domain/scenario.js';
import { Broker } from './broker.js';
import { startServer, type RunningServer } from './http.js';
import { Journal, readJournal } from './journal.js';

/** Options of `startBroker`. */
export interface StartOptions {
  readonly scenario: Scenario;
  /** Policy name (default: the first ephemeral or hybrid policy, else the first). */
  readonly policy?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** PEM (PKCS#8) Ed25519 signing key; created (mode 0600) when the file does not exist. */
  readonly keyFile?: string | undefined;
  /** Append-only revocation journal, replayed at start. */
  readonly journalFile?: string | undefined;
  /** The issuer URL (`iss`, endpoint URLs) when clients reach the server by another name, e.g. behind a proxy (default: the bound address). */
  readonly issuer?: string | undefined;
  /** Injected clock (default Date.now): tests move it. */
  readonly now?: (() => number) | undefined;
  readonly onInternalError?: ((error: unknown) => void) | undefined;
}

/** A running broker. */
export type StartedBroker = RunningServer & { readonly broker: Broker };

/** The policy `serve` applies: the named one, else the first ephemeral or hybrid one (a persistent policy mints nothing). */
export function choosePolicy(scenario: Scenario, name: string | undefined): BrokerPolicy {
  let policy: Policy | undefined;
  if (name !== undefined) {
    policy = scenario.policies.find((p) => p.name === name);
    if (policy === undefined) {
      throw new UsageError(
        `serve: scenario ${scenario.name} has no policy "${name}" (it has ${scenario.policies.map((p) => p.name).join(', ')})`,
      );
    }
  } else policy = scenario.policies.find((p) => p.kind !== 'persistent') ?? scenario.policies[0]!;
  switch (policy.kind) {
    case 'persistent':
      throw new UsageError(
        `serve: policy "${policy.name}" of scenario ${scenario.name} is persistent: it mints no tokens, so there is no broker to serve (pass --policy with an ephemeral or hybrid policy)`,
      );
    case 'ephemeral':
    case 'hybrid':
      return policy;
  }
}

/** Loads the signing key from `file`, creating it first when missing. */
export function loadOrCreateKey(file: string): SigningKey {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new UsageError(`serve: ${file}: not a PEM private key (${error instanceof Error ? error.message : String(error)})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new UsageError(`serve: ${file}: expected an Ed25519 key (got ${privateKey.asymmetricKeyType ?? 'unknown'})`);
  const publicKey = createPublicKey(privateKey);
  // The kid follows the key, so a restarted server names its key as before.
  const kid = `bl-${createHash('sha256').update(jwkThumbprint(publicKey)).digest('base64url').slice(0, 10)}`;
  return { kid, privateKey, publicKey };
}

/** Starts the broker's HTTP server. */
export async function startBroker(options: StartOptions): Promise<StartedBroker> {
  const policy = choosePolicy(options.scenario, options.policy);
  const signingKey = options.keyFile === undefined ? undefined : loadOrCreateKey(options.keyFile);
  const revoked = options.journalFile === undefined ? [] : readJournal(options.journalFile);
  const journal = options.journalFile === undefined ? undefined : await Journal.open(options.journalFile);
  const now = options.now ?? Date.now;
  try {
    const running = await startServer(
      (url) =>
        new Broker({
          scenario: options.scenario,
          policy,
          issuer: options.issuer?.replace(/\/+$/, '') ?? url,
          now,
          revoked,
          ...(signingKey === undefined ? {} : { signingKey }),
          ...(journal === undefined ? {} : { journal }),
        }),
      {
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        ...(options.onInternalError === undefined ? {} : { onInternalError: options.onInternalError }),
      },
    );
    return {
      ...running,
      close: async () => {
        await running.close();
        await journal?.close();
      },
    };
  } catch (error) {
    await journal?.close();
    throw error;
  }
}
