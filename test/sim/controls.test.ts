/** The separable controls of SPEC §2 "Which control buys what" (docs/controls.md C1–C5): examples and properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, BrokerSettings, Policy, Scenario } from '../../src/domain/scenario.js';
import {
  HOUR,
  MIN,
  agent,
  credential,
  drift,
  ephemeral,
  fixed,
  grants,
  holds,
  invokes,
  persistent,
  replay,
  resource,
  scenario,
  step,
  task,
  tool,
  toolChain,
  withStrayBroker,
} from '../arbitraries/build.js';
import { scenarioArb } from '../arbitraries/scenario.js';
import { modelOf, runMany, runOne } from '../arbitraries/run.js';
import { runTrialDetailed } from '../../src/sim/trial.js';
import { runs } from '../runs.js';

/**
 * A support agent: `bot` reads tickets and replies on them (egress) with its own key, reads the CRM,
 * and issues refunds through `pay`; `pay` holds the payment key (payments read/write/admin, ledger
 * write). `ops` administers payments through `pay` too. `mail` is a tool `bot` may invoke but no task
 * routes through.
 */
function support(policies: Policy[], attacks = [toolChain('bot', HOUR)]): Scenario {
  return scenario({
    nodes: [
      agent('bot'),
      agent('ops'),
      tool('pay'),
      tool('mail'),
      credential('bot-key'),
      credential('pay-key'),
      credential('mail-key'),
      resource('tickets', { records: 500, egress: true }),
      resource('crm', { records: 2000, sensitivity: 'confidential', weight: 3 }),
      resource('payments', { sensitivity: 'regulated', weight: 10 }),
      resource('ledger', { sensitivity: 'regulated', weight: 10 }),
      resource('outbox', { egress: true }),
    ],
    edges: [
      holds('bot', 'bot-key'),
      holds('pay', 'pay-key'),
      holds('mail', 'mail-key'),
      invokes('bot', 'pay'),
      invokes('ops', 'pay'),
      invokes('bot', 'mail'),
      grants('bot-key', 'tickets', ['read', 'write']),
      grants('bot-key', 'crm', ['read', 'write']),
      grants('pay-key', 'payments', ['read', 'write', 'admin']),
      grants('pay-key', 'ledger', ['write']),
      grants('mail-key', 'outbox', ['write']),
    ],
    workload: [
      task(
        'bot',
        [
          step('tickets', 'read', 'bot-key'),
          step('crm', 'read', 'bot-key'),
          step('tickets', 'write', 'bot-key'),
          step('payments', 'write', 'pay-key', 'pay'),
        ],
        { everyMs: HOUR, durationMs: 10 * MIN },
      ),
      task('ops', [step('payments', 'admin', 'pay-key', 'pay')], { everyMs: 24 * HOUR, durationMs: 10 * MIN }),
    ],
    attacks,
    policies,
  });
}

