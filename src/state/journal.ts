import { InputError, shown } from '../errors.ts';

/** What a journal entry names as its operation for what the mock answered outside its operations (an unknown path under a base path). */
export const OTHER_OPERATION = 'other';

/** One request the mock answered. Never holds a raw token. */
export type JournalEntry = {
  /**
   * ISO time the answer was sent (or the request ended unanswered), on the mock's clock; it arrived `ms` earlier.
   * Entries are in this order.
   */
  readonly at: string;
  /**
   * Present when the mock's clock ran ahead of the real time (`clock advance`) as the entry was written: by how many
   * seconds, so `at` is mock time (the real time was `at` minus this). Absent on the real time.
   */
  readonly clockOffsetSeconds?: number;
  readonly method: string;
  readonly path: string;
  /** The status answered; 0 when a network fault answered nothing. */
  readonly status: number;
  readonly reason: string;
  readonly faultId?: string;
  readonly sub?: string;
  readonly jti?: string;
  readonly sid?: string;
  readonly session?: string;
  /** Which operation the request was for, by its name (`logout`), or `other`. */
  readonly operation?: string;
  /** The (lower-cased) email a sign-in named; never a password. */
  readonly email?: string;
  /** What the mock noticed about the request without changing its answer: a refresh storm (`refresh storm: sign-in …`). */
  readonly warning?: string;
  /** Milliseconds from arrival to the answer. */
  readonly ms: number;
};

/** Which journal entries to list. */
export type JournalFilter = {
  readonly sub?: string;
  readonly sid?: string;
  readonly session?: string;
  readonly status?: number;
  /** Only entries at or after this time (epoch ms). */
  readonly since?: number;
  readonly faultId?: string;
  readonly operation?: string;
  /** Only entries that carry a `warning` (true), or only those that carry none (false). */
  readonly warned?: boolean;
  readonly limit?: number;
};

const KEYS = ['sub', 'sid', 'session', 'status', 'since', 'faultId', 'operation', 'warned', 'limit'] as const;

/**
 * Reads a filter from query parameters (`sub`, `sid`, `session`, `status`, `since` as ISO time or epoch ms, `faultId`,
 * `operation` as one of `operations` (the names the mock serves, and `other`), `warned` as true or false, `limit`);
 * throws InputError naming the bad parameter.
 */
export function parseJournalFilter(query: URLSearchParams, operations: readonly string[]): JournalFilter {
  const filter: Record<string, string | number | boolean> = {};
  for (const [key, value] of query) {
    if (!(KEYS as readonly string[]).includes(key)) throw new InputError(key, `unknown filter "${key}"; use ${KEYS.join(', ')}`);
    if (key === 'status' || key === 'limit') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 0 || n > 1_000_000) throw new InputError(key, `${key} must be a whole number, got ${shown(value)}`);
      filter[key] = n;
    } else if (key === 'since') {
      const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
      if (Number.isNaN(ms)) throw new InputError('since', `since must be an ISO time or epoch milliseconds, got ${shown(value)}`);
      filter.since = ms;
    } else if (key === 'warned') {
      if (value !== 'true' && value !== 'false') throw new InputError('warned', `warned must be true or false, got ${shown(value)}`);
      filter.warned = value === 'true';
    } else if (key === 'operation') {
      if (!operations.includes(value)) {
        throw new InputError('operation', `operation must be one of ${operations.join(', ')}, got ${shown(value)}`);
      }
      filter.operation = value;
    } else {
      filter[key] = value;
    }
  }
  return filter as JournalFilter;
}

/** True when the entry passes the filter. */
export function matchesFilter(entry: JournalEntry, filter: JournalFilter): boolean {
  return (
    (filter.sub === undefined || entry.sub === filter.sub) &&
    (filter.sid === undefined || entry.sid === filter.sid) &&
    (filter.session === undefined || entry.session === filter.session) &&
    (filter.status === undefined || entry.status === filter.status) &&
    (filter.faultId === undefined || entry.faultId === filter.faultId) &&
    (filter.operation === undefined || entry.operation === filter.operation) &&
    (filter.warned === undefined || (entry.warning !== undefined) === filter.warned) &&
    (filter.since === undefined || Date.parse(entry.at) >= filter.since)
  );
}

/** Applies a filter to entries oldest-first, keeping the newest `limit`. */
export function filterJournal(entries: Iterable<JournalEntry>, filter: JournalFilter): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const entry of entries) if (matchesFilter(entry, filter)) out.push(entry);
  return filter.limit === undefined ? out : out.slice(Math.max(0, out.length - filter.limit));
}
