/**
 * The reach rule modules alone, on a hand-built attacker state: one attacker action at a time (as
 * CyberBattleSim tests one action), without the event loop of src/reach/engine.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ADMIN, READ } from '../../src/domain/actions.js';
import type { Policy } from '../../src/domain/scenario.js';
import { createRng } from '../../src/lib/rng.js';
import type { TrialContext } from '../../src/reach/context.js';
import { addControl, controlActive, controlEnd, sureControlUntil } from '../../src/reach/control.js';
import { draw, revokedBy } from '../../src/reach/detection.js';
import { addInstance, blankInstance, covers, coversAcross } from '../../src/reach/instances.js';
import type { Instance } from '../../src/reach/instances.js';
import { AttackerState } from '../../src/reach/state.js';
import type { TraceEvent } from '../../src/reach/trace.js';
import { useAll } from '../../src/reach/use.js';
import { containedAt, SpanRun, unionLength, type Span } from '../../src/reach/windows.js';
import { modesOf } from '../../src/sim/trial.js';
import { OccurrenceCache } from '../../src/workload/occurrence-cache.js';
import {
  HOUR,
  agent,
  credential,
  ephemeral,
  fixed,
  grants,
  holds,
  lateral,
  persistent,
  resource,
  scenario,
} from '../arbitraries/build.js';
import { modelOf } from '../arbitraries/run.js';
import { runs } from '../runs.js';

/** a holds k; k grants read+admin on db and admin on box; k2 grants admin on box. */
function stateOf(
  policy: Policy = persistent(),
  trace?: (e: TraceEvent) => void,
): { s: AttackerState; id: (name: string) => number } {
  const model = modelOf(
    scenario({
      nodes: [agent('a'), agent('box'), resource('db'), credential('k'), credential('k2')],
      edges: [
        holds('a', 'k'),
        grants('k', 'db', ['read', 'admin']),
        grants('k', 'box', ['admin']),
        grants('k2', 'box', ['admin']),
      ],
      policies: [policy],
      attacks: [lateral('a', 0)],
    }),
  );
  const ctx: TrialContext = {
    model,
    policy,
    modes: modesOf(model, 0),
    costSeed: 1,
    rng: createRng(1),
    detectSeed: 3,
    hopSeed: 4,
    occurrences: new OccurrenceCache(),
  };
  const foothold = { startMs: 0, firstHopMs: 0, instances: [], control: [], attemptFilter: null, countFilter: null };
  const s = new AttackerState(ctx, foothold, fixed(HOUR), Number.POSITIVE_INFINITY, trace);
  return { s, id: (name) => model.indexOf.get(name)! };
}

function copy(cred: number, extra: Partial<Instance> = {}): Instance {
  return { ...blankInstance(), cred, until: 10 * HOUR, depth: 1, ...extra };
}

describe('windows (S5, S7)', () => {
  it('should measure the union of overlapping, touching and disjoint spans once, ignoring empty ones', () => {
    const spans = [
      { from: 0, until: 10, cut: false },
      { from: 5, until: 15, cut: false },
      { from: 15, until: 20, cut: false },
      { from: 30, until: 40, cut: false },
      { from: 50, until: 50, cut: false },
      { from: 60, until: 55, cut: false },
    ];
    expect(unionLength(spans)).toBe(30);
    expect(unionLength([])).toBe(0);
  });

  it('should add the merged blocks of any spans, in order, to the last bit', () => {
    /** The plain merge: spans by start, a block grows while the next starts by its end. */
    const merged = (spans: readonly { from: number; until: number }[]): number => {
      const live = spans.filter((x) => x.until > x.from).sort((a, b) => a.from - b.from);
      let total = 0;
      for (let i = 0; i < live.length;) {
        const from = live[i]!.from;
        let until = live[i++]!.until;
        while (i < live.length && live[i]!.from <= until) until = Math.max(until, live[i++]!.until);
        total += until - from;
      }
      return total;
    };
    // Fractional moments (mints fall between milliseconds), ties, touching and inverted spans.
    const moment = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 3e9, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.record({ from: moment, until: moment, cut: fc.boolean() }), { maxLength: 60 }), (spans) => {
        expect(unionLength(spans)).toBe(merged(spans));
      }),
      runs(300),
    );
  });

  it('should give the same window and containment moment whether spans are merged as they come or not', () => {
    // streamSpans merges a stream's spans as they come (SpanRun): thousands of copies a trial.
    const moment = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 3e9, noNaN: true }));
    const horizon = fc.oneof(fc.constant(40), fc.constant(3e9));
    fc.assert(
      fc.property(
        fc.array(fc.record({ from: moment, until: moment, cut: fc.boolean() }), { maxLength: 60 }),
        horizon,
        (spans, h) => {
          const merged: Span[] = [];
          const run = new SpanRun(merged);
          for (const span of spans) run.add(span);
          run.flush();
          expect(unionLength(merged)).toBe(unionLength(spans));
          expect(containedAt(merged, h)).toBe(containedAt(spans, h));
        },
      ),
      runs(300),
    );
  });

  it('should contain a trial at the end of its last span only when a revocation cut that span before the horizon', () => {
    expect(containedAt([{ from: 0, until: 10, cut: true }], 100)).toBe(10);
    // The last span ended naturally: never contained, whatever earlier spans did.
    expect(
      containedAt(
        [
          { from: 0, until: 10, cut: true },
          { from: 0, until: 20, cut: false },
        ],
        100,
      ),
    ).toBeNull();
    // Two spans ending at the same instant: one cut is enough.
    expect(
      containedAt(
        [
          { from: 0, until: 20, cut: false },
          { from: 5, until: 20, cut: true },
        ],
        100,
      ),
    ).toBe(20);
    // #10.4: revoked at the instant of its first use (zero length) still counts.
    expect(containedAt([{ from: 7, until: 7, cut: true }], 100)).toBe(7);
    // Dead before usable: never held.
    expect(containedAt([{ from: 7, until: 3, cut: true }], 100)).toBeNull();
    expect(containedAt([{ from: 0, until: 100, cut: true }], 100)).toBeNull();
  });
});

