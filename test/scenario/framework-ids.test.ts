import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.js';

const text = (frameworks: string): string => `name: fw
frameworks: ${frameworks}
nodes: [{ id: a, kind: agent }]
attacks: [{ pattern: lateral-movement, entry: a, at: 1h }]
policies: { p: { kind: persistent } }
`;

describe('scenario/load framework tags', () => {
  it('should accept the real identifiers of FRAMEWORKS.md', () => {
    const result = parseScenarioText(text('{ owasp-nhi: [NHI2:2025], attack: [T1552.001], nist-csf: [PR.AA-05] }'), 'fw.yaml');
    expect(result.ok).toBe(true);
  });

  it('should reject an identifier that does not exist, at its line and path, with the closest real one', () => {
    const result = parseScenarioText(text('{ owasp-nhi: [NHI-03], attack: [T1552.01] }'), 'fw.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'frameworks.owasp-nhi[0]'],
      [2, 'frameworks.attack[0]'],
    ]);
    expect(result.issues[1]?.hint).toBe('did you mean "T1552.001"?');
  });
});
