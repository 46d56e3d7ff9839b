/**
 * Detection and revocation (R9, S1–S3, E7, S8 skip lines): the keyed detection draw of each first
 * attempt, the revocation of its key from detection plus the latency of each target's environment,
 * and the skip trace of an attempt not made because its credential is already revoked there.
 *
 * A revocation key is a credential index, or `cred + nodeCount` for the attacker-created material of
 * a credential (E5), which is revoked apart from the credential's other material.
 */
import { lowestDraw, sampleAt } from '../lib/distribution.js';
import { deriveSeed, keyedUniform } from '../lib/rng.js';
import type { Instance } from './instances.js';
import type { AttackerState } from './state.js';

/** The revocation key of an instance: attacker-created material is revoked apart (E5). */
export function keyOf(s: AttackerState, inst: Instance): number {
  return inst.created === true ? inst.cred + s.nodeCount : inst.cred;
}

/** The id hash of a node or revocation key (S2: draws keyed by ids, never by index). */
export function idHash(s: AttackerState, i: number): number {
  return s.model.idHash[i >= s.nodeCount ? i - s.nodeCount : i]!;
}

function hashName(name: string): number {
  return deriveSeed('env', name);
}

/** S3: the revocation latency of `cred` (a key) in environment `envIndex`, one keyed draw each. */
export function revocationLatency(s: AttackerState, cred: number, envIndex: number): number {
  const key = cred * s.envCount + envIndex;
  let lat = s.latencyCache.get(key);
  if (lat === undefined) {
    const envName = s.model.envNames[envIndex]!;
    const dist = s.policy.revocationLatency.byEnvironment[envName] ?? s.policy.revocationLatency.default;
    // Keyed by ids and names, never by index: the draw does not depend on file order (#10.3).
    lat = sampleAt(dist, keyedUniform(s.ctx.detectSeed, idHash(s, cred), hashName(envName), cred >= s.nodeCount ? 1 : 0, 7));
    s.latencyCache.set(key, lat);
  }
  return lat;
}

/** S3: moment `cred` (a key) stops working on `target` (Infinity if never revoked). */
export function deadOn(s: AttackerState, cred: number, target: number): number {
  const d = s.revokedAt.get(cred);
  return d === undefined ? Number.POSITIVE_INFINITY : d + revocationLatency(s, cred, s.model.env[target]!);
}

/**
 * S1: whether `key` is revoked on `target` for an action at `t` (#10.3 simultaneity): revocation takes
 * effect at detection + latency, for every action after that instant and for actions at that
 * instant unless the detection came from an attempt at that same instant — all actions of one
 * instant are attempted and drawn before any revocation they cause applies.
 */
export function revokedBy(s: AttackerState, key: number, target: number, t: number): boolean {
  const r = deadOn(s, key, target);
  return t > r || (t === r && s.detectedFrom.get(key)! < t);
}

/** S8 (#10.7): an attempt not made because its credential is revoked there, traced once per (key, target). */
export function skip(s: AttackerState, inst: Instance, target: number, t: number, depth: number): void {
  if (s.trace === undefined) return;
  const id = keyOf(s, inst) * s.nodeCount + target;
  if (s.skipped.has(id)) return;
  s.skipped.add(id);
  s.trace({
    t,
    hop: depth,
    kind: 'skip',
    cred: inst.cred,
    target,
    action: 0,
    reason: 'credential revoked there',
    code: 'revoked',
  });
}

/** Moment `key` (a credential, or a credential's attacker-created material: cred + nodeCount) stops working everywhere it grants. */
export function deadEverywhere(s: AttackerState, key: number): number {
  const d = s.revokedAt.get(key);
  if (d === undefined) return Number.POSITIVE_INFINITY;
  const known = s.deadCache.get(key);
  if (known !== undefined) return known;
  const { grants, assumes } = s.model;
  const cred = key >= s.nodeCount ? key - s.nodeCount : key;
  let end = d;
  // #10.1: each target's own environment (an exchange's target is a credential: the default environment).
  for (let k = grants.off[cred]!; k < grants.off[cred + 1]!; k++) end = Math.max(end, deadOn(s, key, grants.to[k]!));
  for (let k = assumes.off[cred]!; k < assumes.off[cred + 1]!; k++) end = Math.max(end, deadOn(s, key, assumes.to[k]!));
  s.deadCache.set(key, end);
  return end;
}

/**
 * The earliest detection any attempt not yet made can set: attempts come at `s.now` or later, each
 * noticed no sooner than its own moment plus the shortest detection delay, or at the recorded
 * detection (E7). Infinity when nothing can be detected.
 */
export function earliestNewDetection(s: AttackerState): number {
  const detection = s.policy.detection;
  if (detection === null) return Number.POSITIVE_INFINITY;
  let at = detection.atMs === Number.POSITIVE_INFINITY ? detection.atMs : Math.max(s.now, detection.atMs);
  if (detection.probability > 0) at = Math.min(at, s.now + lowestDraw(detection.delay));
  return at;
}

/** R9 on grant edge `g`: the first attempt of an action draws detection. True when it is the first. */
export function attemptGrant(s: AttackerState, g: number, cred: number, action: number, t: number): boolean {
  const { grantStamp, grantBits } = s;
  if (grantStamp[g] !== s.gen) {
    grantStamp[g] = s.gen;
    grantBits[g] = 0;
  }
  if ((grantBits[g]! & action) !== 0) return false;
  grantBits[g] = grantBits[g]! | action;
  draw(s, cred, s.model.grants.to[g]!, action, t);
  return true;
}

/** R9: first attempt of (cred, target, action) draws detection. True when it is the first. */
export function attempt(s: AttackerState, cred: number, target: number, action: number, t: number): boolean {
  const key = (cred * s.nodeCount + target) * 8 + action;
  if (s.attempted.has(key)) return false;
  s.attempted.add(key);
  draw(s, cred, target, action, t);
  return true;
}

/**
 * R9, S2, E7: detection of one attempt: noticed with `probability`, revocation of `key` from then
 * plus `delay`. The draws are keyed by (credential id, target id, action), so they never depend on
 * the order in which attempts of one instant are made (#10.3); the earliest detection of a key wins.
 */
export function draw(s: AttackerState, key: number, target: number, action: number, t: number): void {
  const detection = s.policy.detection;
  if (detection === null) return;
  // E7 recorded detection: every attempt is known at max(t, at) — those before `at` when the
  // incident is noticed, those after it at once.
  let at = Math.max(t, detection.atMs);
  const created = key >= s.nodeCount ? 1 : 0;
  const seed = s.ctx.detectSeed;
  if (keyedUniform(seed, idHash(s, key), idHash(s, target), action, 2 * created) < detection.probability) {
    at = Math.min(
      at,
      t + sampleAt(detection.delay, keyedUniform(seed, idHash(s, key), idHash(s, target), action, 2 * created + 1)),
    );
  }
  if (at === Number.POSITIVE_INFINITY) return;
  const previous = s.revokedAt.get(key);
  if (previous === undefined || at < previous) {
    s.revokedAt.set(key, at);
    s.deadCache.delete(key);
    s.endsRevision++;
    s.detectedFrom.set(key, t);
    s.onDetect(at, key);
  }
}
