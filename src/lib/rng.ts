/**
 * Seeded randomness. The RNG is a value passed around, never ambient: one seed per trial derived from
 * the trial's identity, so neither workers nor shards can change a result.
 */
import seedrandom from 'seedrandom';

/** A uniform generator on [0, 1). */
export interface Rng {
  (): number;
}

/** Murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Derives a uint32 seed from its parts (FNV-1a over `a|b|c…`, then fmix32). */
export function deriveSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('|');
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return fmix32(h);
}

/**
 * A seeded generator (seedrandom's `alea`: ~6 ns a number, against ~50 ns for its default ARC4),
 * seeded at its first draw: every trial has one, and most patterns never draw from it.
 */
export function createRng(seed: number): Rng {
  let alea: (() => number) | null = null;
  return () => (alea ??= seedrandom.alea(String(seed)))();
}

/**
 * Counter-based draw: a uniform on [0, 1) that depends only on the seed and the integer key. Used for
 * workload events so any task occurrence's draws can be computed without replaying the others.
 */
export function keyedUniform(seed: number, a: number, b: number, c: number, d: number): number {
  return keyedUniformAt(keyedPrefix(seed, a, b), c, d);
}

/**
 * The part of every keyedUniform(seed, a, b, ·, ·) fixed by (seed, a, b): a loop making many draws
 * under one prefix (an occurrence's requests) mixes it once, and each draw then costs two mixes.
 */
export function keyedPrefix(seed: number, a: number, b: number): number {
  return keyedPrefixAt(keyedHalfPrefix(seed, a), b);
}

/** The part of keyedPrefix(seed, a, b) fixed by (seed, a): a loop over b (a task's occurrences) mixes it once. */
export function keyedHalfPrefix(seed: number, a: number): number {
  return fmix32(fmix32(seed ^ 0x9e3779b9) ^ Math.imul(a + 1, 0xcc9e2d51));
}

/** keyedPrefix(seed, a, b) from keyedHalfPrefix(seed, a): the same value. */
export function keyedPrefixAt(half: number, b: number): number {
  return fmix32(half ^ Math.imul(b + 1, 0x1b873593));
}

/** keyedUniform(seed, a, b, c, d) from keyedPrefix(seed, a, b): the same value. */
export function keyedUniformAt(prefix: number, c: number, d: number): number {
  const h = fmix32(fmix32(prefix ^ Math.imul(c + 1, 0xe6546b64)) ^ Math.imul(d + 1, 0x85ebca6b));
  // 32 bits are enough resolution for latency and availability draws.
  return h / 4294967296;
}
