import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { RECENT_KEPT } from '../../src/state/refresh-records.ts';
import { stormWarning } from '../../src/tokens/refresh-policy.ts';
import { decode } from '../support/crafted.ts';
import { DEMO, logout, mockOn, refresh, signedIn, signIn, violations } from '../support/mock.ts';

/**
 * The storm detector over real HTTP (docs/operations.md, "Refresh storms"): one sign-in refreshed more than the rule
 * allows within its window is reported in the journal and the request log; the answers never change.
 */

let now = Date.parse('2031-05-01T09:00:00.000Z');
const clock = () => now;
const lines: string[] = [];
let mock: Mock;

beforeAll(async () => {
  mock = await mockOn({ clock, log: 'pretty', logTo: (text) => lines.push(...text.split('\n').filter(Boolean)) });
});
afterEach(async () => {
  await mock.reset();
  lines.length = 0;
});
afterAll(() => mock.close());

/** A new sign-in of the demo customer: its refresh token and sign-in id. */
async function session(target: Mock = mock): Promise<{ refreshToken: string; sid: string }> {
  const { refreshToken, idToken } = signedIn(await signIn(target, { json: DEMO }));
  return { refreshToken, sid: decode(idToken).payload.origin_jti as string };
}

/** The request log's lines so far (it writes after the answers of a turn, at most every 10 ms). */
async function logged(): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return [...lines];
}

