/** The six breach patterns (SPEC §4) under persistent, ephemeral and hybrid policies. */
import { describe, expect, it } from 'vitest';
import type { Action, HybridException, Policy } from '../../src/domain/scenario.js';
import { PATTERN_IDS } from '../../src/domain/scenario.js';
import { PATTERNS } from '../../src/attacks/registry.js';
import {
  DAY,
  HOUR,
  MIN,
  agent,
  credential,
  drift,
  ephemeral,
  fixed,
  grants,
  holds,
  hybrid,
  invokes,
  lateral,
  massLeak,
  orphaned,
  persistent,
  replay,
  resource,
  scenario,
  step,
  task,
  tool,
  toolChain,
} from '../arbitraries/build.js';
import { runOne } from '../arbitraries/run.js';

const keep = (ids: string[], rotationMs = Number.POSITIVE_INFINITY): HybridException => ({
  match: { replans: null, maxSensitivity: null, environment: null, ids },
  rotationMs,
});

describe('attacks/registry', () => {
  it('should register one definition per pattern id, under its own id', () => {
    expect(Object.keys(PATTERNS).sort()).toEqual([...PATTERN_IDS].sort());
    for (const id of PATTERN_IDS) expect(PATTERNS[id].id).toBe(id);
  });
});

describe('attacks/secret-replay', () => {
  const s = scenario({
    nodes: [agent('ci'), resource('logs'), credential('key'), resource('db', { records: 9 })],
    edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['read'])],
    workload: [task('ci', [step('db', 'read', 'key')], { everyMs: HOUR, durationMs: 10 * MIN })],
    attacks: [replay('key', 'logs', 2 * DAY, fixed(DAY))],
    policies: [persistent('p'), ephemeral('e'), hybrid('h-kept', { exceptions: [keep(['key'])] }), hybrid('h')],
  });

  it('should replay a standing secret a day after the leak', () => {
    expect(runOne(s, { policy: 'p' })).toMatchObject({
      attack_success: 1,
      records_exposed: 9,
      time_to_first_access_s: DAY / 1000,
    });
  });

  it('should find the leaked token long expired under ephemeral', () => {
    expect(runOne(s, { policy: 'e' })).toMatchObject({ attack_success: 0, credentials_harvested: 0, exposure_window_s: 0 });
  });

  it('should follow the exception under hybrid', () => {
    expect(runOne(s, { policy: 'h-kept' }).attack_success).toBe(1);
    expect(runOne(s, { policy: 'h' }).attack_success).toBe(0);
  });
});

describe('attacks/lateral-movement', () => {
  // The attacker owns the log store where the CI key (or its token copies) lands.
  const s = scenario({
    nodes: [agent('ci'), resource('logs'), credential('key'), resource('db')],
    edges: [holds('ci', 'key'), holds('logs', 'key'), grants('key', 'db', ['write'])],
    workload: [task('ci', [step('db', 'write', 'key')], { everyMs: DAY, atMs: 6 * HOUR, durationMs: 10 * MIN })],
    attacks: [lateral('logs', HOUR)],
    policies: [
      persistent('p'),
      ephemeral('e'),
      ephemeral('bound', { bindToWorkload: true }),
      hybrid('h-kept', { exceptions: [keep(['key'])] }),
    ],
  });

  it('should use the standing key found at the entry right away', () => {
    expect(runOne(s, { policy: 'p' })).toMatchObject({ attack_success: 1, time_to_first_access_s: 0 });
    expect(runOne(s, { policy: 'h-kept' })).toMatchObject({ attack_success: 1, time_to_first_access_s: 0 });
  });

  it('should wait at a controlled holder for the next token copy under ephemeral', () => {
    expect(runOne(s, { policy: 'e' })).toMatchObject({ attack_success: 1, time_to_first_access_s: (5 * HOUR) / 1000 });
  });

  it('should get nothing from copies bound to the workload', () => {
    expect(runOne(s, { policy: 'bound' }).attack_success).toBe(0);
  });
});