describe('control (S4)', () => {
  it('should keep control while any of two admin credentials is valid (#10.2)', () => {
    const { s, id } = stateOf(
      persistent('p', { detection: { probability: 1, delay: fixed(0), atMs: Number.POSITIVE_INFINITY } }),
    );
    const box = id('box');
    expect(addControl(s, box, { from: 0, until: 10 * HOUR, key: id('k') }, 1)).toBe(true);
    expect(addControl(s, box, { from: 0, until: 10 * HOUR, key: id('k2') }, 2)).toBe(true);
    draw(s, id('k'), box, ADMIN, HOUR); // k noticed at 1 h, revoked at once (latency 0)
    const c = s.controls.get(box)!;
    expect(controlActive(s, c, 2 * HOUR)).toBe(true);
    draw(s, id('k2'), box, ADMIN, 3 * HOUR);
    expect(controlActive(s, c, 2 * HOUR)).toBe(true);
    expect(controlActive(s, c, 4 * HOUR)).toBe(false);
    expect(controlEnd(s, box)).toEqual({ natural: 10 * HOUR, actual: 3 * HOUR });
  });

  it('should refuse a support an existing one covers and merge meeting spans of one key', () => {
    const { s, id } = stateOf();
    const box = id('box');
    const k = id('k');
    addControl(s, box, { from: 0, until: 10, key: k }, 1);
    expect(addControl(s, box, { from: 2, until: 8, key: k }, 1)).toBe(false);
    // Covered but at fewer hops: the depth improves, the supports stay.
    expect(addControl(s, box, { from: 2, until: 8, key: k }, 0)).toBe(true);
    expect(s.controls.get(box)!.depth).toBe(0);
    expect(addControl(s, box, { from: 10, until: 20, key: k }, 1)).toBe(true);
    expect(s.controls.get(box)!.supports).toEqual([{ from: 0, until: 20, key: k }]);
    // Another key is another reason: kept apart.
    expect(addControl(s, box, { from: 5, until: 30, key: id('k2') }, 1)).toBe(true);
    expect(s.controls.get(box)!.supports).toHaveLength(2);
  });

  it('should give no control, and no reason to hop, from admin with a copy that dies before the hop it would act at', () => {
    const { s, id } = stateOf();
    const box = id('box');
    // Usable from the next hop (2 h), valid until 1 h: it ends before it starts.
    expect(addControl(s, box, { from: 2 * HOUR, until: HOUR, key: id('k') }, 1)).toBe(false);
    expect(addControl(s, box, { from: HOUR, until: HOUR, key: id('k') }, 1)).toBe(false);
    expect(s.controls.has(box)).toBe(false);
    expect(addControl(s, box, { from: 0, until: HOUR, key: id('k') }, 1)).toBe(true);
    expect(addControl(s, box, { from: 3 * HOUR, until: 2 * HOUR, key: id('k2') }, 0)).toBe(false);
    expect(s.controls.get(box)!.supports).toEqual([{ from: 0, until: HOUR, key: id('k') }]);
  });
});

