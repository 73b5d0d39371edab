import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { draw, type Fault, type FaultContext, type FaultTargets, isLive, parseFault, takeFrom } from '../../src/faults/fault.ts';

const STATUSES = [200, 400, 401, 403, 500] as const;
const NOW = Date.UTC(2030, 0, 1);
/** Logout and sign-in as the mock serves them: sign-in requests carry no sign-in id (they make one). */
const TARGETS: FaultTargets = new Map([
  ['logout', { statuses: STATUSES, scopes: ['sub', 'sid', 'customer'] }],
  ['sign-in', { statuses: STATUSES, scopes: ['sub', 'customer'] }],
]);
const arm = (input: Record<string, unknown>, now = NOW, seed = 1) => parseFault(input, { targets: TARGETS, now, seed });

/** Runs `requests` contexts through takeFrom one at a time (as the store does) and reports which fault each got. */
function run(faults: Fault[], requests: FaultContext[], now = NOW): { fired: (string | undefined)[]; left: Fault[] } {
  let state = faults;
  const fired: (string | undefined)[] = [];
  for (const context of requests) {
    const taken = takeFrom(state, context, now);
    fired.push(taken.fired?.id);
    state = taken.next;
  }
  return { fired, left: state };
}
const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe('parseFault: what a QA engineer may arm', () => {
  it.each([
    ['a documented status', { status: 500 }, { status: 500, network: null, remaining: 1, skip: 0, probability: 1, delayMs: 0, expiresAt: null, match: {} }],
    ['every documented status', { status: 200 }, { status: 200 }],
    ['a network fault', { network: 'reset' }, { status: null, network: 'reset' }],
    ['hang', { network: 'hang', times: null }, { network: 'hang', remaining: null }],
    ['empty', { network: 'empty' }, { network: 'empty' }],
    ['garbage', { network: 'garbage' }, { network: 'garbage' }],
    ['a delay alone', { delayMs: 2000 }, { status: null, network: null, delayMs: 2000 }],
    ['a delay with a status', { status: 401, delayMs: 10 }, { status: 401, delayMs: 10 }],
    ['a delay with a network fault', { network: 'empty', delayMs: 10 }, { network: 'empty', delayMs: 10 }],
    ['times', { status: 500, times: 3 }, { remaining: 3 }],
    ['times null = until cleared', { status: 500, times: null }, { remaining: null }],
    ['skip', { status: 500, skip: 2 }, { skip: 2 }],
    ['skip 0', { status: 500, skip: 0 }, { skip: 0 }],
    ['probability 0', { status: 500, probability: 0 }, { probability: 0 }],
    ['probability 0.25', { status: 500, probability: 0.25 }, { probability: 0.25 }],
    ['probability 1', { status: 500, probability: 1 }, { probability: 1 }],
    ['an explicit seed', { status: 500, probability: 0.5, seed: 42 }, { seed: 42 }],
    ['the default seed', { status: 500, probability: 0.5 }, { seed: 1 }],
    ['ttlMs → expiresAt', { status: 500, ttlMs: 1500 }, { expiresAt: NOW + 1500 }],
    ['ttlMs null = no expiry', { status: 500, ttlMs: null }, { expiresAt: null }],
    ['match.sub', { status: 403, match: { sub: 'cust-42' } }, { match: { sub: 'cust-42' } }],
    ['match.sid', { status: 403, match: { sid: 'sid-1' } }, { match: { sid: 'sid-1' } }],
    ['match.session', { status: 403, match: { session: 'run-a' } }, { match: { session: 'run-a' } }],
    ['every match field', { status: 403, match: { sub: 'a', sid: 'b', session: 'c' } }, { match: { sub: 'a', sid: 'b', session: 'c' } }],
    ['match null = everyone', { status: 403, match: null }, { match: {} }],
    ['status null with a network fault', { status: null, network: 'reset' }, { status: null, network: 'reset' }],
  ])('accepts %s', (_name, input, expected) => {
    const fault = arm(input);
    expect(fault).toMatchObject({ ...expected, createdAt: NOW, evaluations: 0, hits: 0 });
    expect(fault.id).toMatch(/^f_[0-9a-f]{12}$/);
    expect(Object.isFrozen(fault)).toBe(true);
  });

  // The reason is what the QA engineer reads (the 400's body, the CLI's error line): each names the field and what it takes.
  it.each([
    ['not an object', null, 'body', 'a fault must be a JSON object'],
    ['an array', [{ status: 500 }], 'body', 'a fault must be a JSON object'],
    ['a string', 'status=500', 'body', 'a fault must be a JSON object'],
    ['nothing to do', {}, 'status', 'a fault needs a status, a network fault or a delayMs'],
    ['a zero delay alone', { delayMs: 0 }, 'status', 'a fault needs a status, a network fault or a delayMs'],
    [
      'an unknown field',
      { status: 500, code: 500 },
      'code',
      'unknown field "code"; a fault takes status, network, times, skip, probability, seed, delayMs, ttlMs, match',
    ],
    ['an undocumented status', { status: 418 }, 'status', 'status 418 is not documented for logout; allowed: 200, 400, 401, 403, 500'],
    ['a status out of range', { status: 999 }, 'status', 'status must be a whole number from 100 to 599, got 999'],
    ['a status as a string', { status: '500' }, 'status', 'status must be a whole number from 100 to 599, got "500"'],
    ['a fractional status', { status: 500.5 }, 'status', 'status must be a whole number from 100 to 599, got 500.5'],
    ['an unknown network fault', { network: 'timeout' }, 'network', 'network must be one of reset, empty, hang, garbage, got "timeout"'],
    ['a network fault in capitals', { network: 'RESET' }, 'network', 'network must be one of reset, empty, hang, garbage, got "RESET"'],
    ['status and network together', { status: 500, network: 'reset' }, 'network', 'give either status or network, not both'],
    ['times 0', { status: 500, times: 0 }, 'times', 'times must be a whole number from 1 to 1000000000, got 0'],
    ['negative times', { status: 500, times: -1 }, 'times', 'times must be a whole number from 1 to 1000000000, got -1'],
    ['fractional times', { status: 500, times: 1.5 }, 'times', 'times must be a whole number from 1 to 1000000000, got 1.5'],
    ['times as a string', { status: 500, times: '3' }, 'times', 'times must be a whole number from 1 to 1000000000, got "3"'],
    ['negative skip', { status: 500, skip: -1 }, 'skip', 'skip must be a whole number from 0 to 1000000000, got -1'],
    ['fractional skip', { status: 500, skip: 0.5 }, 'skip', 'skip must be a whole number from 0 to 1000000000, got 0.5'],
    ['skip null', { status: 500, skip: null }, 'skip', 'skip must be a whole number from 0 to 1000000000, got null'],
    ['probability over 1', { status: 500, probability: 2 }, 'probability', 'probability must be a number from 0 to 1, got 2'],
    ['negative probability', { status: 500, probability: -0.1 }, 'probability', 'probability must be a number from 0 to 1, got -0.1'],
    ['probability NaN', { status: 500, probability: Number.NaN }, 'probability', 'probability must be a number from 0 to 1, got null'],
    ['probability as a string', { status: 500, probability: '0.5' }, 'probability', 'probability must be a number from 0 to 1, got "0.5"'],
    ['a negative seed', { status: 500, seed: -1 }, 'seed', 'seed must be a whole number from 0 to 4294967295, got -1'],
    ['a seed over 32 bits', { status: 500, seed: 2 ** 32 }, 'seed', 'seed must be a whole number from 0 to 4294967295, got 4294967296'],
    ['a fractional seed', { status: 500, seed: 1.5 }, 'seed', 'seed must be a whole number from 0 to 4294967295, got 1.5'],
    ['a negative delay', { delayMs: -5 }, 'delayMs', 'delayMs must be a whole number from 0 to 600000, got -5'],
    ['a fractional delay', { delayMs: 1.5 }, 'delayMs', 'delayMs must be a whole number from 0 to 600000, got 1.5'],
    ['a delay over ten minutes', { delayMs: 10 * 60 * 1000 + 1 }, 'delayMs', 'delayMs must be a whole number from 0 to 600000, got 600001'],
    ['a delay as a string', { delayMs: '2000' }, 'delayMs', 'delayMs must be a whole number from 0 to 600000, got "2000"'],
    ['ttlMs 0', { status: 500, ttlMs: 0 }, 'ttlMs', 'ttlMs must be a whole number from 1 to 31536000000, got 0'],
    ['negative ttlMs', { status: 500, ttlMs: -1 }, 'ttlMs', 'ttlMs must be a whole number from 1 to 31536000000, got -1'],
    ['ttlMs as a string', { status: 500, ttlMs: '1s' }, 'ttlMs', 'ttlMs must be a whole number from 1 to 31536000000, got "1s"'],
    ['match not an object', { status: 500, match: 'cust-42' }, 'match', 'match must be an object with sub, sid, customer, session, operation'],
    ['match an array', { status: 500, match: ['cust-42'] }, 'match', 'match must be an object with sub, sid, customer, session, operation'],
    [
      'an unknown match field',
      { status: 500, match: { user: 'cust-42' } },
      'match.user',
      'unknown field "match.user"; match takes sub, sid, customer, session, operation',
    ],
    ['an empty match.sub', { status: 500, match: { sub: '' } }, 'match.sub', 'match.sub must be a non-empty string'],
    ['a numeric match.sid', { status: 500, match: { sid: 7 } }, 'match.sid', 'match.sid must be a non-empty string'],
    ['an overlong match.session', { status: 500, match: { session: 'x'.repeat(513) } }, 'match.session', 'match.session must be a non-empty string'],
    [
      'an unknown match.operation',
      { status: 500, match: { operation: 'log-out' } },
      'match.operation',
      'match.operation must be one of logout, sign-in, *, got "log-out"',
    ],
  ])('refuses %s, naming field %s', (_name, input, field, message) => {
    let error: unknown;
    try {
      arm(input as Record<string, unknown>);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'ERR_INPUT', field, message });
  });

  it.each([
    ['a network of null with a status (JSON clients send absent fields as null)', { status: 500, network: null }, { status: 500, network: null }],
    ['a match value of exactly 512 characters', { status: 500, match: { session: 'x'.repeat(512) } }, { match: { session: 'x'.repeat(512) } }],
    ['the largest seed', { status: 500, seed: 2 ** 32 - 1 }, { seed: 2 ** 32 - 1 }],
    ['the longest delay', { delayMs: 10 * 60 * 1000 }, { delayMs: 10 * 60 * 1000 }],
  ])('accepts at the edge: %s', (_name, input, expected) => {
    expect(arm(input)).toMatchObject(expected);
  });

  it('names the allowed statuses when the status is not documented', () => {
    expect(() => arm({ status: 418 })).toThrow(/allowed: 200, 400, 401, 403, 500/);
  });

  it('names the network faults when the kind is unknown', () => {
    expect(() => arm({ network: 'timeout' })).toThrow(/reset, empty, hang, garbage/);
  });

  it('gives each armed fault its own id', () => {
    const ids = new Set(Array.from({ length: 100 }, () => arm({ status: 500 }).id));
    expect(ids.size).toBe(100);
  });
});

