// The journal's filter, as `GET /__mock/requests?…` and `mock.requests(filter)` use it.
import { describe, expect, it } from 'vitest';
import { filterJournal, type JournalEntry, matchesFilter, OTHER_OPERATION, parseJournalFilter } from '../../src/state/journal.ts';

/** The names a mock serving the three sign-in operations accepts, as the control API hands them to the filter. */
const SERVED = ['sign-in', 'refresh', 'logout', OTHER_OPERATION];

import { MemoryStore } from '../../src/state/memory-store.ts';

const entry = (i: number, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  method: 'POST',
  path: '/auth/api/v1/customer/logout',
  status: 200,
  reason: `r${i}`,
  ms: 1,
  ...extra,
});

describe('parseJournalFilter', () => {
  it.each(SERVED)('reads operation=%s', (operation) => {
    expect(parseJournalFilter(new URLSearchParams({ operation }), SERVED)).toEqual({ operation });
  });

  it('reads operation beside the other filters', () => {
    expect(parseJournalFilter(new URLSearchParams('operation=refresh&status=401&sub=ann&limit=5'), SERVED)).toEqual({
      operation: 'refresh',
      status: 401,
      sub: 'ann',
      limit: 5,
    });
  });

  it.each(['', 'Sign-In', 'signin', '*', 'logout '])('refuses operation=%j with an InputError naming operation', (operation) => {
    expect(() => parseJournalFilter(new URLSearchParams({ operation }), SERVED)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', field: 'operation' }));
  });

  it('still refuses an unknown parameter by its name', () => {
    expect(() => parseJournalFilter(new URLSearchParams({ op: 'logout' }), SERVED)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', field: 'op' }));
  });
});

describe('matchesFilter and filterJournal by operation', () => {
  const entries = [
    entry(1, { operation: 'sign-in', email: 'ann@example.com' }),
    entry(2, { operation: 'refresh', sub: 'ann' }),
    entry(3, { operation: 'logout', sub: 'ann' }),
    entry(4), // written before entries named their operation
    entry(5, { operation: 'other', status: 404 }),
    entry(6, { operation: 'sign-in', email: 'bob@example.com', status: 400 }),
  ];

  it.each([
    [{ operation: 'sign-in' }, [1, 6]],
    [{ operation: 'refresh' }, [2]],
    [{ operation: 'logout' }, [3]],
    [{ operation: 'other' }, [5]],
    [{}, [1, 2, 3, 4, 5, 6]],
    [{ operation: 'sign-in', status: 400 }, [6]],
    [{ operation: 'sign-in', limit: 1 }, [6]],
    [{ operation: 'refresh', sub: 'bob' }, []],
  ] as const)('%j keeps entries %j', (filter, kept) => {
    expect(filterJournal(entries, filter)).toEqual(kept.map((i) => entries[i - 1]));
  });

  it('does not count an entry that names no operation as any operation', () => {
    for (const operation of SERVED) expect(matchesFilter(entry(4), { operation })).toBe(false);
    expect(matchesFilter(entry(4), {})).toBe(true);
  });
});

describe("the memory store's journal ring", () => {
  it('lists the new fields in their place, before ms, and blanks them when a slot is reused', async () => {
    const store = new MemoryStore({ journalSize: 1 });
    try {
      await store.appendRequest(entry(1, { sub: 'ann', operation: 'sign-in', email: 'ann@example.com' }));
      const [first] = await store.listRequests({});
      expect(Object.keys(first ?? {})).toEqual(['at', 'method', 'path', 'status', 'reason', 'sub', 'operation', 'email', 'ms']);
      await store.appendRequest(entry(2));
      expect(await store.listRequests({})).toEqual([entry(2)]);
      expect(Object.keys((await store.listRequests({}))[0] ?? {})).toEqual(['at', 'method', 'path', 'status', 'reason', 'ms']);
    } finally {
      await store.close();
    }
  });
});
