/** `blastlab load <url>`: open-loop load on an OAuth token endpoint; load.csv, chart, report, and `--fit` an issuer block. */
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseDuration } from '../lib/duration.js';
import { fitIssuer, issuerYaml, DEFAULT_SLO } from '../load/metrics.js';
import type { LoadRow } from '../load/metrics.js';
import { LOAD_GRANTS, type LoadGrant } from '../load/target.js';
import { humanPercentFine } from '../report/human.js';
import { withSigint } from './signals.js';
import { defineAction } from './command.js';
import { intParser } from './options.js';

interface LoadFlags {
  readonly rate: number[];
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly timeout: number;
  readonly grant: LoadGrant;
  readonly out: string;
  readonly fit?: boolean;
  readonly fitAt?: number;
  readonly ramp?: boolean;
  readonly maxRate: number;
  readonly sloP99: number;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly auth: 'basic' | 'post';
  readonly subjectToken?: string;
  readonly scope?: string;
  readonly audience?: string[];
  readonly dpop?: boolean;
  readonly credentials?: string;
  readonly agent?: string;
  readonly quiet?: boolean;
}

/** `--rate 500,1000,2000`: positive request rates. */
export function parseRates(text: string): number[] {
  const rates = text.split(',').map((s) => Number(s.trim()));
  if (rates.length === 0 || rates.some((r) => !Number.isFinite(r) || r <= 0 || r > 1_000_000)) {
    throw new InvalidArgumentError(`expected rates per second like 500,1000,2000 (got ${JSON.stringify(text)})`);
  }
  return rates;
}

function durationFlag(min: number, max: number): (text: string) => number {
  return (text) => {
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch {
      throw new InvalidArgumentError(`expected a duration like 10s or 500ms (got ${JSON.stringify(text)})`);
    }
    if (ms < min || ms > max)
      throw new InvalidArgumentError(`expected a duration from ${min}ms to ${max / 1000}s (got ${JSON.stringify(text)})`);
    return ms;
  };
}

function grantFlag(text: string): LoadGrant {
  if (!(LOAD_GRANTS as readonly string[]).includes(text))
    throw new InvalidArgumentError(`expected ${LOAD_GRANTS.join(' or ')} (got ${JSON.stringify(text)})`);
  return text as LoadGrant;
}