describe('parseFault: a scope that could never match', () => {
  it('refuses a sid on a sign-in fault (a sign-in request has no sign-in id yet), naming match.sid', () => {
    expect(() => parseFault({ status: 500, match: { operation: 'sign-in', sid: 'f3a1' } }, { targets: TARGETS, now: NOW, seed: 1 })).toThrow(
      /match\.sid never matches/,
    );
    let field: unknown;
    try {
      parseFault({ status: 500, match: { operation: 'sign-in', sid: 'f3a1' } }, { targets: TARGETS, now: NOW, seed: 1 });
    } catch (error) {
      field = (error as { field?: unknown }).field;
    }
    expect(field).toBe('match.sid');
    // By sub (the user) it is fine, and a sid on every operation (`*`) still fires on logout and refresh.
    expect(parseFault({ status: 500, match: { operation: 'sign-in', sub: 'u-1' } }, { targets: TARGETS, now: NOW, seed: 1 }).match).toEqual({
      operation: 'sign-in',
      sub: 'u-1',
    });
    expect(parseFault({ status: 500, match: { operation: '*', sid: 'f3a1' } }, { targets: TARGETS, now: NOW, seed: 1 }).match).toEqual({
      operation: '*',
      sid: 'f3a1',
    });
  });

  it('says which scopes the operation carries instead', () => {
    expect(() => arm({ status: 500, match: { operation: 'sign-in', sid: 'f3a1' } })).toThrow(
      'a sign-in request carries no sid, so match.sid never matches it: scope a sign-in fault by sub, customer, session',
    );
  });
});

