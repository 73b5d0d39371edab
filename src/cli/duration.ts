import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/**
 * The CLI's one convention for durations (issue 15 §6): a number with a unit — `500ms`, `30s`, `2m`, `1h`, `1d`
 * (any unit `ms` reads: ms, s, m, h, d, w, y, and their long forms) — and every duration the CLI prints carries
 * its unit. A bare number keeps the unit the flag had before units were accepted, so old scripts keep working.
 */

/** The unit a bare number means for one flag: seconds (`token --ttl`, `clock advance`) or milliseconds (`fault arm --ttl`, `--delay`). */
export type BareUnit = 's' | 'ms';

/** What a duration flag accepts: what a bare number means, the range, and whether it must be whole seconds. */
export type DurationRule = {
  readonly bare: BareUnit;
  /** Smallest value accepted, in milliseconds. */
  readonly minMs: number;
  /** Largest value accepted, in milliseconds. */
  readonly maxMs: number;
  /** The value travels as whole seconds (a token's lifetime, the clock): `1500ms` is refused rather than rounded. */
  readonly wholeSeconds?: boolean;
};

/**
 * Reads a duration as typed (`30s`, `500ms`, `2m`, `1h`, or a bare number in `rule.bare`) into milliseconds.
 * Throws commander's InvalidArgumentError (exit 2; commander names the flag or argument) for anything else.
 */
export function parseDuration(value: string, rule: DurationRule): number {
  const bare = /^\d+$/.test(value);
  const parsed = bare ? Number(value) * (rule.bare === 's' ? 1000 : 1) : readUnits(value);
  const example = `30s, 500ms, 2m or 1h (a bare number is ${rule.bare === 's' ? 'seconds' : 'milliseconds'})`;
  if (parsed === Number.POSITIVE_INFINITY) throw new InvalidArgumentError(`must be at most ${formatDuration(rule.maxMs)}.`);
  if (parsed === undefined || !Number.isFinite(parsed)) throw new InvalidArgumentError(`must be a duration such as ${example}.`);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`must be a whole number of milliseconds, got ${parsed}ms.`);
  if (rule.wholeSeconds && parsed % 1000 !== 0) throw new InvalidArgumentError(`must be whole seconds (${formatDuration(parsed)} is not).`);
  if (parsed < rule.minMs) throw new InvalidArgumentError(`must be at least ${formatDuration(rule.minMs)}.`);
  if (parsed > rule.maxMs) throw new InvalidArgumentError(`must be at most ${formatDuration(rule.maxMs)}.`);
  return parsed;
}

/** A commander argument parser for a duration flag, resolving milliseconds. */
export function durationMs(rule: DurationRule): (value: string) => number {
  return (value) => parseDuration(value, rule);
}

/** A commander argument parser for a duration flag whose value travels as whole seconds, resolving seconds. */
export function durationSeconds(rule: Omit<DurationRule, 'wholeSeconds'>): (value: string) => number {
  return (value) => parseDuration(value, { ...rule, wholeSeconds: true }) / 1000;
}

/** Milliseconds with `ms`, or undefined when the text is not one number and one unit (`ms` throws on some input, e.g. too long). */
function readUnits(value: string): number | undefined {
  try {
    const parsed = ms(value as ms.StringValue);
    return typeof parsed === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/**
 * A duration in milliseconds as the CLI prints it: exact, in the largest unit that divides it (`90m`, `1500ms`,
 * `2s`, `1d`), so what is printed can be typed back in. Negative values keep their sign.
 */
export function formatDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  const sign = milliseconds < 0 ? '-' : '';
  const size = Math.abs(milliseconds);
  for (const [unit, length] of UNITS) if (size % length === 0) return `${sign}${size / length}${unit}`;
  return `${sign}${size}ms`;
}
