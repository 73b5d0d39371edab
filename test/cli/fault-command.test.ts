import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printArmed } from '../../src/cli/fault-commands.ts';
import { faultWarnings } from '../../src/cli/format.ts';
import type { Fault } from '../../src/faults/fault.ts';
import type { Io } from '../../src/io.ts';
import { AUTH_OPERATION_NAMES } from '../../src/operations/index.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { runCli as cli, type CliRun as Run, startCli } from '../support/cli.ts';
import { logout, mockOn, useMock } from '../support/mock.ts';

const mock = useMock({}, { resetAfterEach: true });

/** `worth-auth-mock fault …` in-process, against the test's mock. */
const fault = (...args: string[]) => cli(['fault', ...args, '--url', mock.url]);

/** The id `fault arm` printed. */
function armedId(run: Run): string {
  const id = /^armed (f_[0-9a-f]+): /.exec(run.stdout)?.[1];
  expect(id, run.stdout + run.stderr).toBeDefined();
  return id as string;
}

describe('fault arm', () => {
  it('500 --times 3: the next three logouts answer 500, then normal behaviour resumes', async () => {
    const run = await fault('arm', '500', '--times', '3');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/on logout: status 500, 3 left/);
    const id = armedId(run);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await logout(mock));
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 401]);
    expect(answers.map((a) => a.headers.get('x-mock-fault'))).toEqual([id, id, id, null]);
  });

  it('403 --sub cust-42: only that customer gets 403', async () => {
    const id = armedId(await fault('arm', '403', '--sub', 'cust-42'));
    expect((await logout(mock, { token: (await mock.issueToken({ sub: 'cust-7' })).token })).status).toBe(200);
    const refused = await logout(mock, { token: (await mock.issueToken({ sub: 'cust-42' })).token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-mock-fault')).toBe(id);
  });

  it('--session and --sid scope the same way; --forever lasts until cleared', async () => {
    const { claims } = await mock.issueToken({ sub: 'cust-1' });
    const run = await fault('arm', '500', '--session', 'run-a', '--sid', claims.origin_jti, '--forever', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 500, remaining: null, match: { session: 'run-a', sid: claims.origin_jti } });
  });

  it("--customer <id>: only that customer's users get the fault (a token minted with `token --customer-id`)", async () => {
    const other = '11111111-1111-4111-8111-111111111111';
    const id = armedId(await fault('arm', '500', '--customer', other, '--forever', '--operation', 'logout'));
    const minted = await cli(['token', '--customer-id', other, '--id-token', '--url', mock.url]);
    expect(minted.code, minted.stderr).toBe(0);
    const theirs = await logout(mock, { token: minted.stdout.trim() });
    expect([theirs.status, theirs.headers.get('x-mock-fault')]).toEqual([500, id]);
    expect((await logout(mock, { token: (await mock.issueToken()).idToken })).status).toBe(200);
  });

  it('--network reset: the connection is reset', async () => {
    const run = await fault('arm', '--network', 'reset');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/network reset, 1 left/);
    const error = await fetch(mock.urls.logout, { method: 'POST' }).catch((e: unknown) => e);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
  });

  it('--delay 2000 without a status: the normal answer, at least 2 s late', async () => {
    const run = await fault('arm', '--delay', '2000');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/delay only, 1 left, delay 2s/);
    const started = performance.now();
    const answer = await logout(mock);
    expect(answer.status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1990);
  });

  it('--delay with a status delays that status', async () => {
    expect((await fault('arm', '500', '--delay', '300')).code).toBe(0);
    const started = performance.now();
    expect((await logout(mock)).status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('--skip, --probability, --seed and --ttl reach the fault', async () => {
    const run = await fault('arm', '401', '--skip', '2', '--probability', '0.5', '--seed', '9', '--ttl', '60000', '--json');
    expect(run.code).toBe(0);
    const armed = JSON.parse(run.stdout) as Fault;
    expect(armed).toMatchObject({ status: 401, skip: 2, probability: 0.5, seed: 9 });
    expect(armed.expiresAt).toBe(armed.createdAt + 60_000);
  });

  it.each([
    [['--ttl', '90s'], { ttlMs: 90_000 }, /ttl 90s/],
    [['--ttl', '2m'], { ttlMs: 120_000 }, /ttl 2m/],
    [['--ttl', '1h'], { ttlMs: 3_600_000 }, /ttl 1h/],
    [['--ttl', '60000'], { ttlMs: 60_000 }, /ttl 1m/], // a bare number keeps --ttl's old unit: milliseconds
    [['--delay', '500ms'], { delayMs: 500 }, /delay 500ms/],
    [['--delay', '1.5s'], { delayMs: 1500 }, /delay 1500ms/],
    [['--delay', '2000'], { delayMs: 2000 }, /delay 2s/], // milliseconds, as before
  ])('%j takes units (a bare number is milliseconds) and prints them: %j', async (flags, expected, printed) => {
    const run = await fault('arm', '500', ...flags);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(printed);
    const [armed] = await mock.faults.list();
    if ('ttlMs' in expected) expect(armed!.expiresAt! - armed!.createdAt).toBe(expected.ttlMs);
    if ('delayMs' in expected) expect(armed!.delayMs).toBe(expected.delayMs);
  });

  it('--operation sign-in: the next sign-in answers 500, logout is untouched', async () => {
    const run = await fault('arm', '500', '--operation', 'sign-in');
    expect(run.stdout).toMatch(/on sign-in: status 500, 1 left/);
    const signIn = () =>
      fetch(mock.urls['sign-in'] as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
      }).then((r) => r.status);
    expect((await logout(mock)).status).toBe(401);
    expect(await signIn()).toBe(500);
    expect(await signIn()).toBe(200);
  });

  it('--operation refresh with --network reset, and --operation "*", reach the fault', async () => {
    expect((await fault('arm', '--network', 'reset', '--operation', 'refresh')).stdout).toMatch(/on refresh: network reset/);
    expect((await fault('arm', '500', '--operation', '*')).stdout).toMatch(/on every operation: status 500/);
    expect((await mock.faults.list()).map((f) => f.match.operation)).toEqual(['refresh', '*']);
  });

  it('a status the operation does not document is refused naming its own statuses', async () => {
    const run = await fault('arm', '418', '--operation', 'sign-in');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not documented for sign-in; allowed: 200, 400/);
  });
});