describe('parseFault: a fault on every operation (match.operation "*")', () => {
  // Sign-in documents no 403 here, so a 403 cannot be forced on every operation; a 500 can.
  const targets: FaultTargets = new Map([
    ['logout', { statuses: [200, 400, 401, 403, 500], scopes: ['sub', 'sid', 'customer'] }],
    ['sign-in', { statuses: [200, 400, 401, 500], scopes: ['sub', 'customer'] }],
  ]);
  const everywhere = (status: number) => parseFault({ status, match: { operation: '*' } }, { targets, now: NOW, seed: 1 });

  it('takes a status every operation documents', () => {
    expect(everywhere(500)).toMatchObject({ status: 500, match: { operation: '*' } });
  });

  it('refuses one that some operation does not document, listing those all of them do', () => {
    expect(() => everywhere(403)).toThrow('status 403 is not documented for every operation; allowed: 200, 400, 401, 500');
  });
});

describe('takeFrom: which request a fault fires for', () => {
  it.each([1, 3, 7])('times %i fires for exactly that many requests, then is gone', (n) => {
    const fault = arm({ status: 500, times: n });
    const { fired, left } = run([fault], times(n + 3, {}));
    expect(fired).toEqual([...times(n, fault.id), undefined, undefined, undefined]);
    expect(left).toEqual([]);
  });

  it('counts remaining down and hits up', () => {
    const fault = arm({ status: 500, times: 3 });
    const first = takeFrom([fault], {}, NOW);
    expect(first.fired).toMatchObject({ id: fault.id, remaining: 2, hits: 1 });
    expect(first.next).toEqual([first.fired]);
    const second = takeFrom(first.next, {}, NOW);
    expect(second.next[0]).toMatchObject({ remaining: 1, hits: 2 });
  });

  it('times null fires until cleared', () => {
    const fault = arm({ status: 500, times: null });
    const { fired, left } = run([fault], times(500, {}));
    expect(fired.every((id) => id === fault.id)).toBe(true);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ remaining: null, hits: 500 });
  });

  it.each([0, 1, 4])('skip %i lets that many matching requests pass first', (skip) => {
    const fault = arm({ status: 500, times: 2, skip });
    const { fired, left } = run([fault], times(skip + 3, {}));
    expect(fired).toEqual([...times(skip, undefined), fault.id, fault.id, undefined]);
    expect(left).toEqual([]);
  });

  it('skip counts only matching requests', () => {
    const fault = arm({ status: 403, skip: 1, match: { sub: 'cust-42' } });
    const { fired } = run([fault], [{ sub: 'other' }, { sub: 'other' }, { sub: 'cust-42' }, { sub: 'other' }, { sub: 'cust-42' }]);
    expect(fired).toEqual([undefined, undefined, undefined, undefined, fault.id]);
  });

  it('does not change the faults it was given (a store can retry the swap)', () => {
    const fault = arm({ status: 500, times: 2, skip: 1 });
    const before = structuredClone(fault);
    takeFrom([fault], {}, NOW);
    takeFrom([fault], {}, NOW);
    expect(fault).toEqual(before);
  });
});

