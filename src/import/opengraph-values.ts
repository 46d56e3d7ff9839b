/**
 * Source property values → blastlab attribute values for the OpenGraph import: each value a profile
 * maps is checked against the scenario schema one by one (an unusable value is dropped and counted,
 * the rest of the node is kept); timestamps are normalised to ISO 8601 with a zone; a resource's
 * `record` is assembled from its two flat attributes `recordReached` and `recordSource` (OpenGraph
 * properties are flat). Also: ids, grant actions, the latest timestamp.
 */
import { nodeSchema, resourceRecordSchema } from '../scenario/schema.js';
import { dateTimeSchema } from '../scenario/schema-values.js';
import { ACTIONS, type Action, type NodeKind } from '../domain/scenario.js';
import type { OgValue } from './opengraph-format.js';
import type { EdgeMapping, NodeMapping } from './opengraph-profile.js';

/** Credential attributes holding real timestamps (they need the scenario's `asOf`). */
export const TIMESTAMP_ATTRIBUTES: ReadonlySet<string> = new Set(['createdAt', 'lastRotatedAt', 'lastUsedAt', 'expiresAt']);
/** Profile attributes that make up a resource's `record: {reached, source}`. */
const RECORD_ATTRIBUTES: Readonly<Record<string, 'reached' | 'source'>> = { recordReached: 'reached', recordSource: 'source' };

const MAX_ID = 200;

/** Counts by key (`inc`) and lists them sorted by key. */
export const inc = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
export const sorted = (map: Map<string, number>): [string, number][] =>
  [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/**
 * Writes a mapped node's attributes (fixed ones, then those taken from source properties) into
 * `node`; counts unusable values in `dropped` (as `<source kind>.<property>`) and collects the
 * creation, rotation and use timestamps in `timestamps` (for the default `asOf`).
 */
export class AttributeMapper {
  /** Values repeat across nodes (environments, sensitivities, types): each distinct one is checked once. */
  private readonly checked = new Map<string, boolean>();
  readonly dropped = new Map<string, number>();
  readonly timestamps: string[] = [];

  apply(
    node: Record<string, unknown>,
    kind: NodeKind,
    mapping: NodeMapping,
    properties: Readonly<Record<string, OgValue>>,
    sourceKind: string,
  ): void {
    Object.assign(node, mapping.attributes ?? {});
    const record: { reached?: unknown; source?: unknown } = {};
    const recordProperties: string[] = [];
    for (const [attribute, property] of Object.entries(mapping.properties ?? {})) {
      if (property === undefined) continue;
      const value = properties[property];
      if (value === undefined || value === '') continue;
      const part = RECORD_ATTRIBUTES[attribute];
      if (part !== undefined) {
        record[part] = value;
        recordProperties.push(property);
        continue;
      }
      const usable = TIMESTAMP_ATTRIBUTES.has(attribute) ? normalizeTimestamp(value) : value;
      if (usable === null || !this.usable(kind, attribute, usable)) {
        inc(this.dropped, `${sourceKind}.${property}`);
        continue;
      }
      node[attribute] = usable;
      if (TIMESTAMP_ATTRIBUTES.has(attribute) && attribute !== 'expiresAt') this.timestamps.push(usable as string);
    }
    if (recordProperties.length > 0) {
      // A record without `reached` is `potential` (the schema's default reading); confirmed and denied need a source.
      const value = { reached: record.reached ?? 'potential', ...(record.source === undefined ? {} : { source: record.source }) };
      if (kind === 'resource' && resourceRecordSchema.safeParse(value).success) node['record'] = value;
      else for (const property of recordProperties) inc(this.dropped, `${sourceKind}.${property}`);
    }
  }

  private usable(kind: NodeKind, attribute: string, value: OgValue): boolean {
    const key = `${kind}\u0000${attribute}\u0000${typeof value}\u0000${String(value)}`;
    let ok = this.checked.get(key);
    if (ok === undefined) {
      ok = nodeSchema.safeParse({ id: 'x', kind, [attribute]: value }).success;
      this.checked.set(key, ok);
    }
    return ok;
  }
}

/** A blastlab id for an OpenGraph id: invalid characters become `_`, a leading one gets `n`, long ids keep a hash. */
export function sanitizeId(id: string): string {
  let out = id.replace(/[^A-Za-z0-9._:/@+-]/g, '_');
  if (!/^[A-Za-z0-9]/.test(out)) out = `n${out}`;
  if (out.length > MAX_ID) out = `${out.slice(0, MAX_ID - 9)}-${hash8(id)}`;
  return out;
}

function hash8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The action lists, one shared array per combination (a million grants edges need only a few). */
const ACTION_LISTS: readonly (readonly Action[])[] = Array.from({ length: 1 << ACTIONS.length }, (_, mask) =>
  Object.freeze(ACTIONS.filter((_a, i) => (mask & (1 << i)) !== 0)),
);

/** The actions of a mapped grants edge: from `actionsProperty` when it names any, else the mapping's `actions` (default admin). */
export function grantActions(mapping: EdgeMapping, properties: Readonly<Record<string, OgValue>>): readonly Action[] {
  let mask = 0;
  if (mapping.actionsProperty !== undefined) {
    const raw = properties[mapping.actionsProperty];
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[,\s]+/) : [];
    for (const item of list) {
      const i = ACTIONS.indexOf(item as Action);
      if (i >= 0) mask |= 1 << i;
    }
  }
  if (mask === 0) for (const a of mapping.actions ?? ['admin']) mask |= 1 << ACTIONS.indexOf(a);
  return ACTION_LISTS[mask]!;
}