describe('controls (docs/controls.md)', () => {
  describe('C2 right-sized standing access (persistent scope: intent)', () => {
    const s = support([persistent('all', { scope: 'all' }), persistent('intent', { scope: 'intent' })]);

    it('should grant a standing key everything under scope all', () => {
      const m = runOne(s, { policy: 'all' });
      expect(m.blast_radius).toBe(1 + 3 + 10 + 10 + 1); // tickets, crm (write too), payments, ledger, outbox via mail
      expect(m.privileged_resources).toBe(5);
    });

    it("should limit a standing key to its users' declared pairs under scope intent", () => {
      const m = runOne(s, { policy: 'intent' });
      // crm read only (no write); payments write and admin (ops declares admin via pay); no ledger, no outbox.
      expect(m.resources_reached).toBe(3);
      expect(m.blast_radius).toBe(1 + 3 + 10);
      expect(m.privileged_resources).toBe(2);
    });

    it('should give a leaked right-sized key only the declared pairs', () => {
      const leak = support(
        [persistent('all', { scope: 'all' }), persistent('intent', { scope: 'intent' })],
        [replay('bot-key', 'bot', HOUR, fixed(0))],
      );
      expect(runOne(leak, { policy: 'all' }).privileged_resources).toBe(2);
      expect(runOne(leak, { policy: 'intent' }).privileged_resources).toBe(1);
    });
  });

  describe('C1 scope role: no intent check on issuance', () => {
    const s = support([
      ephemeral('task', { scope: 'task', callChain: 'propagated' }),
      ephemeral('role', { scope: 'role', callChain: 'propagated' }),
    ]);

    it('should deny a task-scoped broker the tool requests the hijacked agent never declared', () => {
      const m = runOne(s, { policy: 'task' });
      expect(m.records_exfiltrated).toBe(2500); // tickets and crm read, reply written on tickets
      expect(m.blast_radius).toBe(1 + 3 + 10); // tickets, crm read, payments write: no ledger, no outbox
    });

    it('should mint whatever the credential grants under role scope, for any tool invoked', () => {
      const m = runOne(s, { policy: 'role' });
      expect(m.blast_radius).toBe(1 + 3 + 10 + 10 + 1);
    });
  });

  describe('C3 call-chain context', () => {
    it("should check a tool's token request against the tool's own intent without propagation", () => {
      // pay's own declared requests include ops' payments admin: the hijacked bot gets it through pay.
      const adminDrift = (callChain: BrokerSettings['callChain']): number =>
        runOne(support([ephemeral('p', { callChain })], [drift('bot', HOUR, [{ target: 'payments', action: 'admin' }])]))
          .resources_reached ?? 0;
      expect(adminDrift('none')).toBe(1);
    });

    it("should check it against the calling agent's declared requests with propagation", () => {
      const adminDrift = (callChain: BrokerSettings['callChain']): number =>
        runOne(support([ephemeral('p', { callChain })], [drift('bot', HOUR, [{ target: 'payments', action: 'admin' }])]))
          .resources_reached ?? 0;
      expect(adminDrift('propagated')).toBe(0);
    });

    it('should make no difference to standing secrets', () => {
      // A persistent policy has no callChain; one smuggled in with a broker changes nothing either.
      const standing = persistent('p', { scope: 'intent' });
      const s = support([standing, withStrayBroker(standing, ephemeral('b', { callChain: 'propagated' }).broker)]);
      expect(runOne(s, { policy: 0 })).toEqual(runOne(s, { policy: 1 }));
    });
  });

  describe('C4 approval', () => {
    const gated = (refuse: number, actions: readonly Action[] = ['write', 'admin']): Policy =>
      persistent(`refuse-${refuse}-${actions.join('')}`, { scope: 'all', approval: { actions, refuse, wait: fixed(5 * MIN) } });

    it('should stop every gated attacker request when the approver always refuses', () => {
      const s = support([gated(1)]);
      const m = runOne(s);
      expect(m.privileged_resources).toBe(0);
      expect(m.records_exposed).toBe(2500); // reads are not gated
      expect(m.records_exfiltrated).toBe(0); // the reply (a write) was refused
    });

    it('should change nothing in the attack when the approver never refuses', () => {
      const s = support([persistent('plain', { scope: 'all' }), gated(0)]);
      const plain = runMany(s, 5, { policy: 0 });
      const approved = runMany(s, 5, { policy: 1 });
      for (let i = 0; i < 5; i++) expect(approved[i]!.blast_radius).toBe(plain[i]!.blast_radius);
    });

    it('should refuse about the share `refuse` of gated requests, the same way on a rerun', () => {
      // The ledger write is reachable by one request only (pay-key on ledger): it succeeds in about half the trials.
      const s = support([gated(0.5)], [drift('bot', HOUR, [{ target: 'ledger', action: 'write' }])]);
      const trials = runMany(s, 200).map((m) => m.attack_success);
      const successes = trials.filter((x) => x === 1).length;
      expect(successes).toBeGreaterThan(70);
      expect(successes).toBeLessThan(130);
      expect(runMany(s, 200).map((m) => m.attack_success)).toEqual(trials);
    });

    it('should say in the trace that the approver refused, as code approval-refused', () => {
      const s = support([gated(1)]);
      const codes: string[] = [];
      runTrialDetailed(modelOf(s), 0, 0, 0, {
        trace: (e) => {
          if (e.kind === 'deny' && e.code !== undefined) codes.push(e.code);
        },
      });
      expect(codes).toContain('approval-refused');
    });

    it('should gate only the listed actions', () => {
      const m = runOne(support([gated(1, ['admin'])]));
      expect(m.privileged_resources).toBe(5); // every write still succeeds
    });

    it('should make benign tasks wait for approval of each gated step (cost)', () => {
      const s = support([persistent('plain', { scope: 'all' }), gated(0.5)]);
      const plain = runOne(s, { policy: 0 });
      const waited = runOne(s, { policy: 1 });
      expect(plain.issuance_wait_p95_ms).toBe(0);
      expect(waited.issuance_wait_p95_ms).toBe(5 * MIN);
      expect(waited.tasks_failed).toBe(0);
      // A task whose timeout falls inside the approval wait times out.
      const tight = scenario({
        ...support([gated(0.5)]),
        workload: [task('bot', [step('tickets', 'write', 'bot-key')], { everyMs: HOUR, durationMs: MIN, timeoutMs: 2 * MIN })],
      });
      expect(runOne(tight).tasks_failed).toBe(runOne(tight).tasks_total);
    });
  });

  describe('C5 egress and records_exfiltrated', () => {
    it('should count every record read once the attacker can write to an egress, in intent or not', () => {
      const s = support([ephemeral('broker', { callChain: 'propagated', reevaluate: 'every-step' })]);
      const m = runOne(s);
      // All in intent: read tickets and crm, reply on the ticket.
      expect(m.records_exfiltrated).toBe(2500);
      expect(m.records_exposed).toBe(2500);
    });

    it('should count nothing without an egress write', () => {
      const s = support([persistent('p', { scope: 'all' })], [drift('bot', HOUR, [{ target: 'crm', action: 'read' }])]);
      expect(runOne(s).records_exfiltrated).toBe(0);
    });

    it('should count in-intent reads and egress for intent drift, while reached counts only out-of-intent successes', () => {
      const s = support(
        [persistent('p', { scope: 'all' })],
        [
          drift('bot', HOUR, [
            { target: 'crm', action: 'read' },
            { target: 'crm', action: 'write' },
            { target: 'tickets', action: 'write' },
          ]),
        ],
      );
      const m = runOne(s);
      expect(m.resources_reached).toBe(1); // crm write only
      expect(m.records_exposed).toBe(0);
      expect(m.records_exfiltrated).toBe(2000);
    });
  });

  describe('properties', () => {
    it('should change nothing when a policy switches a control it does not use (callChain, binding, reevaluate, ttl, revokeOn or issuer under a persistent policy)', () => {
      fc.assert(
        fc.property(scenarioArb, fc.nat(3), (generated, trial) => {
          // The generated policy's broker settings (a persistent one gets the defaults), on a standing base.
          const generatedPolicy = generated.policies[0]!;
          const broker = generatedPolicy.kind === 'persistent' ? ephemeral().broker : generatedPolicy.broker;
          const { name, rotationMs, approval, forbidCreation, detection, revocationLatency, staleAfterMs } = generatedPolicy;
          const base = persistent(name, { rotationMs, approval, forbidCreation, detection, revocationLatency, staleAfterMs });
          const s: Scenario = { ...generated, policies: [base] };
          const variants: Policy[] = [
            withStrayBroker(base, broker),
            withStrayBroker(base, { ...broker, callChain: broker.callChain === 'none' ? 'propagated' : 'none' }),
            withStrayBroker(base, { ...broker, bindToWorkload: !broker.bindToWorkload }),
            withStrayBroker(base, { ...broker, reevaluate: broker.reevaluate === 'none' ? 'every-step' : 'none' }),
            // What attribution's variants drop for a standing lifetime (metrics/attribution.ts variantPolicy).
            withStrayBroker(base, {
              ...broker,
              ttlMs: broker.ttlMs * 2,
              revokeOn: { completion: true, failure: true, timeout: true },
              issuer: { latency: fixed(5 * MIN), availability: 0.5 },
            }),
          ];
          const before = runOne(s, { trial });
          for (const v of variants) {
            const after = runOne({ ...s, policies: [v] }, { trial });
            expect(after).toEqual(before);
          }
        }),
        runs(40),
      );
    });

    it('should give a right-sized standing key and a task-scoped broker the same blast radius for a hijack without replay', () => {
      // One agent `a` with key ka and tool `t` with key kt; random grants and random declared steps.
      const pairArb = fc.record({ r: fc.integer({ min: 0, max: 3 }), action: fc.constantFrom<Action>('read', 'write', 'admin') });
      fc.assert(
        fc.property(
          fc.uniqueArray(pairArb, { maxLength: 6, selector: (p) => `${p.r}${p.action}` }),
          fc.uniqueArray(pairArb, { maxLength: 6, selector: (p) => `${p.r}${p.action}` }),
          fc.nat(),
          fc.nat(),
          (ga, gt, da, dt) => {
            const res = ['r0', 'r1', 'r2', 'r3'];
            const grantEdges = (cred: string, pairs: typeof ga) =>
              res.flatMap((r, i) => {
                const actions = pairs.filter((p) => p.r === i).map((p) => p.action);
                return actions.length === 0 ? [] : [grants(cred, r, actions)];
              });
            const pick = <T>(list: readonly T[], bits: number): T[] => list.filter((_, i) => ((bits >> i) & 1) === 1);
            const steps = [
              ...pick(ga, da).map((p) => step(res[p.r]!, p.action, 'ka')),
              ...pick(gt, dt).map((p) => step(res[p.r]!, p.action, 'kt', 't')),
            ];
            const s = scenario({
              nodes: [
                agent('a'),
                tool('t'),
                credential('ka'),
                credential('kt'),
                ...res.map((r, i) => resource(r, { records: 10 ** i, weight: i + 1 })),
              ],
              edges: [holds('a', 'ka'), holds('t', 'kt'), invokes('a', 't'), ...grantEdges('ka', ga), ...grantEdges('kt', gt)],
              workload: steps.length === 0 ? [] : [task('a', steps, { everyMs: HOUR, durationMs: 10 * MIN })],
              attacks: [toolChain('a', 2 * HOUR)],
              policies: [
                persistent('standing-intent', { scope: 'intent' }),
                ephemeral('broker-task', { scope: 'task', ttlMs: 15 * MIN }),
              ],
            });
            const standing = runOne(s, { policy: 0 });
            const broker = runOne(s, { policy: 1 });
            expect(broker.blast_radius).toBe(standing.blast_radius);
            expect(broker.records_exposed).toBe(standing.records_exposed);
          },
        ),
        runs(100),
      );
    });
  });
});
