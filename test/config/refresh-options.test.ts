import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';

describe('the refresh options: storm detector and rotation', () => {
  it('default to a detector of 2 refreshes within 10 s, and no rotation', () => {
    expect(loadConfig()).toMatchObject({
      refreshStorm: { count: 2, windowMs: 10_000 },
      refreshRotation: false,
      refreshGraceSeconds: 0,
      refreshReuse: 'refuse',
    });
  });

  it.each([
    ['off', 'off'],
    ['3/10s', { count: 3, windowMs: 10_000 }],
    ['2/500ms', { count: 2, windowMs: 500 }],
    [' 5 / 1m ', { count: 5, windowMs: 60_000 }],
    ['2/30', { count: 2, windowMs: 30_000 }],
    [
      { count: 4, windowMs: 250 },
      { count: 4, windowMs: 250 },
    ],
  ])('--refresh-storm %j → %j', (given, want) => {
    expect(loadConfig({ refreshStorm: given as never }).refreshStorm).toEqual(want);
  });

  it.each(['', 'on', '1/10s', '2', '2/', '2/soon', '2/0s', '2/2d', '1001/1s', '2/1.5ms'])('--refresh-storm %j is refused, naming the flag', (given) => {
    expect(() => loadConfig({ refreshStorm: given })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG', field: '--refresh-storm' }));
  });

  it('takes rotation, its grace (0 to 60 s, whole seconds) and what a reuse does', () => {
    expect(loadConfig({ refreshRotation: '1', refreshGraceSeconds: '30s', refreshReuse: 'revoke' })).toMatchObject({
      refreshRotation: true,
      refreshGraceSeconds: 30,
      refreshReuse: 'revoke',
    });
    expect(loadConfig({ refreshRotation: true, refreshGraceSeconds: '1m' }).refreshGraceSeconds).toBe(60);
    for (const grace of ['61', '2m', '-1', '1500ms'])
      expect(() => loadConfig({ refreshRotation: true, refreshGraceSeconds: grace })).toThrow(expect.objectContaining({ field: '--refresh-grace' }));
    expect(() => loadConfig({ refreshRotation: true, refreshReuse: 'logout' })).toThrow(expect.objectContaining({ field: '--refresh-reuse' }));
  });

  it.each([
    [{ refreshGraceSeconds: 5 }, '--refresh-grace'],
    [{ refreshReuse: 'revoke' }, '--refresh-reuse'],
  ] as const)('%j without --refresh-rotation is refused: it would do nothing', (input, field) => {
    expect(() => loadConfig(input)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG', field, message: expect.stringMatching(/--refresh-rotation/) }));
  });
});
