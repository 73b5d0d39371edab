import { describe, expect, it } from 'vitest';
import { describeFault, journalLine, relative, table } from '../../src/cli/format.ts';
import type { Fault } from '../../src/faults/fault.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');

describe('relative: how far a time is from the mock’s clock, with units', () => {
  it.each([
    [NOW, 'now'],
    [NOW + 30_000, 'in 30s'],
    [NOW + 3_599_000, 'in 59m 59s'],
    [NOW + 3_600_000, 'in 1h'],
    [NOW + 5_430_000, 'in 1h 30m'],
    [NOW - 120_000, '2m ago'],
  ])('%i → %s', (at, text) => {
    expect(relative(at, NOW)).toBe(text);
  });
});

describe('describeFault', () => {
  const fault: Fault = {
    id: 'f_1',
    status: 500,
    network: null,
    delayMs: 2000,
    remaining: 3,
    skip: 0,
    probability: 1,
    seed: 1,
    match: { operation: 'sign-in', sub: 'cust-42' },
    createdAt: NOW,
    expiresAt: NOW + 90_000,
    evaluations: 0,
    hits: 0,
  };
  it('names the operation first and gives every duration its unit', () => {
    expect(describeFault(fault)).toBe('on sign-in: status 500, 3 left, delay 2s, ttl 90s (disarms at 2026-01-01T12:01:30Z), only sub=cust-42');
  });
  it('a fault without match.operation is on logout; "*" on every operation', () => {
    expect(describeFault({ ...fault, match: {} })).toMatch(/^on logout: /);
    expect(describeFault({ ...fault, match: { operation: '*' } })).toMatch(/^on every operation: /);
  });
});

describe('journalLine', () => {
  it('an entry with no answer and no sign-in says so and names no one', () => {
    expect(
      journalLine({ at: '2026-01-01T12:00:00.000Z', method: 'POST', path: '/auth/api/v1/customer/sign-in', status: 0, reason: 'network fault reset', ms: 1 }),
    ).toBe('2026-01-01T12:00:00.000Z  other    no answer  POST /auth/api/v1/customer/sign-in  network fault reset');
  });
});

describe('table', () => {
  it('pads each column to its widest cell and trims trailing spaces', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['long', 'x'],
          ['s', ''],
        ],
      ),
    ).toBe('A     BB\nlong  x\ns\n');
  });
});
