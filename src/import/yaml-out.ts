/**
 * A compact, fast YAML writer for imported scenarios: block maps and lists, with every small object
 * (a node, an edge, a step) on one line in flow style — the layout of the shipped scenario files, and
 * several times faster than building a YAML document model for a big estate. Strings are plain when
 * unambiguous, else JSON-quoted (a JSON string is a valid YAML double-quoted scalar).
 */

/** Objects whose flow form is at most this long are written on one line. */
const FLOW_WIDTH = 160;
const PLAIN = /^[A-Za-z_][A-Za-z0-9._/@+-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(value: unknown): string {
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  throw new Error(`toYaml: unsupported value ${typeof value}`);
}

/** Flow form (`{ a: 1, b: [x, y] }`) of a value. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${scalar(k)}: ${flow(v)}`).join(', ')} }`;
  }
  return scalar(value);
}

function block(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object') {
        const f = flow(item);
        if (f.length <= FLOW_WIDTH) {
          out.push(`${indent}- ${f}`);
          continue;
        }
        if (!Array.isArray(item)) {
          const lines: string[] = [];
          block(item, `${indent}  `, lines);
          out.push(`${indent}- ${lines[0]!.trimStart()}`, ...lines.slice(1));
          continue;
        }
      }
      out.push(`${indent}- ${flow(item)}`);
    }
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const k = scalar(key);
    if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
      const f = flow(v);
      if (f.length <= FLOW_WIDTH && !(Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object'))) {
        out.push(`${indent}${k}: ${f}`);
      } else {
        out.push(`${indent}${k}:`);
        block(v, `${indent}  `, out);
      }
    } else {
      out.push(`${indent}${k}: ${flow(v)}`);
    }
  }
}

/** The YAML text of plain data (maps, lists, strings, numbers, booleans). */
export function toYaml(data: Record<string, unknown>): string {
  const out: string[] = [];
  block(data, '', out);
  return `${out.join('\n')}\n`;
}
