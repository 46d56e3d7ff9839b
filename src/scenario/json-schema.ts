/**
 * The JSON Schema of scenario files, for editors (VS Code's YAML extension, JSON `$schema`). It is
 * generated from the zod input schema and committed as schema/scenario.schema.json; a test keeps the
 * committed file equal to this output. Cross-field rules (references, edge kinds) are not in it.
 */
import * as z from 'zod';
import { scenarioInputSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of a scenario file's input. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioInputSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    // Shared pieces (durations, distributions) go to $defs once instead of being inlined everywhere.
    reused: 'ref',
  });
  return {
    ...schema,
    title: 'blastlab scenario',
    description: 'A blastlab scenario file: the NHI graph, the benign workload, the breach patterns to replay and the policies to compare.',
  };
}

/** The committed file's exact text (2-space JSON and a final newline). */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
