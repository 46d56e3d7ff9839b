/** `blastlab serve <scenario>`: the scenario's policy as a real OAuth token broker over HTTP. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ScenarioError, UsageError } from '../errors.js';
import { loadScenarios } from '../scenario/load.js';
import { defineAction } from './command.js';
import { intParser } from './options.js';

interface ServeFlags {
  readonly policy?: string;
  readonly port: number;
  readonly host: string;
  readonly journal?: string;
  readonly key?: string;
  readonly issuer?: string;
  readonly credentialsOut?: string;
  readonly quiet?: boolean;
}

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--issuer: expected an http(s) URL (got ${JSON.stringify(text)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--issuer: expected an http(s) URL (got ${JSON.stringify(text)})`);
  return text;
}

/** Registers `serve` on the program. */
export function registerServe(program: Command): Command {
  const cmd = program
    .command('serve')
    .description(
      "serve the scenario's policy as an OAuth token broker: RFC 8693 exchange, client credentials, JWKS, revocation, introspection",
    )
    .argument('<scenario>', 'scenario file')
    .option('--policy <name>', 'policy to apply (default: the first ephemeral or hybrid policy)')
    .option('--port <n>', 'port (0 = a free port)', intParser(0, 65535), 8080)
    .option('--host <h>', 'address to bind', '127.0.0.1')
    .option('--journal <file>', 'append-only revocation journal (fsync batched), replayed at start')
    .option('--key <file>', 'Ed25519 signing key (PEM, PKCS#8), created when missing; keeps tokens valid across restarts')
    .option('--issuer <url>', 'issuer URL when clients reach the server by another name (default: the bound address)', parseUrl)
    .option('--credentials-out <file>', "also write the agents' client secrets and workload tokens to this file (mode 0600)")
    .option('--quiet', 'print only the URL');
  return defineAction(cmd, async (path: string, flags: ServeFlags) => {
    const { scenarios, issues } = loadScenarios([path]);
    if (issues.length > 0) throw new ScenarioError(issues);
    const scenario = scenarios[0];
    if (scenario === undefined || scenarios.length !== 1)
      throw new UsageError(`serve: expected one scenario file (got ${scenarios.length} from ${path})`);
    const { isLoopback } = await import('../serve/http.js');
    const { startBroker } = await import('../serve/start.js');
    const running = await startBroker({
      scenario,
      policy: flags.policy,
      host: flags.host,
      port: flags.port,
      keyFile: flags.key,
      journalFile: flags.journal,
      issuer: flags.issuer,
      onInternalError: (error) =>
        process.stderr.write(`serve: internal error: ${error instanceof Error ? error.message : String(error)}\n`),
    }).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new UsageError(`serve: cannot listen on ${flags.host}:${flags.port} (${String(code)})`);
      }
      throw error;
    });
    const { broker } = running;
    if (flags.credentialsOut !== undefined)
      writeFileSync(flags.credentialsOut, `${JSON.stringify(broker.demoCredentials(), null, 2)}\n`, { mode: 0o600 });
    process.stdout.write(`${running.url}\n`);
    if (flags.quiet !== true) {
      const p = broker.policy;
      const b = p.broker;
      const revokeOn = Object.entries(b.revokeOn)
        .filter(([, on]) => on)
        .map(([trigger]) => trigger);
      const lines = [
        `blastlab serve: ${scenario.name}, policy ${p.name} (ttl ${b.ttlMs / 1000}s, scope ${b.scope}${b.bindToWorkload ? ', DPoP-bound' : ''}, reevaluate ${b.reevaluate}, callChain ${b.callChain}, revokeOn ${revokeOn.length === 0 ? 'none' : revokeOn.join('+')})`,
        `  token endpoint  ${broker.tokenUrl}`,
        `  JWKS            ${running.url}/.well-known/jwks.json`,
        `  task end        ${running.url}/task/end (revokes a task's tokens on the outcomes revokeOn lists)`,
        isLoopback(flags.host)
          ? `  credentials     ${running.url}/.well-known/blastlab-credentials (loopback only)`
          : '  credentials     not served on a non-loopback bind (use --credentials-out)',
        `  try             blastlab load ${running.url} --rate 500,1000,2000 --duration 10s --fit`,
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await running.close();
  });
}