describe('instances: covers and dominance (#10.3)', () => {
  it('should drop a copy that a held one covers and supersede one it dominates, in either arrival order', () => {
    const { s, id } = stateOf();
    const k = id('k');
    const early = copy(k, { until: 10 * HOUR, depth: 1 });
    const late = copy(k, { until: 5 * HOUR, depth: 2 });
    addInstance(s, early);
    addInstance(s, late);
    expect(s.held).toEqual([early]);
    const other = stateOf().s;
    addInstance(other, late);
    addInstance(other, early);
    expect(other.held).toEqual([early]);
    expect(other.superseded).toEqual([late]);
    expect(s.harvested.has(k) && other.harvested.has(k)).toBe(true);
  });

  it('should supersede a copy of its kind that it outlives, at the same depth and usable as soon', () => {
    const { s, id } = stateOf();
    const k = id('k');
    const older = copy(k, { until: 5 * HOUR });
    const newer = copy(k, { until: 10 * HOUR });
    addInstance(s, older);
    addInstance(s, newer);
    expect(s.held).toEqual([newer]);
    expect(s.superseded).toEqual([older]);
  });

  it('should keep both copies when neither dominates (longer-lived vs. fewer hops)', () => {
    const { s, id } = stateOf();
    const k = id('k');
    addInstance(s, copy(k, { until: 10 * HOUR, depth: 3 }));
    addInstance(s, copy(k, { until: 5 * HOUR, depth: 1 }));
    expect(s.held.map((i) => i.depth)).toEqual([3, 1]);
  });

  it('should cover a narrower scope with a wider one, never the reverse, and ignore a dead copy', () => {
    const { s, id } = stateOf();
    const k = id('k');
    const db = id('db');
    const wide = copy(k, { scope: new Map([[db, READ | ADMIN]]) });
    const narrow = copy(k, { scope: new Map([[db, READ]]) });
    expect(covers(wide, narrow)).toBe(true);
    expect(covers(narrow, wide)).toBe(false);
    expect(covers(copy(k), wide)).toBe(true);
    addInstance(s, copy(k, { obtainedAt: 5, until: 5 }));
    expect(s.held).toHaveLength(0);
    expect(s.progress).toBe(false);
  });
});

describe('instances: covers across what cannot matter (S9)', () => {
  it('should drop a copy whose principal nothing re-checks, and keep it where the broker re-checks it', () => {
    // k grants admin: privileged re-evaluation checks the principal of some use of it, every-step of all.
    for (const [reevaluate, kept] of [
      ['none', 1],
      ['privileged', 2],
      ['every-step', 2],
    ] as const) {
      const { s, id } = stateOf(ephemeral('e', { reevaluate }));
      const k = id('k');
      addInstance(s, copy(k, { managed: true, until: Number.POSITIVE_INFINITY, principal: id('a') }));
      addInstance(s, copy(k, { managed: true, until: 5 * HOUR, principal: id('box') }));
      expect(s.held).toHaveLength(kept);
    }
  });

  it('should bound a control by the revocations set and by the earliest a detection not yet drawn could bring', () => {
    const { s, id } = stateOf(
      ephemeral('e', { detection: { probability: 1, delay: fixed(2 * HOUR), atMs: Number.POSITIVE_INFINITY } }),
    );
    const box = id('box');
    expect(sureControlUntil(s, box, 0)).toBe(Number.NEGATIVE_INFINITY);
    addControl(s, box, { from: 0, until: Number.POSITIVE_INFINITY, key: id('k2') }, 1);
    // Nothing detected yet: an attempt now could be noticed two hours on.
    expect(sureControlUntil(s, box, 0)).toBe(2 * HOUR);
    s.now = HOUR;
    expect(sureControlUntil(s, box, HOUR)).toBe(3 * HOUR);
    draw(s, id('k2'), box, ADMIN, 0); // an attempt at 0: revoked from 2h
    expect(sureControlUntil(s, box, HOUR)).toBe(2 * HOUR);
    // A support that starts later does not hold the control from earlier; one with no key ends only with itself.
    addControl(s, box, { from: 2 * HOUR, until: 8 * HOUR, key: -1 }, 1);
    expect(sureControlUntil(s, box, HOUR)).toBe(2 * HOUR);
    expect(sureControlUntil(s, box, 2 * HOUR)).toBe(8 * HOUR);
  });

  it('should drop a copy read as nobody only while the control its cover lasts with surely outlasts it', () => {
    const { s, id } = stateOf(
      ephemeral('e', { detection: { probability: 1, delay: fixed(2 * HOUR), atMs: Number.POSITIVE_INFINITY } }),
    );
    const k = id('k');
    const box = id('box');
    addControl(s, box, { from: 0, until: Number.POSITIVE_INFINITY, key: id('k2') }, 1);
    const cap = copy(k, { managed: true, until: Number.POSITIVE_INFINITY, controlOf: box, actingAs: box, principal: box });
    addInstance(s, cap);
    const short = copy(k, { managed: true, until: HOUR });
    const long = copy(k, { managed: true, until: 3 * HOUR });
    expect(coversAcross(s, cap, short)).toBe(true);
    expect(coversAcross(s, cap, long)).toBe(false);
    addInstance(s, short);
    addInstance(s, long);
    expect(s.held).toEqual([cap, long]);
    // Bound to a workload, the cover acts for nobody else: it covers nothing across kinds.
    expect(coversAcross(s, { ...cap, boundTo: id('a') }, short)).toBe(false);
  });

  it('should cover a copy that dies before it is usable while the control lasts to its end, not past it', () => {
    // Found by the shortcut property: a copy read at 1h, usable a hop later at 3h, dead at 1:30. Its
    // span is empty, but the engine and its stream wake-ups must agree that it adds nothing while
    // the cover's control surely lasts to 1:30 (here, to 2h); a zero-length span at 2:30 still
    // counts for containment (S5), so one ending after the control is not covered.
    const { s, id } = stateOf(ephemeral('e'));
    const k = id('k');
    const box = id('box');
    addControl(s, box, { from: 0, until: 2 * HOUR, key: -1 }, 1);
    const cap = copy(k, { managed: true, until: Number.POSITIVE_INFINITY, controlOf: box, actingAs: box, principal: box });
    const dead = copy(k, { managed: true, obtainedAt: HOUR, usableFrom: 3 * HOUR, until: 1.5 * HOUR });
    expect(coversAcross(s, cap, dead)).toBe(true);
    const instant = copy(k, { managed: true, obtainedAt: HOUR, usableFrom: 2.5 * HOUR, until: 2.5 * HOUR });
    expect(coversAcross(s, cap, instant)).toBe(false);
  });
});