describe('attacks/tool-chaining', () => {
  // bot → crm-tool → pay-tool; each tool holds its own key. bot declared a CRM read via crm-tool.
  const build = (policies: Policy[], botHoldsToolAdmin = false) =>
    scenario({
      nodes: [
        agent('bot', { replans: true }),
        tool('crm-tool'),
        tool('pay-tool'),
        credential('crm-key'),
        credential('pay-key'),
        credential('tool-admin'),
        resource('crm', { records: 50 }),
        resource('payments', { sensitivity: 'regulated', weight: 10 }),
      ],
      edges: [
        invokes('bot', 'crm-tool'),
        invokes('crm-tool', 'pay-tool'),
        holds('crm-tool', 'crm-key'),
        holds('pay-tool', 'pay-key'),
        grants('crm-key', 'crm', ['read', 'write']),
        grants('pay-key', 'payments', ['write']),
        ...(botHoldsToolAdmin ? [holds('bot', 'tool-admin'), grants('tool-admin', 'pay-tool', ['admin'])] : []),
      ],
      workload: [task('bot', [step('crm', 'read', 'crm-key', 'crm-tool')], { everyMs: HOUR, durationMs: 5 * MIN })],
      attacks: [toolChain('bot', HOUR)],
      policies,
    });

  it('should get the effect of every downstream tool without their material under persistent', () => {
    const m = runOne(build([persistent()]));
    expect(m).toMatchObject({
      resources_reached: 2,
      blast_radius: 11,
      credentials_harvested: 0,
      privileged_resources: 2,
      max_hops: 3,
    });
  });

  it('should be confined to the declared request under ephemeral', () => {
    const m = runOne(build([ephemeral()]));
    expect(m).toMatchObject({ resources_reached: 1, records_exposed: 50, privileged_resources: 0, credentials_harvested: 0 });
  });

  it('should follow the exception under hybrid', () => {
    const m = runOne(build([hybrid('h', { exceptions: [keep(['pay-key'])] })]));
    expect(m).toMatchObject({ resources_reached: 2, privileged_resources: 1, credentials_harvested: 0 });
  });

  it('should yield the material of a tool the attacker takes control of', () => {
    const m = runOne(build([persistent()], true));
    expect(m.resources_reached).toBe(2);
    expect(m.credentials_harvested).toBe(2); // tool-admin, and pay-key from the controlled pay-tool
  });
});

describe('attacks/intent-drift', () => {
  // bot declared a CRM read; it re-plans and writes to the CRM and reads the vault.
  const build = (policies: Policy[], targets: { target: string; action: Action }[] = [{ target: 'crm', action: 'write' }]) =>
    scenario({
      nodes: [agent('bot', { replans: true }), credential('key'), resource('crm', { records: 20 }), resource('vault')],
      edges: [holds('bot', 'key'), grants('key', 'crm', ['read', 'write'])],
      workload: [task('bot', [step('crm', 'read', 'key')], { everyMs: HOUR, durationMs: 5 * MIN })],
      attacks: [drift('bot', 2 * HOUR, targets)],
      policies,
    });

  it('should succeed under persistent access', () => {
    expect(runOne(build([persistent()]))).toMatchObject({ attack_success: 1, privileged_resources: 1, records_exposed: 0 });
  });

  it('should deny an out-of-intent write under ephemeral with reevaluate: privileged', () => {
    const m = runOne(build([ephemeral('e', { reevaluate: 'privileged', scope: 'role' })]));
    expect(m.attack_success).toBe(0);
  });

  it('should detect the denial and revoke', () => {
    const policy = ephemeral('e', {
      reevaluate: 'privileged',
      scope: 'role',
      detection: { probability: 1, delay: fixed(30 * MIN), atMs: Infinity },
    });
    const m = runOne(build([policy]));
    expect(m.attack_success).toBe(0);
    expect(m.time_to_containment_s).toBe((30 * MIN) / 1000);
  });

  it('should succeed under ephemeral with reevaluate: none and scope: role', () => {
    expect(runOne(build([ephemeral('e', { reevaluate: 'none', scope: 'role' })])).attack_success).toBe(1);
  });

  it('should still be stopped by a task-scoped token without re-evaluation', () => {
    expect(runOne(build([ephemeral('e', { reevaluate: 'none', scope: 'task' })])).attack_success).toBe(0);
  });

  it('should follow the exception under hybrid', () => {
    const kept = hybrid('h', { reevaluate: 'privileged', scope: 'role', exceptions: [keep(['key'])] });
    const minted = hybrid('h2', { reevaluate: 'privileged', scope: 'role' });
    expect(runOne(build([kept])).attack_success).toBe(1);
    expect(runOne(build([minted])).attack_success).toBe(0);
  });

  it('should count only out-of-intent successes', () => {
    const inIntent = runOne(build([persistent()], [{ target: 'crm', action: 'read' }]));
    expect(inIntent).toMatchObject({ attack_success: 0, resources_reached: 0, records_exposed: 0 });
    const mixed = runOne(
      build(
        [persistent()],
        [
          { target: 'crm', action: 'read' },
          { target: 'crm', action: 'write' },
        ],
      ),
    );
    expect(mixed).toMatchObject({ resources_reached: 1, privileged_resources: 1, records_exposed: 0 });
  });

  it('should not attempt what the drifted workflow does not list', () => {
    const m = runOne(build([persistent()], [{ target: 'vault', action: 'read' }]));
    expect(m.attack_success).toBe(0); // key does not grant the vault; the CRM write is not attempted
  });
});

