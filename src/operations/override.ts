import { MAX_DELAY_MS } from '../config/limits.ts';
import { headerSafe } from '../errors.ts';

/** What a request asks of its own answer: a documented status, a delay, or why the asking is malformed. */
export type Override = { readonly code?: number; readonly delayMs: number; readonly error?: string };

/** The override parts of a request: the `Prefer` header and the `?__code=` / `?__delay=` query forms. */
export type OverrideInput = { readonly prefer: string | undefined; readonly codeParam: string | null; readonly delayParam: string | null };

/** Nothing asked (most requests): one answer for all of them. */
const NONE: Override = Object.freeze({ delayMs: 0 });

/**
 * Reads `Prefer: code=NNN, delay=MS` (Prism's convention) and the `?__code=` / `?__delay=` query forms.
 * `code` must be one of the operation's documented `statuses`; `delay` whole milliseconds up to MAX_DELAY_MS.
 * A bad value comes back as `error` (the operation answers 400 naming it).
 */
export function readOverride(input: OverrideInput, statuses: readonly number[]): Override {
  if (input.prefer === undefined && input.codeParam === null && input.delayParam === null) return NONE;
  let code: string | undefined = input.codeParam ?? undefined;
  let delay: string | undefined = input.delayParam ?? undefined;
  if (input.prefer) {
    for (const part of input.prefer.split(/[,;]/)) {
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      const name = part.slice(0, eq).trim().toLowerCase();
      const value = part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (name === 'code') code ??= value;
      else if (name === 'delay') delay ??= value;
    }
  }
  let delayMs = 0;
  if (delay !== undefined) {
    if (!/^\d{1,7}$/.test(delay) || Number(delay) > MAX_DELAY_MS)
      return { delayMs: 0, error: `delay must be whole milliseconds from 0 to ${MAX_DELAY_MS}, got "${headerSafe(delay)}"` };
    delayMs = Number(delay);
  }
  if (code === undefined) return { delayMs };
  const n = /^\d{3}$/.test(code) ? Number(code) : Number.NaN;
  if (!statuses.includes(n)) return { delayMs, error: `code=${headerSafe(code)} is not documented for this operation; allowed: ${statuses.join(', ')}` };
  return { code: n, delayMs };
}