describe('detection (R9, S1)', () => {
  it('should let every action of the detecting instant through, revoke after it, and keep the earliest detection', () => {
    const { s, id } = stateOf(
      persistent('p', { detection: { probability: 1, delay: fixed(0), atMs: Number.POSITIVE_INFINITY } }),
    );
    const k = id('k');
    const db = id('db');
    draw(s, k, db, READ, HOUR);
    expect(revokedBy(s, k, db, HOUR)).toBe(false);
    expect(revokedBy(s, k, db, HOUR + 1)).toBe(true);
    draw(s, k, db, ADMIN, 2 * HOUR);
    expect(s.revokedAt.get(k)).toBe(HOUR);
  });
});

describe('use (R2–R4)', () => {
  it('should attempt every granted action once, reach the resource and take control with admin', () => {
    const events: TraceEvent[] = [];
    const { s, id } = stateOf(persistent(), (e) => events.push(e));
    const inst = copy(id('k'));
    useAll(s, inst, HOUR, 2 * HOUR);
    expect(s.reachedOn(id('db'))).toBe(READ | ADMIN);
    expect(s.controls.get(id('box'))!.supports).toEqual([{ from: 2 * HOUR, until: 10 * HOUR, key: id('k') }]);
    // Admin on db gives control of db too (R4 holds for any node).
    expect(events.map((e) => `${e.code}:${e.target === id('db') ? 'db' : 'box'}`)).toEqual([
      'credential-use:db',
      'credential-use:db',
      'admin-control:db',
      'credential-use:box',
      'admin-control:box',
    ]);
    expect(s.firstAccess).toBe(HOUR);
    // A second use of the same instance draws and traces nothing new.
    useAll(s, inst, 3 * HOUR, 4 * HOUR);
    expect(events).toHaveLength(5);
  });

  it('should use in full, in a new engine run, a copy a finished run has used (its memo holds for one run)', () => {
    const { s, id } = stateOf();
    const inst = copy(id('k'));
    useAll(s, inst, HOUR, 2 * HOUR);
    expect(s.reachedOn(id('db'))).toBe(READ | ADMIN);
    // A new run over the same graph (the thread's workspace: the next generation), given the same copy.
    const next = new AttackerState(s.ctx, s.foothold, fixed(HOUR), Number.POSITIVE_INFINITY, undefined);
    expect(next.reachedOn(id('db'))).toBe(0);
    useAll(next, inst, HOUR, 2 * HOUR);
    expect(next.reachedOn(id('db'))).toBe(READ | ADMIN);
    expect(next.controls.has(id('box'))).toBe(true);
  });

  it("should deny an action outside the copy's scope with its code", () => {
    const events: TraceEvent[] = [];
    const { s, id } = stateOf(persistent(), (e) => events.push(e));
    const db = id('db');
    useAll(s, copy(id('k'), { scope: new Map([[db, READ]]) }), HOUR, 2 * HOUR);
    expect(s.reachedOn(db)).toBe(READ);
    expect(s.controls.size).toBe(0);
    expect(events.filter((e) => e.kind === 'deny').map((e) => e.code)).toEqual(['out-of-scope', 'out-of-scope']);
  });
});
