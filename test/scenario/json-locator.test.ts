import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonLocator } from '../../src/scenario/json-locator.js';
import { runs } from '../runs.js';

describe('scenario/json-locator', () => {
  const text =
    '{\n  "a \\" b": [1, {"x": "q\\\\"}, [2, 3]],\n  "nodes": [\n    {"id": "n\\"1", "kind": "agent"},\n    {"id": "n2", "kind": "tool"}\n  ]\n}\n';

  it('should find values and keys behind escaped quotes and nested lists', () => {
    const at = (path: (string | number)[], atKey = false) =>
      new JsonLocator(text).position(new JsonLocator(text).offsetOf(path, atKey));
    expect(at(['nodes', 1, 'kind'])).toEqual({ line: 5, column: 26 });
    expect(at(['nodes', 0, 'id'])).toEqual({ line: 4, column: 12 });
    expect(at(['nodes', 0, 'kind'], true)).toEqual({ line: 4, column: 20 });
    expect(at(['a " b', 2, 1])).toEqual({ line: 2, column: 35 });
  });

  it('should stop at the nearest existing ancestor of a missing path', () => {
    const locator = new JsonLocator(text);
    expect(locator.position(locator.offsetOf(['nodes', 7, 'id']))).toEqual({ line: 3, column: 12 });
    expect(locator.position(locator.offsetOf(['missing']))).toEqual({ line: 1, column: 1 });
  });

  it('should locate every element of any JSON list at the offset where its text starts', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.boolean(), (items, pretty) => {
        const json = JSON.stringify({ items }, null, pretty ? 2 : undefined);
        const locator = new JsonLocator(json);
        items.forEach((item, i) => {
          const offset = locator.offsetOf(['items', i]);
          // The element's own text starts there: parsing from that offset yields the element.
          const rest = json.slice(offset);
          const end = [...Array(rest.length + 1).keys()].find((n) => {
            try {
              JSON.parse(rest.slice(0, n));
              return JSON.stringify(JSON.parse(rest.slice(0, n))) === JSON.stringify(item);
            } catch {
              return false;
            }
          });
          expect(end, `${json} #${i}`).toBeDefined();
        });
      }),
      runs(60),
    );
  });
});
