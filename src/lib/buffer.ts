/** Growable typed arrays: values pushed without an object each, storage doubled when full. */

type Typed = Int32Array | Uint8Array | Uint32Array | Float64Array;

/** A copy of `a` with twice its length (at least `min`), the new entries zero. */
export function doubled<T extends Typed>(a: T, min = 8): T {
  const b = new (a.constructor as new (length: number) => T)(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** Numbers in a growable Float64Array: entries [0, length) of `values`. */
export class NumberBuffer {
  values = new Float64Array(8);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) this.values = doubled(this.values);
    this.values[this.length++] = value;
  }
}
