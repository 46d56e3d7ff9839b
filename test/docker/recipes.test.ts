/** The batch recipes stay runnable: they call the image's entrypoint with real flags, and their shard counts agree. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildProgram } from '../../src/cli/program.js';

type Container = { args?: string[]; command?: string[]; env?: { name: string; value: string }[] };
const k8s = (file: string): Record<string, unknown>[] =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
const containerOf = (job: Record<string, unknown>): Container =>
  (job as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]!;

/** Parses `argv` with the real program's options, without running anything: throws on an unknown flag or command. */
async function checkArgv(argv: readonly string[]): Promise<void> {
  const program = await buildProgram();
  const command = program.commands.find((c) => c.name() === argv[0]);
  expect(command, argv[0]).toBeDefined();
  const known = new Set(command!.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)));
  for (const arg of argv.filter((a) => a.startsWith('-'))) expect(known, `${argv[0]} ${arg}`).toContain(arg);
}

describe('batch recipes', () => {
  const shards = k8s('k8s/blastlab-shards.yaml').find((d) => d['kind'] === 'Job')!;
  const merge = k8s('k8s/blastlab-merge.yaml').find((d) => d['kind'] === 'Job')!;
  const awsShard = (JSON.parse(readFileSync('aws-batch/job-definition.json', 'utf8')) as { containerProperties: Container })
    .containerProperties;
  const awsMerge = (JSON.parse(readFileSync('aws-batch/merge-job-definition.json', 'utf8')) as { containerProperties: Container })
    .containerProperties;

  it('should pass the image entrypoint (blastlab) a real command and real flags', async () => {
    for (const argv of [containerOf(shards).args!, containerOf(merge).args!, awsShard.command!, awsMerge.command!])
      await checkArgv(argv);
  });

  it('should keep the Kubernetes shard count, completions and merge list in step', () => {
    const n = (shards as { spec: { completions: number } }).spec.completions;
    const count = containerOf(shards).env!.find((e) => e.name === 'BLASTLAB_SHARD_COUNT')!.value;
    expect(Number(count)).toBe(n);
    const dirs = containerOf(merge).args!.filter((a) => a.startsWith('/results/shard-'));
    expect(dirs).toEqual(Array.from({ length: n }, (_, i) => `/results/shard-${i}`));
    expect(containerOf(shards).args!.join(' ')).toContain('--shard auto --workers 2 --quiet --out /results/shard-{shard}');
  });

  it('should merge the folders the AWS Batch shards write', () => {
    expect(awsShard.command!.join(' ')).toContain('--shard auto');
    expect(awsShard.command!).toContain('/results/shard-{shard}');
    expect(awsMerge.command!.filter((a) => a.startsWith('/results/shard-')).length).toBeGreaterThan(1);
  });
});
