/**
 * Event-loop cases: `engine events` (events/s of a trial's event loop) beside `raw heap push/pop`
 * (a typed-array binary heap doing the same pushes and pops with no objects and no dispatch).
 *
 * `engine events` runs a real trial (src/sim/trial.ts runTrialDetailed) and counts its engine events;
 * `workloadEventLoop` (the workload schedule through the shared EventHeap) stays as a reference loop.
 */
import { generateEstate } from '../../estate/synthetic.js';
import { EventHeap } from '../../lib/heap.js';
import { assertNever } from '../../lib/assert.js';
import type { Scenario } from '../../domain/scenario.js';
import { compile } from '../../model/compile.js';
import { runTrialDetailed } from '../../sim/trial.js';
import type { BenchGroup, BenchSize } from '../types.js';

/** What the bench needs from an engine: run one trial's loop, return the number of events processed. */
export type EngineImpl = () => number;

interface LoopEvent {
  readonly time: number;
  readonly priority: number;
  readonly seq: number;
  readonly type: 'task-start' | 'task-end';
  readonly task: number;
}

const HORIZON_MS = 86_400_000;

/** The stand-in engine: task starts and ends of a scenario's workload over one day, in time order. */
export function workloadEventLoop(scenario: Scenario): EngineImpl {
  const tasks = scenario.workload;
  return () => {
    const heap = new EventHeap<LoopEvent>();
    let seq = 0;
    let running = 0;
    let processed = 0;
    for (const task of tasks) {
      if (task.atMs < HORIZON_MS) heap.push({ time: task.atMs, priority: 1, seq: seq++, type: 'task-start', task: task.index });
    }
    for (let ev = heap.pop(); ev !== undefined; ev = heap.pop()) {
      processed++;
      const task = tasks[ev.task]!;
      switch (ev.type) {
        case 'task-start': {
          running++;
          heap.push({ time: ev.time + task.durationMs, priority: 0, seq: seq++, type: 'task-end', task: ev.task });
          const next = ev.time + task.everyMs;
          if (next < HORIZON_MS) heap.push({ time: next, priority: 1, seq: seq++, type: 'task-start', task: ev.task });
          break;
        }
        case 'task-end':
          running--;
          break;
        default:
          assertNever(ev.type);
      }
    }
    return running === 0 ? processed : -processed;
  };
}

/** The raw baseline: the same pushes and pops on a typed-array heap of (time, payload). */
export class RawHeap {
  private times: Float64Array;
  private payload: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.payload = new Int32Array(capacity);
  }

  push(time: number, value: number): void {
    if (this.size === this.times.length) {
      const t = new Float64Array(this.size * 2);
      const p = new Int32Array(this.size * 2);
      t.set(this.times);
      p.set(this.payload);
      this.times = t;
      this.payload = p;
    }
    const times = this.times;
    const payload = this.payload;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      payload[i] = payload[parent]!;
      i = parent;
    }
    times[i] = time;
    payload[i] = value;
  }

  /** Removes the minimum; returns its payload (the time is `lastTime`). */
  pop(): number {
    const times = this.times;
    const payload = this.payload;
    const top = payload[0]!;
    this.lastTime = times[0]!;
    const n = --this.size;
    const t = times[n]!;
    const v = payload[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && times[c + 1]! < times[c]!) c++;
      if (times[c]! >= t) break;
      times[i] = times[c]!;
      payload[i] = payload[c]!;
      i = c;
    }
    times[i] = t;
    payload[i] = v;
    return top;
  }

  lastTime = 0;
}

/** The raw loop: the identical schedule with the typed-array heap (payload = task index, sign = end). */
export function rawHeapLoop(scenario: Scenario): () => number {
  const tasks = scenario.workload;
  const heap = new RawHeap(1024);
  return () => {
    heap.size = 0;
    let processed = 0;
    for (const task of tasks) if (task.atMs < HORIZON_MS) heap.push(task.atMs, task.index);
    while (heap.size > 0) {
      const value = heap.pop();
      const time = heap.lastTime;
      processed++;
      if (value >= 0) {
        const task = tasks[value]!;
        heap.push(time + task.durationMs, -1 - value);
        if (time + task.everyMs < HORIZON_MS) heap.push(time + task.everyMs, value);
      }
    }
    return processed;
  };
}

/**
 * Our engine: one trial of the estate's lateral-movement attack under its ephemeral policy, through
 * runTrialDetailed; returns its events: heap events (hops, wake-ups, detections) plus the attacker
 * steps evaluated inside them (actions tried, holders read, exchanges, tool credential uses). Our
 * heap holds one event per hop and evaluates its steps in a batch; an engine that queued every step
 * would pop this many events, so events/s compares with a raw heap's push/pop rate like for like.
 */
export function trialEventLoop(scenario: Scenario): EngineImpl {
  const model = compile(scenario);
  const policy = Math.max(
    0,
    scenario.policies.findIndex((p) => p.kind === 'ephemeral'),
  );
  const attack = Math.max(
    0,
    scenario.attacks.findIndex((a) => a.pattern === 'lateral-movement'),
  );
  let trial = 0;
  return () => runTrialDetailed(model, policy, attack, trial++ % 64).steps;
}

/** Raw heap work of `count` events: push then pop, on the typed-array heap. */
function rawHeapEvents(count: number): () => number {
  const heap = new RawHeap(1024);
  return () => {
    heap.size = 0;
    let processed = 0;
    let time = 0;
    heap.push(0, 0);
    while (heap.size > 0 && processed < count) {
      heap.pop();
      processed++;
      time += 1000;
      if (processed < count) heap.push(time, processed);
    }
    return processed;
  };
}

/** The event-loop group: a trial's engine events beside the same number of raw heap push/pops. */
export function engineGroup(size: BenchSize, engine?: EngineImpl): BenchGroup {
  const scenario = generateEstate({ agents: size.quick ? 50 : 1_000, seed: 1, grantsPerCredential: 4 });
  const run = engine ?? trialEventLoop(scenario);
  const events = run();
  const raw = rawHeapEvents(events);
  const rawEvents = raw();
  if (events <= 0 || rawEvents !== events) throw new Error(`bench: engine processed ${events} events, the raw loop ${rawEvents}`);
  return {
    cases: [
      { id: 'raw heap push/pop', name: 'raw heap push/pop', opsPerCall: rawEvents, fn: raw },
      { id: 'engine events', name: 'engine events', opsPerCall: events, fn: run },
    ],
  };
}