describe('takeFrom: probability is seeded, so a run repeats', () => {
  const sequence = (input: Record<string, unknown>, n: number) => {
    const fault = arm({ status: 500, times: null, ...input });
    return run([fault], times(n, {})).fired.map((id) => id !== undefined);
  };

  it('gives the same sequence twice for the same seed', () => {
    const a = sequence({ probability: 0.5, seed: 7 }, 200);
    const b = sequence({ probability: 0.5, seed: 7 }, 200);
    expect(a).toEqual(b);
    expect(a).toContain(true);
    expect(a).toContain(false);
  });

  it('gives another sequence for another seed', () => {
    expect(sequence({ probability: 0.5, seed: 7 }, 200)).not.toEqual(sequence({ probability: 0.5, seed: 8 }, 200));
  });

  it('takes the seed from the mock when the fault names none', () => {
    const a = run([parseFault({ status: 500, times: null, probability: 0.5 }, { targets: TARGETS, now: NOW, seed: 99 })], times(100, {}));
    const b = run([parseFault({ status: 500, times: null, probability: 0.5, seed: 99 }, { targets: TARGETS, now: NOW, seed: 1 })], times(100, {}));
    expect(a.fired.map(Boolean)).toEqual(b.fired.map(Boolean));
  });

  it.each([0.1, 0.3, 0.5, 0.9])('with probability %s fires for about that share of 1000 requests', (p) => {
    for (const seed of [1, 2, 3]) {
      const hits = sequence({ probability: p, seed }, 1000).filter(Boolean).length;
      // Deterministic for a seed; the bound is ±5 standard deviations of a fair draw, so only a broken generator misses it.
      const sd = Math.sqrt(1000 * p * (1 - p));
      expect(hits).toBeGreaterThan(1000 * p - 5 * sd);
      expect(hits).toBeLessThan(1000 * p + 5 * sd);
    }
  });

  it('probability 0 never fires, 1 always does', () => {
    expect(sequence({ probability: 0 }, 300).some(Boolean)).toBe(false);
    expect(sequence({ probability: 1 }, 300).every(Boolean)).toBe(true);
  });

  it('a missed draw does not use up a firing', () => {
    const fault = arm({ status: 500, times: 2, probability: 0.3, seed: 5 });
    const { fired, left } = run([fault], times(200, {}));
    expect(fired.filter(Boolean)).toHaveLength(2);
    expect(left).toEqual([]);
  });

  it('draw stays in [0, 1)', () => {
    for (const seed of [0, 1, 2 ** 31, 2 ** 32 - 1]) {
      for (let n = 1; n <= 1000; n++) {
        const x = draw(seed, n);
        expect(x >= 0 && x < 1).toBe(true);
      }
    }
  });
});

