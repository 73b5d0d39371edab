import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: each throws InvalidArgumentError (exit 2, the flag named by commander). */

/** `0`, `1`, `2`, …: digits only (no sign, no exponent). */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

/** A whole number of at least 1 (`--times`, `--limit`, a status). */
export function positiveInt(value: string): number {
  const n = wholeNumber(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1.');
  return n;
}

/** A number from 0 to 1 (`--probability`). */
export function probabilityArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1.');
  return n;
}

/** A repeatable option's values, in the order given (`--permission`, `--consumer-version-selector`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A repeatable `name=value` (`--claim`): the value parsed as JSON when it parses, else kept as the string typed. */
export function collectClaim(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('must be name=value.');
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Not JSON: keep the string as typed.
  }
  return { ...previous, [value.slice(0, eq)]: parsed };
}
