/**
 * The server side of `serve token exchange (http)`: blastlab serve on 127.0.0.1:0 for the builtin
 * ci-deploy-key scenario under its ephemeral-15m policy, with binding off (the in-process `mint token`
 * row verifies no proof either; DPoP's extra Ed25519 verification is measured by `blastlab load`).
 */
import { fileURLToPath } from 'node:url';
import { Broker } from '../../serve/broker.js';
import { startServer } from '../../serve/http.js';
import { choosePolicy } from '../../serve/start.js';
import { loadScenarioFile } from '../../scenario/load.js';

/** A running bench server. */
export interface BenchServer {
  readonly url: string;
  readonly subjectToken: string;
  close(): Promise<void>;
}

/** Starts the bench server in this thread. */
export async function startBenchServer(): Promise<BenchServer> {
  const scenario = loadScenarioFile(fileURLToPath(new URL('../../../scenarios/ci-deploy-key.yaml', import.meta.url)));
  const chosen = choosePolicy(scenario, 'ephemeral-15m');
  const policy = { ...chosen, broker: { ...chosen.broker, bindToWorkload: false } };
  const running = await startServer((url) => new Broker({ scenario, policy, issuer: url, now: Date.now }), {
    host: '127.0.0.1',
    port: 0,
  });
  const agent = running.broker.demoCredentials().agents.find((a) => a.agent === 'ci-agent');
  if (agent?.subject_token === undefined) throw new Error('bench: ci-deploy-key has no workload agent ci-agent');
  return { url: running.url, subjectToken: agent.subject_token, close: () => running.close() };
}