/** An ISO 8601 date-time with a zone, as the scenario schema wants it; null when not one. */
export function normalizeTimestamp(value: OgValue): string | null {
  if (typeof value !== 'string') return null;
  if (dateTimeSchema.safeParse(value).success) return value;
  // Collectors often drop the zone or the `T`: read those as UTC.
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value.trim());
  return m === null ? null : `${m[1]}T${m[2]}Z`;
}

/** The latest of ISO 8601 instants (null when none). */
export function latest(timestamps: readonly string[]): string | null {
  let best: string | null = null;
  let bestMs = Number.NEGATIVE_INFINITY;
  for (const t of timestamps) {
    const ms = Date.parse(t);
    if (ms > bestMs) {
      bestMs = ms;
      best = t;
    }
  }
  return best;
}

/**
 * A set of (a, b, c) triples of non-negative int32s in flat typed arrays (open addressing, linear
 * probing): a million edge keys without a million key strings or boxed numbers.
 */
export class TripleSet {
  private keys: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Int32Array(capacity * 3).fill(-1);
    this.mask = capacity - 1;
  }

  /** Adds the triple; false when it was already there. */
  add(a: number, b: number, c: number): boolean {
    let slot = this.slotOf(a, b, c);
    const keys = this.keys;
    for (; ; slot = (slot + 1) & this.mask) {
      const at = slot * 3;
      if (keys[at] === -1) break;
      if (keys[at] === a && keys[at + 1] === b && keys[at + 2] === c) return false;
    }
    keys[slot * 3] = a;
    keys[slot * 3 + 1] = b;
    keys[slot * 3 + 2] = c;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return true;
  }

  private slotOf(a: number, b: number, c: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c + 0x165667b1, 0xc2b2ae3d);
    h ^= h >>> 15;
    return (Math.imul(h, 0x2c1b3c6d) >>> 0) & this.mask;
  }

  private grow(): void {
    const old = this.keys;
    this.keys = new Int32Array(old.length * 2).fill(-1);
    this.mask = this.mask * 2 + 1;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] === -1) continue;
      let slot = this.slotOf(old[at]!, old[at + 1]!, old[at + 2]!);
      while (this.keys[slot * 3] !== -1) slot = (slot + 1) & this.mask;
      this.keys.set(old.subarray(at, at + 3), slot * 3);
    }
  }
}