describe('fault arm: warnings', () => {
  const armed: Fault = {
    id: 'f_0123456789ab',
    status: 500,
    network: null,
    delayMs: 0,
    remaining: 1,
    skip: 0,
    probability: 1,
    seed: 1,
    match: { sid: 'no-such-sign-in' },
    createdAt: 0,
    expiresAt: null,
    evaluations: 0,
    hits: 0,
  };
  const capture = () => {
    const out = { stdout: '', stderr: '' };
    const io: Io = { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), color: false, signal: new AbortController().signal };
    return { io, out };
  };

  it.each([false, true])('each warning the mock answers goes to stderr, the fault to stdout (--json %s)', (json) => {
    const { io, out } = capture();
    printArmed(io, { ...armed, warnings: ['match.sid no-such-sign-in matches no sign-in the mock issued', 'second'] } as Fault, json);
    expect(out.stderr).toBe('warning: match.sid no-such-sign-in matches no sign-in the mock issued\nwarning: second\n');
    expect(out.stdout).toMatch(json ? /"id": "f_0123456789ab"/ : /^armed f_0123456789ab: on logout: status 500/);
  });

  it('no warnings, or a malformed field: nothing on stderr', () => {
    for (const extra of [{}, { warnings: [] }, { warnings: 'not a list' }]) {
      const { io, out } = capture();
      printArmed(io, { ...armed, ...extra } as Fault, false);
      expect(out.stderr).toBe('');
    }
  });

  // The control API puts `warnings` on an armed fault (issue 15 §7, another branch): until it does, this is skipped.
  it('against the mock: a --sid that matches no sign-in is armed (exit 0), its warning on stderr', async (context) => {
    const probe = await mock.faults.arm({ status: 500, match: { sid: 'no-such-sign-in' } });
    await mock.faults.clear();
    if (faultWarnings(probe).length === 0) context.skip('this mock answers no warnings yet');
    const run = await fault('arm', '500', '--sid', 'no-such-sign-in');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^armed f_/);
    expect(run.stderr).toMatch(/^warning: .*no-such-sign-in/);
  });
});

describe('fault list', () => {
  it('shows each armed fault and what it has left, numbered in firing order: the newest first', async () => {
    const a = armedId(await fault('arm', '500', '--times', '3'));
    const b = armedId(await fault('arm', '403', '--sub', 'cust-42', '--forever'));
    await logout(mock);
    const run = await fault('list');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('2 armed, in firing order (newest first: where several match a request, the first listed fires):');
    expect(lines[1]).toMatch(new RegExp(`^ 1\\. ${b} .*status 403, until cleared.*only sub=cust-42`));
    expect(lines[2]).toMatch(new RegExp(`^ 2\\. ${a} .*status 500, 2 left.*fired 1×`));
  });

  it('the first listed is the one that fires', async () => {
    const older = armedId(await fault('arm', '500', '--forever'));
    const newer = armedId(await fault('arm', '403', '--forever'));
    const listed = (await fault('list')).stdout;
    expect(listed.indexOf(newer)).toBeLessThan(listed.indexOf(older));
    const answer = await logout(mock, { token: (await mock.issueToken()).token });
    expect([answer.status, answer.headers.get('x-mock-fault')]).toEqual([403, newer]);
  });

  it('--json lists remaining and expiresAt', async () => {
    await fault('arm', '500', '--times', '2', '--ttl', '60000');
    const listed = JSON.parse((await fault('list', '--json')).stdout) as Fault[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ status: 500, remaining: 2 });
    expect(listed[0]?.expiresAt).toBeGreaterThan(Date.now());
  });

  it('says so when nothing is armed', async () => {
    expect(await fault('list')).toEqual({ code: 0, stdout: 'no faults armed\n', stderr: '' });
  });
});

