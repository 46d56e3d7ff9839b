/**
 * `blastlab export opengraph <scenario> [--results DIR] --out graph.json|graph.zip [--schema-out F]
 * [--max-edges N]`: the scenario's graph, and with `--results` per-node, per-policy results, as
 * BloodHound OpenGraph (docs/opengraph.md). Everything is built in memory first, then each file is
 * written whole (temp file, rename): a failure leaves nothing half-written.
 */
import { extname } from 'node:path';
import { strToU8, Zip, ZipDeflate } from 'fflate';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { blastlabVersion } from '../exec/manifest.js';
import { blastlabExtensionSchema, partCount, writeOpenGraph, type OpenGraphSink } from '../export/opengraph.js';
import { checkReplaySeeds, collectNodeResults, readRunParameters, type NodeResults } from '../export/opengraph-results.js';
import { writeFileAtomic, writeStreamAtomic } from '../io/atomic.js';
import { loadScenarioFile } from '../scenario/load.js';
import { defineAction } from './command.js';
import { collectGarbage } from './gc.js';
import { intParser } from './options.js';

/** Past this many edges in one payload BloodHound ingest slows down badly (SpecterOps/BloodHound#2415). */
export const BIG_PAYLOAD_EDGES = 250_000;

interface ExportFlags {
  readonly out: string;
  readonly results?: string;
  readonly schemaOut?: string;
  readonly maxEdges?: number;
  readonly trials?: number;
  readonly quiet?: boolean;
}

/** Registers `export` on the program. */
export function registerExport(program: Command): Command {
  const cmd = program
    .command('export')
    .description('write a scenario graph (and per-node results) as BloodHound OpenGraph JSON')
    .argument('<format>', 'output format: opengraph')
    .argument('<scenario>', 'scenario file')
    .requiredOption('--out <file>', 'output: a .json payload, or a .zip of payloads (needed when --max-edges splits the graph)')
    .option('--results <dir>', 'a `blastlab run` output folder of this scenario: adds per-policy results to every node')
    .option(
      '--trials <n>',
      'with --results: replay at most this many trials per policy and attack (default: all the run had)',
      intParser(1, 1_000_000),
    )
    .option('--schema-out <file>', 'also write the BloodHound extension schema (makes the BL_ kinds traversable)')
    .option(
      '--max-edges <n>',
      'at most this many edges per payload; more → several payloads in the .zip',
      intParser(1, 100_000_000),
    )
    .option('--quiet', 'print nothing but errors');
  return defineAction(cmd, (format: string, file: string, flags: ExportFlags) => {
    if (format !== 'opengraph') throw new UsageError(`unknown export format ${JSON.stringify(format)} (known: opengraph)`);
    const ext = extname(flags.out).toLowerCase();
    if (ext !== '.json' && ext !== '.zip')
      throw new UsageError(`--out: the file must end in .json or .zip (got ${JSON.stringify(flags.out)})`);
    if (flags.schemaOut !== undefined && extname(flags.schemaOut).toLowerCase() !== '.json') {
      throw new UsageError(`--schema-out: the file must end in .json (got ${JSON.stringify(flags.schemaOut)})`);
    }
    if (flags.trials !== undefined && flags.results === undefined) throw new UsageError('--trials applies only with --results');
    const scenario = loadScenarioFile(file);

    let results: NodeResults | null = null;
    if (flags.results !== undefined) {
      const run = readRunParameters(flags.results, scenario);
      const mismatch = checkReplaySeeds(flags.results, scenario, run);
      if (mismatch !== null)
        throw new UsageError(`--results: the replay does not match the run in ${flags.results}: ${mismatch}`);
      // The loader's garbage goes before the replay adds its own (peak RSS, not time: src/cli/gc.ts).
      collectGarbage();
      results = collectNodeResults(scenario, run, flags.trials === undefined ? {} : { maxTrials: flags.trials });
      collectGarbage();
    }
    const parts = partCount(scenario.edges.length, flags.maxEdges);
    if (parts > 1 && ext !== '.zip') {
      throw new UsageError(
        `--out: ${scenario.edges.length} edges at --max-edges ${flags.maxEdges} make ${parts} payloads: write them to a .zip (e.g. --out ${flags.out.slice(0, -ext.length)}.zip)`,
      );
    }
    const schemaText =
      flags.schemaOut === undefined ? null : `${JSON.stringify(blastlabExtensionSchema(blastlabVersion()), null, 2)}\n`;
    const options = {
      ...(flags.maxEdges === undefined ? {} : { maxEdges: flags.maxEdges }),
      ...(results === null ? {} : { extras: results.extras }),
    };
    writeStreamAtomic(flags.out, 'export', (write) =>
      writeOpenGraph(scenario, options, ext === '.zip' ? zipSink(write, parts) : fileSink(write)),
    );
    if (schemaText !== null && flags.schemaOut !== undefined) writeFileAtomic(flags.schemaOut, schemaText);

    if (flags.quiet === true) return;
    const edges = scenario.edges.length;
    const payloads = parts === 1 ? '1 payload' : `${parts} payloads of at most ${flags.maxEdges} edges`;
    process.stdout.write(`${scenario.nodes.length} nodes, ${edges} edges in ${payloads} → ${flags.out}\n`);
    if (results !== null) {
      process.stdout.write(
        `results: ${results.policies.map((p) => `${p.name} (…__${p.suffix})`).join(', ')}; ${results.trials} trials × ${scenario.attacks.length} attacks replayed per policy\n`,
      );
    }
    if (schemaText !== null) process.stdout.write(`extension schema → ${flags.schemaOut}\n`);
    if (flags.maxEdges === undefined && edges > BIG_PAYLOAD_EDGES) {
      process.stderr.write(
        `hint: BloodHound ingests payloads above ~${BIG_PAYLOAD_EDGES} edges slowly: split with --max-edges ${BIG_PAYLOAD_EDGES} --out FILE.zip\n`,
      );
    }
  });
}

/** Member times in the zip: fixed, so the same scenario always gives the same bytes. */
const ZIP_MTIME = new Date('2000-01-01T00:00:00Z');
/** Text is converted and written in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 22;

/** Buffers text and hands it on as UTF-8 chunks. */
function chunker(emit: (bytes: Uint8Array, final: boolean) => void): { write(text: string): void; flush(final: boolean): void } {
  let pending: string[] = [];
  let size = 0;
  return {
    write(text) {
      pending.push(text);
      size += text.length;
      if (size >= CHUNK_CHARS) this.flush(false);
    },
    flush(final) {
      emit(strToU8(pending.join('')), final);
      pending = [];
      size = 0;
    },
  };
}

/** One payload straight into the file. */
function fileSink(write: (bytes: Uint8Array) => void): OpenGraphSink {
  const out = chunker((bytes) => write(bytes));
  return { begin: () => {}, write: (text) => out.write(text), end: () => out.flush(true) };
}

/** `members` payloads as the members of one zip, deflated as they are produced. */
function zipSink(write: (bytes: Uint8Array) => void, members: number): OpenGraphSink {
  const zip = new Zip((error, bytes) => {
    if (error !== null) throw error;
    write(bytes);
  });
  let member: ZipDeflate | null = null;
  const out = chunker((bytes, final) => member!.push(bytes, final));
  let remaining = members;
  return {
    begin(name) {
      member = new ZipDeflate(name, { level: 1 });
      member.mtime = ZIP_MTIME;
      zip.add(member);
    },
    write: (text) => out.write(text),
    end() {
      out.flush(true);
      remaining--;
      if (remaining === 0) zip.end();
    },
  };
}
