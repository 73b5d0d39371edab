import { isIP } from 'node:net';
import ms from 'ms';
import { ConfigError } from '../errors.ts';
import { type ApiMount, GATE_MODES, type GateMode, type RefreshStorm } from './config.ts';

/**
 * The parsers of the option table's rows (`config.ts`): each turns a typed value, or the string argv or an env var
 * gave, into the option's value, or throws ConfigError naming the flag as the user typed it.
 */

function fail(flag: string, message: string): never {
  throw new ConfigError(flag, `${flag} ${message}`);
}

/** A whole number from `min` to `max` (a string of digits counts). */
export function integer(min: number, max: number): (value: unknown, flag: string) => number {
  return (value, flag) => {
    const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      fail(flag, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** true/false, or 1/0, yes/no, on/off (env vars give strings). */
export function bool(value: unknown, flag: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  }
  return fail(flag, `must be true or false, got ${JSON.stringify(value)}`);
}

/** One of `allowed`, exactly. */
export function oneOf<T extends string>(allowed: readonly T[]): (value: unknown, flag: string) => T {
  return (value, flag) => {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return fail(flag, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  };
}

/** A non-empty string. */
export function text(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(flag, 'must be a non-empty string');
  return value;
}

/** A parser whose option may be left unset (the row's default then applies). */
export function optional<T>(parse: (value: unknown, flag: string) => T): (value: unknown, flag: string) => T | undefined {
  return parse;
}

/** An absolute URL. */
export function url(value: unknown, flag: string): string {
  const s = text(value, flag);
  if (!URL.canParse(s)) fail(flag, `must be an absolute URL, got ${JSON.stringify(s)}`);
  return s;
}

/** A `redis://` or `rediss://` URL. */
export function redisUrl(value: unknown, flag: string): string {
  const s = text(value, flag);
  if (!/^rediss?:\/\//.test(s) || !URL.canParse(s)) fail(flag, `must be a redis:// or rediss:// URL, got ${JSON.stringify(s)}`);
  return s;
}

/** An RFC 6265 §4.1.1 cookie-name: a token (no separators, controls or spaces). */
export function cookieName(value: unknown, flag: string): string {
  const s = text(value, flag);
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(s)) fail(flag, `must be a cookie name (letters, digits, !#$%&'*+-.^_\`|~), got ${JSON.stringify(s)}`);
  return s;
}

/** An IP address or a host name. */
export function host(value: unknown, flag: string): string {
  const s = text(value, flag);
  if (isIP(s) === 0 && !/^[a-zA-Z0-9.-]+$/.test(s)) fail(flag, `must be an IP address or host name, got ${JSON.stringify(s)}`);
  return s;
}

/** Empty, or a path starting with `/` (trailing slashes dropped). */
export function basePath(value: unknown, flag: string): string | undefined {
  if (typeof value !== 'string' || (value !== '' && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(value))) {
    fail(flag, `must be empty or a path starting with /, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Whole seconds from `min` to `max`: a number, a bare number as text (seconds, as before units were accepted), or a
 * duration with a unit as the rest of the CLI takes them (`90s`, `5m`, `1h`, `1d`; read by the `ms` package).
 */
export function seconds(min: number, max: number): (value: unknown, flag: string) => number {
  const whole = integer(min, max);
  return (value, flag) => {
    if (typeof value !== 'string' || /^\s*-?\d+\s*$/.test(value)) return whole(value, flag);
    let parsed: number | undefined;
    try {
      parsed = ms(value.trim() as ms.StringValue) as number | undefined;
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed % 1000 !== 0) {
      fail(flag, `must be whole seconds from ${min} to ${max} — a number (seconds) or a duration such as 90s, 5m, 1h — got ${JSON.stringify(value)}`);
    }
    return whole(parsed / 1000, flag);
  };
}

/** The values of a repeatable option: an array as given, or one string (argv) or a comma-separated list (env). */
function listOf(value: unknown): unknown[] {
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((each) =>
    typeof each === 'string'
      ? each
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== '')
      : [each],
  );
}

/**
 * `--api`: documents to mount, as files (`case.yaml`), or in-process as `{ path, gate?, bind? }`. Throws ConfigError
 * naming the flag for a value that is neither, or a gate that is not one of GATE_MODES.
 */
export function apiMounts(value: unknown, flag: string): ApiMount[] {
  return listOf(value).map((entry) => {
    if (typeof entry === 'string') return { path: text(entry, flag) };
    if (!entry || typeof entry !== 'object') return fail(flag, `must be a file, or { path, gate?, bind? }, got ${JSON.stringify(entry)}`);
    const { path, gate, bind } = entry as Record<string, unknown>;
    return {
      path: text(path, `${flag} path`),
      ...(gate === undefined ? {} : { gate: oneOf(GATE_MODES)(gate, `${flag} gate`) as GateMode }),
      ...(bind === undefined ? {} : { bind: text(bind, `${flag} bind`) }),
    };
  });
}

/** A repeatable `<basePath>=<value>` option (`--api-gate /case/api/v1=presence`), or an object by base path; each value parsed by `parse`. */
export function keyed<T>(what: string, parse: (value: unknown, flag: string) => T): (value: unknown, flag: string) => Record<string, T> {
  return (value, flag) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([base, each]) => [base.replace(/\/+$/, ''), parse(each, flag)]));
    }
    const out: Record<string, T> = {};
    for (const entry of listOf(value)) {
      const text_ = typeof entry === 'string' ? entry : '';
      const eq = text_.lastIndexOf('=');
      if (eq < 1 || !text_.startsWith('/')) fail(flag, `must be <basePath>=<${what}> (e.g. /case/api/v1=...), got ${JSON.stringify(entry)}`);
      out[text_.slice(0, eq).replace(/\/+$/, '')] = parse(text_.slice(eq + 1), flag);
    }
    return out;
  };
}

/** The storm detector's bounds: the fewest refreshes that make a storm ("more than once"), the most, and the window's bounds in ms. */
const STORM_COUNT = { min: 2, max: 1000 } as const;
const STORM_WINDOW_MS = { min: 1, max: 24 * 3600 * 1000 } as const;

/**
 * `--refresh-storm`: `off`, or `<count>/<duration>` (`2/10s`, `5/1m`, `3/500ms`; a bare number of seconds), or
 * in-process `{ count, windowMs }`. Throws ConfigError naming the flag for anything else or out of bounds.
 */
export function refreshStorm(value: unknown, flag: string): RefreshStorm | 'off' {
  const usage = `must be off or <count>/<duration> (e.g. 2/10s: 2 refreshes of one sign-in within 10 s), got ${JSON.stringify(value)}`;
  let count: unknown;
  let windowMs: unknown;
  if (value && typeof value === 'object' && !Array.isArray(value)) ({ count, windowMs } = value as Record<string, unknown>);
  else if (typeof value === 'string') {
    const text_ = value.trim();
    if (text_ === 'off') return 'off';
    const match = /^(\d+)\s*\/\s*(\S+)$/.exec(text_);
    if (!match) return fail(flag, usage);
    count = Number(match[1]);
    windowMs = /^\d+$/.test(match[2] as string) ? Number(match[2]) * 1000 : durationMs(match[2] as string);
  } else return fail(flag, usage);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < STORM_COUNT.min || count > STORM_COUNT.max) {
    fail(flag, `count must be a whole number from ${STORM_COUNT.min} to ${STORM_COUNT.max} (a storm is more than one refresh), got ${JSON.stringify(count)}`);
  }
  if (typeof windowMs !== 'number' || !Number.isInteger(windowMs) || windowMs < STORM_WINDOW_MS.min || windowMs > STORM_WINDOW_MS.max) {
    fail(flag, `window must be a duration from 1ms to 24h (e.g. 10s, 500ms, 1m), got ${JSON.stringify(value)}`);
  }
  return { count, windowMs };
}

/** A duration with a unit as `ms` reads it, in milliseconds; NaN when it is not one. */
function durationMs(value: string): number {
  try {
    const parsed = ms(value as ms.StringValue) as number | undefined;
    return typeof parsed === 'number' ? parsed : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