describe('fault clear', () => {
  it('clear <id> disarms that one only', async () => {
    const a = armedId(await fault('arm', '500', '--forever'));
    const b = armedId(await fault('arm', '403', '--forever', '--sub', 'cust-42'));
    expect(await fault('clear', a)).toEqual({ code: 0, stdout: 'cleared 1 fault\n', stderr: '' });
    expect((await mock.faults.list()).map((f) => f.id)).toEqual([b]);
    expect((await logout(mock)).status).toBe(401);
  });

  it('clear disarms all', async () => {
    await fault('arm', '500', '--forever');
    await fault('arm', '--network', 'hang', '--forever');
    expect(await fault('clear')).toEqual({ code: 0, stdout: 'cleared 2 faults\n', stderr: '' });
    expect(await mock.faults.list()).toEqual([]);
  });

  it('clear of an unknown id fails (exit 1) and names it', async () => {
    const run = await fault('clear', 'f_000000000000');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('f_000000000000');
  });
});

describe('bad input', () => {
  it('fault arm 418 → exit 2 naming the allowed statuses', async () => {
    const run = await fault('arm', '418');
    expect(run.code).toBe(2);
    for (const status of mock.contract.operations.get('logout')!.statuses) expect(run.stderr).toContain(String(status));
    expect(await mock.faults.list()).toEqual([]);
  });

  it.each([
    [['arm', '500', '--probability', '2'], '--probability'],
    [['arm', '500', '--probability', 'often'], '--probability'],
    [['arm', '500', '--times', '0'], '--times'],
    [['arm', '500', '--times', 'three'], '--times'],
    [['arm', '500', '--delay', '-5'], '--delay'],
    [['arm', '500', '--ttl', '0'], '--ttl'],
    [['arm', '500', '--ttl', '5 parsecs'], '--ttl'],
    [['arm', '500', '--ttl', '-1h'], '--ttl'],
    [['arm', '500', '--delay', '11m'], '--delay'],
    [['arm', '500', '--delay', 'soon'], '--delay'],
    [['arm', '--network', 'slow'], '--network'],
    [['arm', 'five-hundred'], 'status'],
    [['arm', '500', '--times', '3', '--forever'], '--forever'],
  ])('fault %j → exit 2 naming %s', async (args, named) => {
    const run = await fault(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
    expect(await mock.faults.list()).toEqual([]);
  });

  it('fault arm --operation takes what the running mock serves: an unknown name → exit 2, the mock naming the operations it has', async () => {
    const run = await fault('arm', '500', '--operation', 'signin');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`match.operation must be one of ${AUTH_OPERATION_NAMES.join(', ')}, *, got "signin"`);
    expect(await mock.faults.list()).toEqual([]);
  });

  it.each([[['arm']], [['arm', '500', '--network', 'reset']], [['arm', '500', '--delay', '999999999']]])(
    'fault %j is refused by the mock → exit 2',
    async (args) => {
      const run = await fault(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: /);
    },
  );

  it('no mock at --url → exit 1 saying how to start one', async () => {
    const closed = await mockOn();
    const url = closed.url;
    await closed.close();
    const run = await cli(['fault', 'list', '--url', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('worth-auth-mock start');
  });
});

describe('start --faults FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'worth-cli-faults-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('preloads the scenario: the mock starts with the faults armed', async () => {
    const file = join(dir, 'scenario.json');
    await writeFile(
      file,
      JSON.stringify({
        faults: [
          { status: 500, times: 2 },
          { network: 'hang', match: { session: 'slow' } },
        ],
      }),
    );
    const started = await startCli(['--port', '0', '--log', 'off', '--faults', file]);
    try {
      const listed = await cli(['fault', 'list', '--json', '--url', started.url]);
      expect((JSON.parse(listed.stdout) as Fault[]).map((f) => [f.status, f.network, f.remaining])).toEqual([
        [500, null, 2],
        [null, 'hang', 1],
      ]);
    } finally {
      expect((await started.stop()).code).toBe(0);
    }
  });

  it('a bad file → exit 2 naming the entry and the field', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify([{ status: 500 }, { status: 500, times: 0 }]));
    const run = await cli(['start', '--port', '0', '--log', 'off', '--faults', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('entry 1');
    expect(run.stderr).toContain('field times');
  });
});
