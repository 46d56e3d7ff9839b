/**
 * Positions inside a big JSON file without a second parse: the fast path for generated estates
 * (100 MB, a million edges) that the YAML parser would take minutes to read with positions.
 *
 * `JSON.parse` builds the data; this scanner finds, on demand, where a path such as
 * `edges[812345].to` starts in the text. Every array or object it walks through records the offsets
 * of its members the first time, so reporting many problems in one big list scans that list once.
 */
/** One step of a path into a parsed document: a map key or a list index. */
export type PathSegment = string | number;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

interface ObjectMembers {
  readonly keys: Map<string, { readonly key: number; readonly value: number }>;
}

/** Finds where paths and offsets of a valid JSON text are, as 1-based line and column. */
export class JsonLocator {
  private lineStarts: Int32Array | null = null;
  private readonly arrays = new Map<number, Int32Array>();
  private readonly objects = new Map<number, ObjectMembers>();

  constructor(private readonly text: string) {}

  /** Line and column of a character offset. */
  position(offset: number): { line: number; column: number } {
    const starts = this.lines();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** Offset of the value at `path` (or of its key with `atKey`), to the nearest existing ancestor. */
  offsetOf(path: readonly PathSegment[], atKey = false): number {
    let offset = this.skipSpace(0);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const c = this.text.charCodeAt(offset);
      if (c === OPEN_BRACKET && typeof segment === 'number') {
        const element = this.elements(offset)[segment];
        if (element === undefined) break;
        offset = element;
      } else if (c === OPEN_BRACE) {
        const member = this.members(offset).keys.get(String(segment));
        if (member === undefined) break;
        offset = atKey && i === path.length - 1 ? member.key : member.value;
      } else {
        break;
      }
    }
    return offset;
  }

  private lines(): Int32Array {
    if (this.lineStarts === null) {
      const starts: number[] = [0];
      let at = this.text.indexOf('\n');
      while (at !== -1) {
        starts.push(at + 1);
        at = this.text.indexOf('\n', at + 1);
      }
      this.lineStarts = Int32Array.from(starts);
    }
    return this.lineStarts;
  }

  private elements(open: number): Int32Array {
    let found = this.arrays.get(open);
    if (found === undefined) {
      const offsets: number[] = [];
      let at = this.skipSpace(open + 1);
      if (this.text.charCodeAt(at) !== CLOSE_BRACKET) {
        for (;;) {
          offsets.push(at);
          at = this.skipSpace(this.skipValue(at));
          if (this.text.charCodeAt(at) !== COMMA) break;
          at = this.skipSpace(at + 1);
        }
      }
      found = Int32Array.from(offsets);
      this.arrays.set(open, found);
    }
    return found;
  }

  private members(open: number): ObjectMembers {
    let found = this.objects.get(open);
    if (found === undefined) {
      const keys = new Map<string, { key: number; value: number }>();
      let at = this.skipSpace(open + 1);
      while (this.text.charCodeAt(at) === QUOTE) {
        const keyStart = at;
        const keyEnd = this.skipString(at);
        const key = JSON.parse(this.text.slice(keyStart, keyEnd)) as string;
        at = this.skipSpace(keyEnd);
        if (this.text.charCodeAt(at) !== COLON) break;
        const value = this.skipSpace(at + 1);
        // JSON.parse keeps the last of duplicate keys: so does the locator.
        keys.set(key, { key: keyStart, value });
        at = this.skipSpace(this.skipValue(value));
        if (this.text.charCodeAt(at) !== COMMA) break;
        at = this.skipSpace(at + 1);
      }
      found = { keys };
      this.objects.set(open, found);
    }
    return found;
  }

  private skipSpace(at: number): number {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else return at;
    }
  }

  /** End (exclusive) of the string starting at `at` (a quote). */
  private skipString(at: number): number {
    const { text } = this;
    let i = at + 1;
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) return text.length;
      // Count the backslashes before the quote: an odd number escapes it.
      let slashes = 0;
      for (let j = quote - 1; j > at && text.charCodeAt(j) === BACKSLASH; j--) slashes++;
      if (slashes % 2 === 0) return quote + 1;
      i = quote + 1;
    }
  }

  /** End (exclusive) of the value starting at `at`. */
  private skipValue(at: number): number {
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === QUOTE) return this.skipString(at);
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
      let i = at;
      for (;;) {
        const d = text.charCodeAt(i);
        if (
          Number.isNaN(d) ||
          d === COMMA ||
          d === CLOSE_BRACE ||
          d === CLOSE_BRACKET ||
          d === 0x20 ||
          d === 0x0a ||
          d === 0x0d ||
          d === 0x09
        )
          return i;
        i++;
      }
    }
    // A container: match brackets, stepping over strings.
    let depth = 0;
    let i = at;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = this.skipString(i);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return text.length;
  }
}
