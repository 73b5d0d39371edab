// Faults that can never fire (issue 15, case 6): arming warns when the scope names a sign-in or a customer the mock
// does not know, and arms all the same; where faults overlap, the last armed fires first.
import { describe, expect, it } from 'vitest';
import type { ArmedFault } from '../../src/faults/scope-warnings.ts';
import { control, logout, useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

async function armOverHttp(fault: unknown): Promise<ArmedFault> {
  const answer = await control(mock.url, 'POST', '/__mock/faults', fault);
  expect(answer.status).toBe(201);
  return answer.body as ArmedFault;
}

describe('arming answers warnings when the scope matches no known sign-in or customer', () => {
  it('the field case: --sid pasted shortened ("9f87…") is armed, with a warning saying it matches no sign-in and looks shortened', async () => {
    const { claims } = await mock.issueToken();
    const shortened = `${claims.origin_jti.slice(0, 4)}…`;
    const armed = await armOverHttp({ status: 401, match: { sid: shortened } });
    expect(armed).toMatchObject({ id: expect.stringMatching(/^f_/), status: 401, match: { sid: shortened } });
    expect(armed.warnings).toHaveLength(1);
    expect(armed.warnings?.[0]).toMatch(/^match\.sid "[0-9a-f]{4}…" is no sign-in this mock knows/);
    expect(armed.warnings?.[0]).toContain('shortened');
    // Armed all the same (a warning, never a refusal), and listed without the warning.
    const listed = (await control(mock.url, 'GET', '/__mock/faults')).body as { faults: Record<string, unknown>[] };
    expect(listed.faults.map((f) => f.id)).toEqual([armed.id]);
    expect(listed.faults[0]).not.toHaveProperty('warnings');
  });

  it.each([
    ['a global fault', () => ({ status: 500 })],
    ['the whole sid of an issued sign-in', async () => ({ status: 401, match: { sid: (await mock.issueToken()).claims.origin_jti } })],
    ['the sub of an issued token', async () => ({ status: 403, match: { sub: (await mock.issueToken({ sub: 'cust-known' })).claims.sub } })],
    [
      'the sub of a user who has not signed in yet',
      async () => ({ status: 403, match: { sub: (await mock.users.add({ email: 'new@example.test', password: 'pw-123456' })).sub } }),
    ],
    ['a session (not checked: sessions are named by clients)', () => ({ status: 500, match: { session: 'run-z' } })],
  ])('no warnings for %s', async (_name, fault) => {
    const armed = await armOverHttp(await fault());
    expect(armed).not.toHaveProperty('warnings');
  });

  it('an unknown sub and an unknown sid: two warnings; mock.faults.arm() resolves the same', async () => {
    const input = { status: 500, match: { sid: '00000000-0000-4000-8000-000000000000', sub: 'cust-nobody' } } as const;
    const overHttp = await armOverHttp(input);
    const inProcess = await mock.faults.arm(input);
    for (const armed of [overHttp, inProcess]) {
      expect(armed.warnings).toEqual([
        'match.sid "00000000-0000-4000-8000-000000000000" is no sign-in this mock knows: the fault fires only for a sign-in ' +
          'with exactly that id. Copy the whole sid (the tokens\' origin_jti) from "worth-auth-mock sessions" or GET /__mock/sessions.',
        'match.sub "cust-nobody" is no customer this mock knows (no user and no issued token has that sub): ' +
          'the fault fires only once a token with exactly that sub is presented.',
      ]);
      expect(armed.warnings?.[0]).not.toContain('shortened');
    }
  });

  it('a fault for a customer yet to come fires once that customer shows up (warn, never refuse)', async () => {
    const armed = await mock.faults.arm({ status: 403, match: { sub: 'cust-later' } });
    expect(armed.warnings).toHaveLength(1);
    const { token } = await mock.issueToken({ sub: 'cust-later' });
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-mock-fault')).toBe(armed.id);
  });
});

describe('overlapping faults: the last armed fires first', () => {
  it('two global faults: the newer answers until cleared, then the older', async () => {
    const older = await mock.faults.arm({ status: 500, times: null });
    const newer = await mock.faults.arm({ status: 401, times: null });
    expect((await logout(mock)).headers.get('x-mock-fault')).toBe(newer.id);
    expect((await logout(mock)).headers.get('x-mock-fault')).toBe(newer.id);
    await mock.faults.clear(newer.id);
    expect((await logout(mock)).headers.get('x-mock-fault')).toBe(older.id);
  });

  it('a spent newer fault hands over to the older one', async () => {
    const older = await mock.faults.arm({ status: 500, times: null });
    const newer = await mock.faults.arm({ status: 401, times: 1 });
    expect((await logout(mock)).headers.get('x-mock-fault')).toBe(newer.id);
    expect((await logout(mock)).headers.get('x-mock-fault')).toBe(older.id);
  });
});
