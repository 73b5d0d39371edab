import { describe, expect, it } from 'vitest';
import type { SessionsView } from '../../src/control/sign-in-history.ts';
import { runCli } from '../support/cli.ts';
import { decode } from '../support/crafted.ts';
import { DEMO, refresh, signedIn, signIn, useMock } from '../support/mock.ts';

/** The CLI shows refresh storms: `sessions` counts them per sign-in, `requests --storms` lists the refreshes and who stormed. */

const mock = useMock({}, { resetAfterEach: true });
const cli = (...args: string[]) => runCli([...args, '--url', mock.url]);

/** A sign-in of the demo customer refreshed `times` times in a row (two or more: a storm by the default rule). */
async function refreshedSignIn(times: number): Promise<string> {
  const { refreshToken, idToken } = signedIn(await signIn(mock, { json: DEMO }));
  for (let i = 0; i < times; i++) expect((await refresh(mock, { token: refreshToken })).status).toBe(200);
  return decode(idToken).payload.origin_jti as string;
}

describe('sessions', () => {
  it('shows how often each sign-in was refreshed, and its storms; --json carries the counts and the latest storm', async () => {
    const calm = await refreshedSignIn(1);
    const stormy = await refreshedSignIn(3);
    const lines = (await cli('sessions')).stdout.trimEnd().split('\n');
    expect(lines.find((line) => line.startsWith(calm))).toMatch(/ 1 +(id|access):/);
    expect(lines.find((line) => line.startsWith(stormy))).toMatch(/ 3 \(1 storm\) +(id|access):/);
    const json = (JSON.parse((await cli('sessions', '--json')).stdout) as SessionsView).signIns;
    expect(json.find((s) => s.sid === stormy)).toMatchObject({ refreshes: 3, storms: 1, lastStorm: { refreshes: 3 } });
    expect(json.find((s) => s.sid === calm)).toMatchObject({ refreshes: 1, storms: 0 });
  });
});

describe('requests --storms', () => {
  it('lists only the refreshes that were part of a storm, each with its warning, then each sign-in that stormed', async () => {
    await refreshedSignIn(1);
    const stormy = await refreshedSignIn(3);
    const run = await cli('requests', '--storms');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(` refresh +200 +POST /auth/api/v1/refresh-token/customer +refreshed sign-in ${stormy} `));
    expect(lines[1]).toMatch(new RegExp(`^ {2}WARNING refresh storm: sign-in ${stormy} refreshed 2 times in \\d+ ms`));
    expect(lines[3]).toMatch(new RegExp(`^ {2}WARNING refresh storm: sign-in ${stormy} refreshed 3 times`));
    expect(lines[4]).toMatch(new RegExp(`^sign-in ${stormy} \\(sub \\S+\\) stormed 1 time: 3 refreshes all told; the latest 3 refreshes from \\S+Z to \\S+Z$`));
    const json = (await cli('requests', '--storms', '--json')).stdout.trim().split('\n');
    expect(json.map((line) => (JSON.parse(line) as { warning?: string }).warning)).toEqual([expect.any(String), expect.any(String)]);
  });

  it('says so when no refresh was part of a storm', async () => {
    await refreshedSignIn(1);
    expect(await cli('requests', '--storms')).toEqual({ code: 0, stdout: 'no refresh was part of a storm\n', stderr: '' });
  });
});
