/** A binary min-heap of events ordered by (time, priority, seq): deterministic ties, no allocation per pop. */

/** What the heap orders by; `seq` breaks ties in insertion order. */
export interface HeapItem {
  readonly time: number;
  readonly priority: number;
  readonly seq: number;
}

function before(a: HeapItem, b: HeapItem): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.seq < b.seq;
}

/** Min-heap over HeapItem. */
export class EventHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[i]!;
      const down = items[parent]!;
      if (!before(up, down)) break;
      // Swapped through locals: a destructuring swap allocates an array per step.
      items[i] = down;
      items[parent] = up;
      i = parent;
    }
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l]!, items[m]!)) m = l;
        if (r < items.length && before(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        const down = items[i]!;
        items[i] = items[m]!;
        items[m] = down;
        i = m;
      }
    }
    return top;
  }
}
