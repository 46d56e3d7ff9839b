/** How a policy manages each credential (DESIGN §2.1): standing vs broker-managed, and rotation. */
import { describe, expect, it } from 'vitest';
import type { HybridException, Policy, Scenario } from '../../src/domain/scenario.js';
import { credentialModes, versionEnd } from '../../src/policy/modes.js';
import {
  DAY,
  HOUR,
  agent,
  credential,
  ephemeral,
  grants,
  holds,
  hybrid,
  lateral,
  persistent,
  resource,
  scenario,
  tool,
} from '../arbitraries/build.js';
import { modelOf } from '../arbitraries/run.js';

const modeOf = (s: Scenario, policy: Policy, id: string): { ephemeral: boolean; rotationMs: number } => {
  const model = modelOf(s);
  const modes = credentialModes(model, policy);
  const i = model.indexOf.get(id)!;
  return { ephemeral: modes.ephemeral[i] === 1, rotationMs: modes.rotationMs[i]! };
};

const match = (m: Partial<HybridException['match']>): HybridException['match'] => ({
  replans: null,
  maxSensitivity: null,
  environment: null,
  ids: null,
  ...m,
});

// `svc-key`: held by a stable service in `onprem`, grants an internal resource.
// `bot-key`: held by a re-planning agent in `aws`, grants a regulated resource.
const estate = (defaultRotationMs = Number.POSITIVE_INFINITY): Scenario =>
  scenario({
    defaultRotationMs,
    nodes: [
      agent('svc', { environment: 'onprem' }),
      agent('bot', { replans: true, environment: 'aws' }),
      tool('t', { environment: 'onprem' }),
      credential('svc-key'),
      credential('bot-key'),
      credential('legacy', { ephemeralCapable: false }),
      credential('own', { rotationMs: 7 * DAY }),
      resource('wiki', { environment: 'onprem' }),
      resource('vault', { sensitivity: 'regulated', weight: 10, environment: 'aws' }),
    ],
    edges: [
      holds('svc', 'svc-key'),
      grants('svc-key', 'wiki', ['read']),
      holds('bot', 'bot-key'),
      grants('bot-key', 'vault', ['read']),
      holds('svc', 'legacy'),
      grants('legacy', 'wiki', ['write']),
      holds('t', 'own'),
      grants('own', 'wiki', ['read']),
    ],
    attacks: [lateral('svc', 0)],
    policies: [persistent()],
  });

describe('policy/modes', () => {
  it('should keep every credential standing under a persistent policy', () => {
    const s = estate();
    for (const id of ['svc-key', 'bot-key', 'legacy', 'own']) expect(modeOf(s, persistent(), id).ephemeral).toBe(false);
  });

  it('should resolve rotation as credential ?? policy ?? scenario default', () => {
    const s = estate(90 * DAY);
    expect(modeOf(s, persistent('p', { rotationMs: 30 * DAY }), 'own').rotationMs).toBe(7 * DAY);
    expect(modeOf(s, persistent('p', { rotationMs: 30 * DAY }), 'svc-key').rotationMs).toBe(30 * DAY);
    expect(modeOf(s, persistent(), 'svc-key').rotationMs).toBe(90 * DAY);
    expect(modeOf(estate(), persistent(), 'svc-key').rotationMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('should mint ephemeral-capable credentials and keep ephemeralCapable:false standing under ephemeral', () => {
    const s = estate(90 * DAY);
    expect(modeOf(s, ephemeral(), 'svc-key')).toMatchObject({ ephemeral: true });
    expect(modeOf(s, ephemeral(), 'legacy')).toEqual({ ephemeral: false, rotationMs: 90 * DAY });
  });

  describe('hybrid exceptions', () => {
    const keeps = (m: Partial<HybridException['match']>, id: string): boolean => {
      const policy = hybrid('h', { exceptions: [{ match: match(m), rotationMs: 30 * DAY }] });
      const mode = modeOf(estate(), policy, id);
      if (!mode.ephemeral) expect(mode.rotationMs).toBe(30 * DAY);
      return !mode.ephemeral;
    };

    it('should keep a credential persistent when every holder matches `replans`', () => {
      expect(keeps({ replans: false }, 'svc-key')).toBe(true);
      expect(keeps({ replans: false }, 'bot-key')).toBe(false);
    });

    it('should keep a credential persistent when every target is at most `maxSensitivity`', () => {
      expect(keeps({ maxSensitivity: 'confidential' }, 'svc-key')).toBe(true);
      expect(keeps({ maxSensitivity: 'confidential' }, 'bot-key')).toBe(false);
      // "At most" includes the bound itself: svc-key's target is internal.
      expect(keeps({ maxSensitivity: 'internal' }, 'svc-key')).toBe(true);
      expect(keeps({ maxSensitivity: 'public' }, 'svc-key')).toBe(false);
    });

    it('should keep a credential persistent when every holder and target is in `environment`', () => {
      expect(keeps({ environment: 'onprem' }, 'svc-key')).toBe(true);
      expect(keeps({ environment: 'onprem' }, 'bot-key')).toBe(false);
    });

    it('should keep exactly the credentials listed in `ids`', () => {
      expect(keeps({ ids: ['bot-key'] }, 'bot-key')).toBe(true);
      expect(keeps({ ids: ['bot-key'] }, 'svc-key')).toBe(false);
    });

    it('should require every given key to match', () => {
      expect(keeps({ ids: ['bot-key'], environment: 'onprem' }, 'bot-key')).toBe(false);
    });

    it('should use the first matching exception’s rotation and fall back to ephemeral rules otherwise', () => {
      const policy = hybrid('h', {
        exceptions: [
          { match: match({ ids: ['svc-key'] }), rotationMs: DAY },
          { match: match({ environment: 'onprem' }), rotationMs: 30 * DAY },
        ],
      });
      expect(modeOf(estate(), policy, 'svc-key')).toEqual({ ephemeral: false, rotationMs: DAY });
      expect(modeOf(estate(), policy, 'own')).toEqual({ ephemeral: false, rotationMs: 30 * DAY });
      expect(modeOf(estate(), policy, 'bot-key').ephemeral).toBe(true);
      expect(modeOf(estate(90 * DAY), policy, 'legacy')).toEqual({ ephemeral: false, rotationMs: 30 * DAY });
      expect(modeOf(estate(90 * DAY), hybrid('h2'), 'legacy')).toEqual({ ephemeral: false, rotationMs: 90 * DAY });
    });
  });

  describe('versionEnd', () => {
    it('should end a version at the next rotation boundary', () => {
      expect(versionEnd(DAY, 0)).toBe(DAY);
      expect(versionEnd(DAY, DAY - 1)).toBe(DAY);
      expect(versionEnd(DAY, DAY)).toBe(2 * DAY);
      expect(versionEnd(DAY, 5 * DAY + HOUR)).toBe(6 * DAY);
    });

    it('should never end a version that is never rotated', () => {
      expect(versionEnd(Number.POSITIVE_INFINITY, 123)).toBe(Number.POSITIVE_INFINITY);
    });
  });
});