function authFlag(text: string): 'basic' | 'post' {
  if (text !== 'basic' && text !== 'post') throw new InvalidArgumentError(`expected basic or post (got ${JSON.stringify(text)})`);
  return text;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const n = (v: number | null, d: number): string => (v === null ? '–' : v.toFixed(d));

/** Registers `load` on the program. */
export function registerLoad(program: Command): Command {
  const cmd = program
    .command('load')
    .description(
      "open-loop load on an OAuth token endpoint (blastlab serve, or yours): load.csv with vault-benchmark's columns, a chart, --fit an issuer block",
    )
    .argument('<url>', 'token endpoint, or the base URL of blastlab serve')
    .option('--rate <r,r2,…>', 'offered rates, requests/s, run in ascending order', parseRates, [500, 1000, 2000])
    .option('--duration <d>', 'measured time per rate', durationFlag(200, 3_600_000), 10_000)
    .option('--warmup <d>', 'warm-up per rate, discarded', durationFlag(0, 600_000), 1_000)
    .option('--connections <n>', 'keep-alive connections', intParser(1, 4096), 64)
    .option('--timeout <d>', 'per-request timeout', durationFlag(10, 600_000), 10_000)
    .option('--grant <g>', `grant to drive: ${LOAD_GRANTS.join(' | ')}`, grantFlag, 'client-credentials' as LoadGrant)
    .option('--ramp', 'after the listed rates, keep doubling until a rate is not sustained (finds the knee)')
    .option('--max-rate <r>', 'ceiling of --ramp', intParser(1, 1_000_000), 64_000)
    .option('--slo-p99 <d>', 'p99 a sustained rate must meet', durationFlag(1, 600_000), DEFAULT_SLO.p99Ms)
    .option('--fit', 'fit the measured latency (log-normal) and success ratio into issuer.yaml, a policy issuer: block')
    .option('--fit-at <rate>', 'offered rate whose measurement --fit uses (default: the knee)', (t) => parseRates(t)[0]!)
    .option('--client-id <id>', 'client id (client credentials; other servers)')
    .option('--client-secret <secret>', 'client secret (prefer the BLASTLAB_CLIENT_SECRET environment variable)')
    .option('--auth <method>', 'client authentication: basic | post', authFlag, 'basic' as const)
    .option('--subject-token <jwt>', 'subject token for --grant exchange (or BLASTLAB_SUBJECT_TOKEN)')
    .option('--scope <scope>', 'scope parameter')
    .option('--audience <aud>', 'audience parameter (repeatable)', collect)
    .option('--dpop', 'send a DPoP proof (RFC 9449) with every request, from a fresh Ed25519 key')
    .option('--credentials <file>', 'credentials file written by serve --credentials-out')
    .option('--agent <id>', 'blastlab serve: the agent to act as (default: the first that uses the grant)')
    .option('--out <dir>', 'output folder', join('results', 'load'))
    .option('--quiet', 'print nothing but errors');
  return defineAction(cmd, async (url: string, flags: LoadFlags) => {
    if (flags.fitAt !== undefined && flags.ramp !== true && !flags.rate.includes(flags.fitAt)) {
      throw new UsageError(`--fit-at ${flags.fitAt}: not one of the --rate values (${flags.rate.join(', ')})`);
    }
    const clientSecret = flags.clientSecret ?? process.env['BLASTLAB_CLIENT_SECRET'];
    const subjectToken = flags.subjectToken ?? process.env['BLASTLAB_SUBJECT_TOKEN'];
    const slo = { ...DEFAULT_SLO, p99Ms: flags.sloP99 };
    // `blastlab load … | head`: a closed pipe ends the printing, not the process.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    const say = (line: string): void => {
      if (flags.quiet !== true) process.stdout.write(`${line}\n`);
    };
    // Loaded on demand: the chart renderer (vega) alone takes most of a second to import.
    const { runLoad } = await import('../load/harness.js');
    const { kneeSentence, LOAD_FILES, writeLoadResults } = await import('../load/output.js');
    const result = await withSigint((signal) =>
      runLoad({
        url,
        rates: flags.rate,
        durationMs: flags.duration,
        warmupMs: flags.warmup,
        connections: flags.connections,
        timeoutMs: flags.timeout,
        ramp: flags.ramp === true,
        maxRate: flags.maxRate,
        slo,
        target: {
          grant: flags.grant,
          clientId: flags.clientId,
          clientSecret,
          auth: flags.auth,
          subjectToken,
          scope: flags.scope,
          audience: flags.audience,
          dpop: flags.dpop,
          credentials: flags.credentials,
          agent: flags.agent,
        },
        signal,
        onStep: (r: LoadRow) =>
          say(
            `${String(r.offered_rate).padStart(7)}/s offered  ${r.rate.toFixed(0).padStart(7)}/s sent  ${r.throughput.toFixed(0).padStart(7)}/s ok  p50 ${n(r.p50_ms, 2)}  p95 ${n(r.p95_ms, 2)}  p99 ${n(r.p99_ms, 2)}  max ${n(r.max_ms, 1)} ms  success ${humanPercentFine(r.success_ratio, 2)}${r.server_cpu_s_per_1k === null ? '' : `  server ${r.server_cpu_s_per_1k.toFixed(3)} CPU-s/1k tokens`}`,
          ),
      }),
    );
    let fit = null;
    let fitNote = '';
    if (flags.fit === true) {
      let row = flags.fitAt === undefined ? result.knee : result.rows.find((r) => r.offered_rate === flags.fitAt);
      if (row === undefined)
        throw new UsageError(
          `load --fit-at ${flags.fitAt ?? ''}: not one of the measured rates (${result.rows.map((r) => r.offered_rate).join(', ')})`,
        );
      if (row === null) {
        // Nothing sustained: fit the lowest rate rather than throw the measurement away, and say so.
        row = [...result.rows].sort((a, b) => a.offered_rate - b.offered_rate)[0]!;
        fitNote = `warning: no rate was sustained; fitted at the lowest rate (${row.offered_rate}/s), whose latency includes queueing: measure lower rates for a fair fit`;
      }
      fit = fitIssuer(row);
    }
    await writeLoadResults(flags.out, result, fit);
    say(`knee: ${kneeSentence(result)}`);
    if (result.rows.some((r) => r.send_lag_p99_ms > 5))
      say(
        'note: the generator itself ran late (send lag p99 > 5 ms): the client, not only the server, is saturated at those rates',
      );
    if (fitNote !== '') process.stderr.write(`${fitNote}\n`);
    if (fit !== null) say(`\n${issuerYaml(fit, result.tokenUrl).trimEnd()}`);
    say(
      `\n${result.rows.length} rates → ${join(flags.out, LOAD_FILES.csv)} (+ ${LOAD_FILES.report}, ${LOAD_FILES.chart}, ${LOAD_FILES.json}${fit === null ? '' : `, ${LOAD_FILES.issuer}`})`,
    );
  });
}
