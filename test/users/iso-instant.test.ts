import { describe, expect, it } from 'vitest';
import { isoInstant } from '../../src/users/iso-instant.ts';

describe('isoInstant: the user pages’ created_at and updated_at', () => {
  it('is toISOString’s text for every instant, also after more instants than it remembers (3 000, each asked twice)', () => {
    const instants = Array.from({ length: 3000 }, (_, i) => Date.UTC(2026, 11, 7) + i * 997 + (i % 7));
    for (const round of [1, 2]) {
      for (const ms of instants) expect(isoInstant(ms), `round ${round}, ${ms}`).toBe(new Date(ms).toISOString());
    }
  });

  it('keeps the edges of what a Date holds, and refuses what it cannot (RangeError, as toISOString)', () => {
    expect(isoInstant(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoInstant(8.64e15)).toBe('+275760-09-13T00:00:00.000Z');
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
    expect(() => isoInstant(8.64e15 + 1)).toThrow(RangeError);
  });
});
