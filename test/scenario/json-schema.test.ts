import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchemaText } from '../../src/scenario/json-schema.js';

describe('scenario/json-schema', () => {
  it('should match the committed schema/scenario.schema.json (regenerate it when the schema changes)', () => {
    // To regenerate: write scenarioJsonSchemaText() to schema/scenario.schema.json (`npm run schema`).
    expect(readFileSync('schema/scenario.schema.json', 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('should describe the required top-level keys and forbid unknown ones', () => {
    const schema = JSON.parse(scenarioJsonSchemaText()) as { required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(['name', 'nodes', 'attacks', 'policies']);
    expect(schema.additionalProperties).toBe(false);
  });
});