describe('takeFrom: ttl', () => {
  it('fires until expiresAt, then is dropped', () => {
    const fault = arm({ status: 500, times: null, ttlMs: 1000 });
    expect(takeFrom([fault], {}, NOW).fired?.id).toBe(fault.id);
    expect(takeFrom([fault], {}, NOW + 999).fired?.id).toBe(fault.id);
    const expired = takeFrom([fault], {}, NOW + 1000);
    expect(expired.fired).toBeUndefined();
    expect(expired.next).toEqual([]);
  });

  it('isLive follows both the clock and the count', () => {
    const fault = arm({ status: 500, times: 1, ttlMs: 10 });
    expect(isLive(fault, NOW + 9)).toBe(true);
    expect(isLive(fault, NOW + 10)).toBe(false);
    expect(isLive(takeFrom([fault], {}, NOW).fired as Fault, NOW)).toBe(false);
    expect(isLive(arm({ status: 500, times: null }), Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('a spent hang stays armed (listed, clearable) but fires no more; its ttl still ends it', () => {
    const hang = arm({ network: 'hang', times: 1, ttlMs: 1000 });
    const first = takeFrom([hang], {}, NOW);
    expect(first.fired?.id).toBe(hang.id);
    expect(first.next).toMatchObject([{ id: hang.id, remaining: 0 }]);
    expect(isLive(first.next[0] as Fault, NOW)).toBe(true);
    const second = takeFrom(first.next, {}, NOW);
    expect(second.fired).toBeUndefined();
    expect(second.next).toEqual(first.next);
    expect(isLive(first.next[0] as Fault, NOW + 1000)).toBe(false);
    expect(takeFrom(first.next, {}, NOW + 1000).next).toEqual([]);
  });

  it('a spent hang does not shadow an older fault', () => {
    const older = arm({ status: 500, times: null });
    const hang = takeFrom([arm({ network: 'hang' })], {}, NOW).next;
    expect(takeFrom([older, ...hang], {}, NOW).fired?.id).toBe(older.id);
  });

  it('an expired fault makes way for an older live one', () => {
    const older = arm({ status: 500, times: null });
    const newer = arm({ status: 403, times: null, ttlMs: 50 });
    expect(takeFrom([older, newer], {}, NOW).fired?.id).toBe(newer.id);
    const later = takeFrom([older, newer], {}, NOW + 50);
    expect(later.fired?.id).toBe(older.id);
    expect(later.next.map((f) => f.id)).toEqual([older.id]);
  });
});

describe('takeFrom: match scopes a fault', () => {
  const customer42: FaultContext = { sub: 'cust-42', sid: 'sid-a', session: 'run-1' };
  const colleague: FaultContext = { sub: 'cust-7', sid: 'sid-b', session: 'run-2' };
  const anonymous: FaultContext = {};

  it.each([
    ['nothing (global)', {}, [true, true, true]],
    ['sub', { sub: 'cust-42' }, [true, false, false]],
    ['sid', { sid: 'sid-b' }, [false, true, false]],
    ['session', { session: 'run-1' }, [true, false, false]],
    ['sub and session', { sub: 'cust-42', session: 'run-1' }, [true, false, false]],
    ['sub and another session', { sub: 'cust-42', session: 'run-2' }, [false, false, false]],
  ])('match on %s', (_name, match, expected) => {
    const fault = arm({ status: 403, times: null, match });
    const got = [customer42, colleague, anonymous].map((context) => takeFrom([fault], context, NOW).fired !== undefined);
    expect(got).toEqual(expected);
  });

  it('a scoped single-shot fault waits for its customer', () => {
    const fault = arm({ status: 403, match: { sub: 'cust-42' } });
    const { fired, left } = run([fault], [colleague, anonymous, colleague, customer42, customer42]);
    expect(fired).toEqual([undefined, undefined, undefined, fault.id, undefined]);
    expect(left).toEqual([]);
  });
});

describe('takeFrom: the newest matching fault wins', () => {
  it('fires the newest first, then the older once the newer is spent', () => {
    const older = arm({ status: 500, times: 2 });
    const newer = arm({ status: 403, times: 1 });
    expect(run([older, newer], times(4, {})).fired).toEqual([newer.id, older.id, older.id, undefined]);
  });

  it('a newer fault scoped elsewhere leaves the request to an older one', () => {
    const older = arm({ status: 500, times: null });
    const newer = arm({ status: 403, times: null, match: { sub: 'cust-42' } });
    expect(takeFrom([older, newer], { sub: 'cust-42' }, NOW).fired?.id).toBe(newer.id);
    expect(takeFrom([older, newer], { sub: 'cust-7' }, NOW).fired?.id).toBe(older.id);
  });

  it('a request a newer fault lets pass (skip, missed draw) goes to an older one', () => {
    const older = arm({ status: 500, times: null });
    const skipping = arm({ status: 403, skip: 1 });
    expect(run([older, skipping], times(3, {})).fired).toEqual([older.id, skipping.id, older.id]);
    const never = arm({ status: 403, times: null, probability: 0 });
    expect(takeFrom([older, never], {}, NOW).fired?.id).toBe(older.id);
  });

  it('only one fault fires per request, and the others are untouched', () => {
    const a = arm({ status: 500, times: 1 });
    const b = arm({ status: 401, times: 1 });
    const { fired, next } = takeFrom([a, b], {}, NOW);
    expect(fired?.id).toBe(b.id);
    expect(next).toEqual([a]);
  });

  it('keeps the order of what is left (oldest first)', () => {
    const faults = [arm({ status: 500, times: null }), arm({ status: 401, times: null }), arm({ status: 403, times: null, match: { sub: 'x' } })];
    const { next } = takeFrom(faults, {}, NOW);
    expect(next.map((f) => f.id)).toEqual(faults.map((f) => f.id));
  });
});
