import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
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

describe('scenario/json-schema for editors', () => {
  const schema = JSON.parse(scenarioJsonSchemaText()) as Record<string, unknown>;

  it('should name every definition (no generated __schemaN names)', () => {
    const defs = Object.keys(schema['$defs'] as object);
    expect(defs).toEqual(
      expect.arrayContaining([
        'Duration',
        'Distribution',
        'AgentNode',
        'CredentialNode',
        'Edge',
        'Task',
        'SecretReplayAttack',
        'Policy',
        'PolicyEntry',
      ]),
    );
    expect(scenarioJsonSchemaText()).not.toMatch(/__schema\d/);
  });

  it('should describe every property', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'if') continue; // discriminant conditions, not properties a user writes
        if (key === 'properties') {
          for (const [prop, sub] of Object.entries(value as object)) {
            if (typeof (sub as { description?: unknown }).description !== 'string') undocumented.push(`${path}.${prop}`);
          }
        }
        walk(value, `${path}/${key}`);
      }
    };
    walk(schema, '');
    expect(undocumented).toEqual([]);
  });

  it('should check a node against its own kind only, so the editor names the wrong key', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const base = {
      name: 's',
      attacks: [{ pattern: 'lateral-movement', entry: 'a', at: '1h' }],
      policies: { p: { kind: 'persistent' } },
    };
    expect(validate({ ...base, nodes: [{ id: 'a', kind: 'agent' }] })).toBe(true);
    expect(validate({ ...base, nodes: [{ id: 'a', kind: 'agent', sensitivity: 'regulated' }] })).toBe(false);
    const errors = validate.errors ?? [];
    // Only the agent branch speaks, and it names the key.
    expect(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => [e.instancePath, e.params])).toEqual([
      ['/nodes/0', { additionalProperty: 'sensitivity' }],
    ]);
    expect(errors.some((e) => e.schemaPath.includes('ResourceNode') || e.schemaPath.includes('ToolNode'))).toBe(false);
    expect(validate({ ...base, nodes: [{ id: 'a', kind: 'robot' }] })).toBe(false);
    expect(validate.errors?.some((e) => e.keyword === 'enum' && e.instancePath === '/nodes/0/kind')).toBe(true);
  });
});