describe('attacks/orphaned-credential', () => {
  const build = (policies: Policy[]) =>
    scenario({
      nodes: [agent('old-bot'), credential('key'), resource('db', { records: 3 })],
      edges: [holds('old-bot', 'key'), grants('key', 'db', ['read'])],
      workload: [task('old-bot', [step('db', 'read', 'key')], { everyMs: HOUR, durationMs: 10 * MIN })],
      attacks: [orphaned('old-bot', ['key'], 10 * DAY, fixed(5 * DAY))],
      policies,
    });

  it('should let a never-rotated persistent credential outlive the retired agent', () => {
    const m = runOne(build([persistent()]));
    expect(m).toMatchObject({
      attack_success: 1,
      time_to_first_access_s: (5 * DAY) / 1000,
      exposure_window_s: (15 * DAY) / 1000,
    });
  });

  it('should let a rotation before the find kill the orphan', () => {
    expect(runOne(build([persistent('p', { rotationMs: 12 * DAY })])).attack_success).toBe(0);
  });

  it('should find only dead tokens under ephemeral: they died with the last task', () => {
    expect(runOne(build([ephemeral('e', { ttlMs: HOUR })]))).toMatchObject({ attack_success: 0, credentials_harvested: 0 });
  });

  it('should follow the exception under hybrid', () => {
    expect(runOne(build([hybrid('h', { exceptions: [keep(['key'])] })])).attack_success).toBe(1);
    expect(runOne(build([hybrid('h')])).attack_success).toBe(0);
  });
});

describe('attacks/mass-leak', () => {
  // A runner's memory holds a legacy static key, a live token copy and a key not minted yet.
  const build = (policies: Policy[]) =>
    scenario({
      nodes: [
        agent('ci'),
        resource('runner'),
        credential('legacy', { ephemeralCapable: false }),
        credential('live'),
        credential('later'),
        resource('a'),
        resource('b'),
        resource('c'),
      ],
      edges: [
        holds('ci', 'legacy'),
        holds('ci', 'live'),
        holds('ci', 'later'),
        holds('runner', 'legacy'),
        holds('runner', 'live'),
        holds('runner', 'later'),
        grants('legacy', 'a', ['read']),
        grants('live', 'b', ['read']),
        grants('later', 'c', ['read']),
      ],
      workload: [
        task('ci', [step('a', 'read', 'legacy'), step('b', 'read', 'live')], { everyMs: HOUR, durationMs: 10 * MIN }),
        task('ci', [step('c', 'read', 'later')], { everyMs: DAY, atMs: 12 * HOUR, durationMs: 10 * MIN }),
      ],
      attacks: [massLeak('runner', 5 * MIN, fixed(MIN))],
      policies,
    });

  it('should leak every standing secret at the holder under persistent', () => {
    expect(runOne(build([persistent()]))).toMatchObject({ resources_reached: 3, credentials_harvested: 3 });
  });

  it('should leak the static key and the live token copies under ephemeral', () => {
    expect(runOne(build([ephemeral()]))).toMatchObject({ resources_reached: 2, credentials_harvested: 2 });
  });

  it('should follow the exception under hybrid', () => {
    expect(runOne(build([hybrid('h', { exceptions: [keep(['later'])] })]))).toMatchObject({ resources_reached: 3 });
  });

  it('should use one replay delay for the whole dump', () => {
    const m = runOne(build([persistent()]));
    expect(m.time_to_first_access_s).toBe(MIN / 1000);
  });
});
