import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import type { OutboxMessage } from '../../src/state/records.ts';
import { BIN } from '../support/bin.ts';
import { runCli } from '../support/cli.ts';
import { forgot, invite, ownerToken } from '../support/invitations.ts';
import { DEMO, mockOn, useMock } from '../support/mock.ts';

/**
 * `worth-auth-mock outbox [--recipient] [--kind] [--json]` against a real mock: one row per message, oldest first,
 * with its link; `--json` the mock's list, tokens included; filters passed on; a bad `--kind` refused before any
 * request; the admin token when the mock has one.
 */

const APP = 'http://app.localhost:5173';
const mock = useMock({ appUrl: APP }, { resetAfterEach: true });

/** `worth-auth-mock outbox …` in-process, against the test's mock. */
const outbox = (...args: string[]) => runCli(['outbox', ...args, '--url', mock.url]);

/** An invitation to ivy, then a password-reset link to the demo user. */
async function twoMessages(): Promise<[OutboxMessage, OutboxMessage]> {
  await invite(mock.url, { email: 'ivy@shop.example' }, await ownerToken(mock.url));
  await forgot(mock.url, DEMO.email);
  return (await mock.outbox()) as [OutboxMessage, OutboxMessage];
}

describe('outbox', () => {
  it('says so when the outbox is empty', async () => {
    const run = await outbox();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('the outbox is empty: invitations and password-reset links land here\n');
  });

  it('prints one row per message, oldest first: when, kind, recipient and the link (its token in it)', async () => {
    const [invitation, reset] = await twoMessages();
    const run = await outbox();
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT +KIND +RECIPIENT +LINK$/);
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${invitation.at} +invitation +ivy@shop\\.example +${APP}/invite/${invitation.token}$`));
    expect(lines[2]).toMatch(new RegExp(`^${reset.at} +password-reset +${DEMO.email} +${APP}/reset-password/${reset.token}$`));
  });

  it('--json prints the mock’s list as it is, tokens included', async () => {
    const messages = await twoMessages();
    const run = await outbox('--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(messages);
  });

  it('--recipient (any case) and --kind filter, alone or together', async () => {
    await twoMessages();
    const recipients = async (...args: string[]) =>
      (JSON.parse((await outbox(...args, '--json')).stdout) as OutboxMessage[]).map((m) => `${m.kind} ${m.recipient}`);
    expect(await recipients('--recipient', 'IVY@Shop.example')).toEqual(['invitation ivy@shop.example']);
    expect(await recipients('--kind', 'password-reset')).toEqual([`password-reset ${DEMO.email}`]);
    expect(await recipients('--kind', 'invitation', '--recipient', DEMO.email)).toEqual([]);
    const none = await outbox('--recipient', 'nobody@shop.example');
    expect(none.stdout).toMatch(/the outbox is empty/);
  });

  it('a --kind there is none of is refused before any request, naming the choices (exit 2)', async () => {
    const run = await outbox('--kind', 'reset');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invitation, password-reset/);
    expect(run.stdout).toBe('');
  });

  it('a mock that is not there: exit 1, naming the URL', async () => {
    const run = await runCli(['outbox', '--url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/127\.0\.0\.1:9/);
  });

  it('the real bin, spawned, with WORTH_MOCK_URL: the same list', async () => {
    const messages = await twoMessages();
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'outbox', '--json', '--kind', 'invitation'], {
      env: { ...process.env, WORTH_MOCK_URL: mock.url, NO_COLOR: '1' },
    });
    expect(JSON.parse(stdout)).toEqual([messages[0]]);
  });
});

describe('outbox against a mock with an admin token', () => {
  let guarded: Mock;
  beforeAll(async () => {
    guarded = await mockOn({ adminToken: 'cli-outbox-admin' });
    await forgot(guarded.url, DEMO.email);
  });
  afterAll(() => guarded.close());

  it('without it: refused, no token printed; with --admin-token: the list', async () => {
    const refused = await runCli(['outbox', '--url', guarded.url]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).not.toMatch(/eyJ/);
    const run = await runCli(['outbox', '--url', guarded.url, '--admin-token', 'cli-outbox-admin', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });
});
