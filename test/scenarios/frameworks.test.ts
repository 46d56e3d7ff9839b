import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTACK_SOURCES, FRAMEWORK_IDS, isKnownFrameworkId, unknownFrameworkIds, findUnknownFrameworkIds } from '../../src/scenario/frameworks.js';
import { ROOT, suiteFiles } from './suites.js';

describe('scenario/frameworks', () => {
  it('should accept ids exactly as FRAMEWORKS.md writes them', () => {
    expect(unknownFrameworkIds({ 'owasp-nhi': ['NHI2:2025', 'NHI10:2025'], 'nist-ai-rmf': ['GOVERN 1.7'], maestro: ['L3', 'Cross-Layer'] })).toEqual([]);
  });

  it('should reject the seed text ids that do not exist (NHI-03, GOV-2)', () => {
    expect(unknownFrameworkIds({ 'owasp-agentic': ['NHI-03'], maestro: ['GOV-2'] })).toEqual(['owasp-agentic: NHI-03', 'maestro: GOV-2']);
  });

  it('should reject an id filed under the wrong framework and an unpinned edition', () => {
    expect(unknownFrameworkIds({ 'owasp-agentic': ['NHI3:2025'], 'owasp-nhi': ['NHI3'] })).toEqual(['owasp-agentic: NHI3:2025', 'owasp-nhi: NHI3']);
  });

  it('should report an unknown framework key with its position', () => {
    expect(findUnknownFrameworkIds({ cis: ['1.14'], attack: ['T1078', 'T9999'] })).toEqual([
      { key: 'cis', index: null, id: 'cis' },
      { key: 'attack', index: 1, id: 'T9999' },
    ]);
  });

  it('should list every id that appears in FRAMEWORKS.md tables as known', () => {
    const doc = readFileSync(join(ROOT, 'test/scenarios/fixtures/FRAMEWORKS.md'), 'utf8');
    for (const id of doc.matchAll(/\| (NHI\d+:2025) \|/g)) expect(isKnownFrameworkId('owasp-nhi', id[1] ?? '')).toBe(true);
    for (const id of doc.matchAll(/\b(ASI\d\d)\b/g)) expect(isKnownFrameworkId('owasp-agentic', id[1] ?? '')).toBe(true);
    for (const id of doc.matchAll(/\b(T\d{4}(?:\.\d{3})?|TA\d{4})\b/g)) expect(isKnownFrameworkId('attack', id[1] ?? '')).toBe(true);
    for (const id of doc.matchAll(/\b((?:PR\.AA|DE\.CM|RS\.MI)-\d\d)\b/g)) expect(isKnownFrameworkId('nist-csf', id[1] ?? '')).toBe(true);
    expect(Object.keys(FRAMEWORK_IDS)).toHaveLength(8);
  });
});

describe('scenario suites: framework tags', () => {
  const files = suiteFiles();

  it.each(files.map((f) => [f.path, f] as const))('should use only FRAMEWORKS.md ids in %s', (_path, file) => {
    const frameworks = file.doc['frameworks'];
    expect(frameworks, 'frameworks: is required in shipped scenarios').toBeTypeOf('object');
    expect(unknownFrameworkIds(frameworks as Record<string, string[]>)).toEqual([]);
    expect(Object.values(frameworks as Record<string, string[]>).flat().length).toBeGreaterThan(0);
  });

  it('should never mention NHI-03 or GOV-2 in any shipped scenario', () => {
    for (const f of files) {
      expect(f.text, f.path).not.toMatch(/NHI-03|GOV-2/);
    }
  });
});

describe('scenario/frameworks: ATT&CK techniques added for the incident library', () => {
  it('should list each added technique as known, with its attack.mitre.org page', () => {
    for (const [id, source] of Object.entries(ATTACK_SOURCES)) {
      expect(isKnownFrameworkId('attack', id), id).toBe(true);
      expect(source.url, id).toBe(`https://attack.mitre.org/techniques/${id.replace('.', '/')}/`);
    }
  });

  it('should give every ATT&CK id outside FRAMEWORKS.md first list a source', () => {
    const doc = readFileSync(join(ROOT, 'test/scenarios/fixtures/FRAMEWORKS.md'), 'utf8');
    const firstList = doc.slice(doc.indexOf('## MITRE ATT&CK'), doc.indexOf('Added for the incident library'));
    const original = new Set([...firstList.matchAll(/\b(T\d{4}(?:\.\d{3})?|TA\d{4})\b/g)].map((m) => m[1]));
    for (const id of FRAMEWORK_IDS.attack) if (!original.has(id)) expect(ATTACK_SOURCES[id], id).toBeDefined();
  });
});