describe('one sign-in refreshed twice within 10 s (the default rule)', () => {
  it('answers both as always, and warns on the second: the journal entry, and a WARNING line in the request log', async () => {
    const { refreshToken, sid } = await session();
    const first = await refresh(mock, { token: refreshToken });
    now += 1500;
    const second = await refresh(mock, { token: refreshToken });
    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      expect(await violations(answer, 'refresh')).toEqual([]);
      expect(Object.keys((answer.body as { data: object }).data).sort()).toEqual(['access_token', 'id_token']);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
    const warning = `refresh storm: sign-in ${sid} refreshed 2 times in 1.5 s, 1.5 s after the one before (a storm: 2 within 10 s)`;
    const entries = await mock.requests({ operation: 'refresh' });
    expect(entries.map((e) => e.warning)).toEqual([undefined, warning]);
    expect(await mock.requests({ warned: true })).toEqual([entries[1]]);
    const log = await logged();
    const at = log.findIndex((line) => line.includes(`refreshed sign-in ${sid}`) && log[log.indexOf(line) + 1]?.includes('WARNING'));
    expect(log[at + 1]).toBe(`09:00:01.500 WARNING ${warning}`);
    expect(log.filter((line) => line.includes('WARNING'))).toHaveLength(1);
  });

  it('keeps warning while the refreshes keep coming within the window of the last, as one storm; a quiet window ends it', async () => {
    const { refreshToken, sid } = await session();
    for (const step of [0, 4000, 4000, 4000, 11_000, 100]) {
      now += step;
      expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
    }
    const warnings = (await mock.requests({ operation: 'refresh' })).map((e) => e.warning?.replace(/ in .*/, ''));
    const stormy = `refresh storm: sign-in ${sid} refreshed`;
    expect(warnings).toEqual([undefined, `${stormy} 2 times`, `${stormy} 3 times`, `${stormy} 3 times`, undefined, `${stormy} 2 times`]);
    expect(await mock.refreshes({ sid })).toEqual([expect.objectContaining({ sid, refreshes: 6, storms: 2 })]);
  });

  it('does not count one sign-in against another, nor a refresh of a logged-out sign-in', async () => {
    const [mine, theirs] = [await session(), await session()];
    await refresh(mock, { token: mine.refreshToken });
    await refresh(mock, { token: theirs.refreshToken });
    const out = signedIn(await signIn(mock, { json: DEMO }));
    expect((await logout(mock, { token: out.idToken })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await refresh(mock, { token: out.refreshToken })).status).toBe(401);
    expect(await mock.requests({ warned: true })).toEqual([]);
    expect((await mock.refreshes()).map((r) => r.refreshes)).toEqual([1, 1]);
  });

  it('a refresh delayed by a fault widens the race: both are decided on arrival, and the second storms', async () => {
    const { refreshToken, sid } = await session();
    await mock.faults.arm({ delayMs: 300, times: 2, match: { operation: 'refresh' } });
    const answers = await Promise.all([refresh(mock, { token: refreshToken }), refresh(mock, { token: refreshToken })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const warned = await mock.requests({ warned: true });
    expect(warned).toHaveLength(1);
    expect(warned[0]?.warning).toMatch(new RegExp(`^refresh storm: sign-in ${sid} refreshed 2 times in 0 ms`));
  });
});

describe('the rule is the mock’s to set', () => {
  const others: Mock[] = [];
  afterAll(() => Promise.all(others.map((m) => m.close())));

  it('--refresh-storm 3/1s: a third refresh within a second storms, two do not', async () => {
    const strict = await mockOn({ clock, refreshStorm: '3/1s' });
    others.push(strict);
    const { refreshToken } = await session(strict);
    for (let i = 0; i < 3; i++) await refresh(strict, { token: refreshToken });
    expect((await strict.requests({ operation: 'refresh' })).map((e) => e.warning !== undefined)).toEqual([false, false, true]);
  });

  it('--refresh-storm off: no warning ever, the refreshes still counted', async () => {
    const quiet = await mockOn({ clock, refreshStorm: 'off', log: 'json', logTo: (text) => lines.push(text) });
    others.push(quiet);
    const { refreshToken, sid } = await session(quiet);
    for (let i = 0; i < 4; i++) await refresh(quiet, { token: refreshToken });
    expect(await quiet.requests({ warned: true })).toEqual([]);
    expect(await quiet.refreshes({ sid })).toEqual([{ sid, refreshes: 4, storms: 0 }]);
    await quiet.close();
    expect(lines.join('')).not.toContain('warning');
  });

  it('the json request log carries the warning in the entry itself', async () => {
    const json = await mockOn({ clock, log: 'json', logTo: (text) => lines.push(text) });
    others.push(json);
    const { refreshToken, sid } = await session(json);
    await refresh(json, { token: refreshToken });
    await refresh(json, { token: refreshToken });
    await json.close();
    const entries = lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { warning?: string });
    expect(entries.filter((e) => e.warning !== undefined).map((e) => e.warning)).toEqual([expect.stringContaining(`refresh storm: sign-in ${sid}`)]);
  });
});

describe('the storm warning a tester reads', () => {
  const rule = { count: 2, windowMs: 10_000 };
  it('counts up to the refreshes it keeps, then says "50+"', () => {
    const tally = (inWindow: number) => ({ refreshes: inWindow, storms: 1, inWindow, spanMs: 4_000, sinceLastMs: 80, stormy: true });
    expect(stormWarning('s-1', tally(RECENT_KEPT - 1), rule)).toBe(
      `refresh storm: sign-in s-1 refreshed ${RECENT_KEPT - 1} times in 4 s, 80 ms after the one before (a storm: 2 within 10 s)`,
    );
    expect(stormWarning('s-1', tally(RECENT_KEPT), rule)).toBe(
      `refresh storm: sign-in s-1 refreshed ${RECENT_KEPT}+ times in 4 s, 80 ms after the one before (a storm: 2 within 10 s)`,
    );
  });

  it('writes durations as people read them: ms under a second, seconds to two decimals under 10 s, to one after', () => {
    const span = (spanMs: number, sinceLastMs: number) =>
      stormWarning('s-1', { refreshes: 3, storms: 1, inWindow: 3, spanMs, sinceLastMs, stormy: true }, { count: 2, windowMs: 12_340 });
    expect(span(1_250, 850)).toBe('refresh storm: sign-in s-1 refreshed 3 times in 1.25 s, 850 ms after the one before (a storm: 2 within 12.3 s)');
    // 1001 ms once read "1. s" (trailing zeros cut up to the point).
    expect(span(1_001, 10_500)).toBe('refresh storm: sign-in s-1 refreshed 3 times in 1 s, 10.5 s after the one before (a storm: 2 within 12.3 s)');
    expect(span(9_999, 100_000)).toBe('refresh storm: sign-in s-1 refreshed 3 times in 10 s, 100 s after the one before (a storm: 2 within 12.3 s)');
  });
});
