import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration, parseDurationOrNever } from '../../src/lib/duration.js';

describe('duration', () => {
  it('should parse every unit into integer milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('0.0004s')).toBe(0);
  });

  it('should reject malformed text, never and durations over 100 years', () => {
    for (const bad of ['15 minutes', '15', 'm', '-1s', '1w', ' 1s', '1e3s', '']) {
      expect(() => parseDuration(bad), bad).toThrow(Error);
    }
    expect(() => parseDuration('never')).toThrow(Error);
    expect(() => parseDuration('36501d')).toThrow(/100 years/);
    expect(parseDuration('36500d')).toBe(MAX_DURATION_MS);
  });

  it('should accept never as Infinity only through parseDurationOrNever', () => {
    expect(parseDurationOrNever('never')).toBe(Infinity);
    expect(parseDurationOrNever('90d')).toBe(7_776_000_000);
  });

  it('should format in the largest exact unit', () => {
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1_001)).toBe('1001ms');
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(Infinity)).toBe('never');
    expect(() => formatDuration(1.5)).toThrow(Error);
    expect(() => formatDuration(-1)).toThrow(Error);
  });

  it('should round-trip integer milliseconds through format and parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it('should round-trip canonical strings through parse and format', () => {
    const next = { ms: 1000, s: 60, m: 60, h: 24, d: Infinity } as const;
    const canonical = fc
      .tuple(fc.integer({ min: 1, max: 36_500 }), fc.constantFrom<keyof typeof next>('ms', 's', 'm', 'h', 'd'))
      .filter(([n, unit]) => n % next[unit] !== 0) // "60m" is not canonical: it is "1h"
      .map(([n, unit]) => `${n}${unit}`);
    fc.assert(
      fc.property(canonical, (text) => {
        expect(formatDuration(parseDuration(text))).toBe(text);
      }),
    );
  });
});
