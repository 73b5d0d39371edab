import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { type DurationRule, formatDuration, parseDuration } from '../../src/cli/duration.ts';

const SECONDS: DurationRule = { bare: 's', minMs: 1000, maxMs: 10 * 365 * 86_400_000, wholeSeconds: true };
const MILLIS: DurationRule = { bare: 'ms', minMs: 0, maxMs: 600_000 };

describe('parseDuration: one convention, units accepted, a bare number in the flag’s old unit', () => {
  it.each([
    ['30s', SECONDS, 30_000],
    ['2m', SECONDS, 120_000],
    ['1h', SECONDS, 3_600_000],
    ['1.5h', SECONDS, 5_400_000],
    ['2d', SECONDS, 172_800_000],
    ['90', SECONDS, 90_000], // token --ttl, clock advance: seconds
    ['500ms', MILLIS, 500],
    ['1.5s', MILLIS, 1500],
    ['2 s', MILLIS, 2000],
    ['2000', MILLIS, 2000], // fault arm --delay/--ttl: milliseconds
    ['0', MILLIS, 0],
  ])('%s → %j → %i ms', (text, rule, expected) => {
    expect(parseDuration(text, rule)).toBe(expected);
  });

  it.each([
    ['', SECONDS, /must be a duration/],
    ['soon', SECONDS, /must be a duration such as 30s, 500ms, 2m or 1h \(a bare number is seconds\)/],
    ['1h30m', SECONDS, /must be a duration/],
    ['5 parsecs', MILLIS, /must be a duration such as .*\(a bare number is milliseconds\)/],
    ['-1h', SECONDS, /must be at least 1s/],
    ['1500ms', SECONDS, /must be whole seconds \(1500ms is not\)/],
    ['0.5ms', MILLIS, /whole number of milliseconds/],
    ['11m', MILLIS, /must be at most 10m/],
    ['1e3', SECONDS, /must be a duration/],
    ['9'.repeat(400), MILLIS, /must be at most/],
    [`${'9'.repeat(200)}s`, MILLIS, /must be a duration/],
  ])('%j under %j is refused: %s', (text, rule, message) => {
    expect(() => parseDuration(text, rule)).toThrow(InvalidArgumentError);
    expect(() => parseDuration(text, rule)).toThrow(message);
  });
});

describe('formatDuration: exact, in the largest unit that divides it, so it can be typed back', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1500, '1500ms'],
    [2000, '2s'],
    [90_000, '90s'],
    [120_000, '2m'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [-3_600_000, '-1h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    if (ms > 0) expect(parseDuration(text, { bare: 'ms', minMs: 0, maxMs: Number.MAX_SAFE_INTEGER })).toBe(ms);
  });
});
