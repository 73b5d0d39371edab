import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: each throws InvalidArgumentError (exit 2, the flag named by commander). */

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

export function positiveInt(value: string): number {
  const n = wholeNumber(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1.');
  return n;
}

export function probabilityArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1.');
  return n;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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
