import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import type { OutboxMessage } from '../../src/state/records.ts';
import { decode } from '../support/crafted.ts';
import { forgot, invite, member, outboxAt, ownerToken, resend } from '../support/invitations.ts';
import { control, DEMO, mockOn, useMock } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

/**
 * The outbox (`GET /__mock/outbox`, `mock.outbox()`): what the service would have mailed, oldest first, each message
 * `{ id, kind, recipient, at, token, link }` with its link built from `--app-url`; filtered by `?recipient=&kind=` (a
 * bad kind or an unknown filter → 400 naming it); bounded by `--outbox-size`; cleared by reset; behind the admin token;
 * part of the state in every store (kept across a restart of the file store, shared on Redis).
 */

const APP = 'https://qa.example.test/app';
const mock = useMock({ appUrl: `${APP}//` }, { resetAfterEach: true });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('GET /__mock/outbox', () => {
  it('is empty on a fresh mock', async () => {
    const answer = await control(mock.url, 'GET', '/__mock/outbox');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ messages: [] });
  });

  it('lists every message oldest first, each { id, kind, recipient, at, token, link }, the link into --app-url', async () => {
    const owner = await ownerToken(mock.url);
    await invite(mock.url, { email: 'Ivy@Shop.example' }, owner);
    await mock.clock.advance(60);
    await forgot(mock.url, DEMO.email);
    const messages = (await control(mock.url, 'GET', '/__mock/outbox')).body as { messages: OutboxMessage[] };
    expect(messages.messages).toHaveLength(2);
    const [invitation, reset] = messages.messages as [OutboxMessage, OutboxMessage];
    for (const message of [invitation, reset]) {
      expect(Object.keys(message).sort()).toEqual(['at', 'id', 'kind', 'link', 'recipient', 'token']);
      expect(message.id).toMatch(/^m_/);
      expect(new Date(message.at).toISOString()).toBe(message.at);
    }
    expect(invitation).toMatchObject({ kind: 'invitation', recipient: 'ivy@shop.example', link: `${APP}/invite/${invitation.token}` });
    expect(reset).toMatchObject({ kind: 'password-reset', recipient: DEMO.email, link: `${APP}/reset-password/${reset.token}` });
    // `at` is the mock's time: the clock moved a minute between the two.
    expect(Date.parse(reset.at) - Date.parse(invitation.at)).toBeGreaterThanOrEqual(60_000);
    expect(decode(invitation.token).payload).toMatchObject({ purpose: 'invitation', sub: expect.stringMatching(UUID) });
  });

  it('filters by recipient (any case) and by kind, alone or together', async () => {
    const owner = await ownerToken(mock.url);
    const { userId } = await invite(mock.url, { email: 'ivy@shop.example' }, owner);
    await resend(mock.url, owner, userId, 'ivy@shop.example');
    await member(mock.url, 'max@shop.example', undefined, owner);
    await forgot(mock.url, 'max@shop.example');
    await forgot(mock.url, DEMO.email);
    const kinds = async (query: string) =>
      ((await control(mock.url, 'GET', `/__mock/outbox${query}`)).body as { messages: OutboxMessage[] }).messages.map((m) => `${m.kind} ${m.recipient}`);
    expect(await kinds('?recipient=IVY@shop.example')).toEqual(['invitation ivy@shop.example', 'invitation ivy@shop.example']);
    expect(await kinds('?kind=password-reset')).toEqual(['password-reset max@shop.example', `password-reset ${DEMO.email}`]);
    expect(await kinds('?recipient=max%40shop.example&kind=invitation')).toEqual(['invitation max@shop.example']);
    expect(await kinds('?recipient=nobody@shop.example')).toEqual([]);
  });

  it.each([
    ['?kind=reset', 'kind', /kind must be one of invitation, password-reset, got "reset"/],
    ['?kind=', 'kind', /kind must be one of/],
    ['?to=ivy@shop.example', 'to', /unknown filter "to"; use recipient, kind/],
  ])('%s → 400 naming %s', async (query, field, message) => {
    const answer = await control(mock.url, 'GET', `/__mock/outbox${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errorCode: 'ERR_INPUT', field });
    expect((answer.body as { message: string }).message).toMatch(message);
  });

  it('only GET', async () => {
    const answer = await control(mock.url, 'DELETE', '/__mock/outbox');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET');
  });

  it('is emptied by reset (POST /__mock/reset and mock.reset())', async () => {
    await forgot(mock.url, DEMO.email);
    expect(await outboxAt(mock.url)).toHaveLength(1);
    expect((await control(mock.url, 'POST', '/__mock/reset')).status).toBe(200);
    expect(await outboxAt(mock.url)).toEqual([]);
    await forgot(mock.url, DEMO.email);
    await mock.reset();
    expect(await mock.outbox()).toEqual([]);
  });
});

describe('mock.outbox()', () => {
  it('answers what GET /__mock/outbox answers, filtered the same way', async () => {
    const owner = await ownerToken(mock.url);
    await invite(mock.url, { email: 'ivy@shop.example' }, owner);
    await forgot(mock.url, DEMO.email);
    expect(await mock.outbox()).toEqual(await outboxAt(mock.url));
    expect(await mock.outbox({ kind: 'invitation' })).toEqual(await outboxAt(mock.url, { kind: 'invitation' }));
    expect(await mock.outbox({ recipient: DEMO.email })).toEqual(await outboxAt(mock.url, { recipient: DEMO.email }));
  });

  it('takes the recipient in any case, as the control API does', async () => {
    await forgot(mock.url, DEMO.email);
    expect(await mock.outbox({ recipient: ' Customer@Example.COM ' })).toHaveLength(1);
  });

  it('throws InputError naming kind for a kind there is none of, as the control API answers 400', async () => {
    await expect(mock.outbox({ kind: 'reset' as never })).rejects.toMatchObject({ code: 'ERR_INPUT', field: 'kind' });
  });
});

describe('bounded by --outbox-size; behind the admin token', () => {
  let small: Mock;
  let guarded: Mock;
  beforeAll(async () => {
    [small, guarded] = await Promise.all([mockOn({ outboxSize: 3 }), mockOn({ adminToken: 'outbox-admin-token' })]);
  });
  afterAll(() => Promise.all([small.close(), guarded.close()]));

  it('keeps the newest --outbox-size messages, oldest first', async () => {
    const emails = [1, 2, 3, 4, 5].map((i) => `user-${i}@shop.example`);
    for (const email of emails) {
      await small.users.add({ email, password: 'Bounded-Password-1' });
      await forgot(small.url, email);
    }
    expect((await small.outbox()).map((message) => message.recipient)).toEqual(emails.slice(2));
  });

  it('without the admin token → 401 (the messages hold working tokens); with it → 200', async () => {
    await forgot(guarded.url, DEMO.email);
    const refused = await control(guarded.url, 'GET', '/__mock/outbox');
    expect(refused.status).toBe(401);
    expect(refused.text).not.toMatch(/eyJ/);
    const answer = await control(guarded.url, 'GET', '/__mock/outbox', undefined, { 'x-mock-admin-token': 'outbox-admin-token' });
    expect(answer.status).toBe(200);
    expect((answer.body as { messages: unknown[] }).messages).toHaveLength(1);
  });
});

describe.each(['file', 'Redis'] as const)('the outbox in the %s store', (kind) => {
  let redis: RedisServer | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wam-outbox-'));
    if (kind === 'Redis') redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts (or restarts) a mock on this store's one state, keeping the newest 3 messages. */
  const start = () =>
    mockOn({
      outboxSize: 3,
      ...(kind === 'file' ? { stateFile: join(dir, 'state.log') } : { redis: redis?.url, redisPrefix: `outbox-${process.pid}` }),
    });

  it('is bounded, outlives a restart, and a reset empties it for good', async () => {
    let mock = await start();
    try {
      const emails = [1, 2, 3, 4, 5].map((i) => `stored-${i}@shop.example`);
      for (const email of emails) {
        await mock.users.add({ email, password: 'Stored-Password-1' });
        await forgot(mock.url, email);
      }
      const kept = await mock.outbox();
      expect(kept.map((message) => message.recipient)).toEqual(emails.slice(2));
      await mock.close();
      mock = await start();
      expect(await mock.outbox()).toEqual(kept);
      await mock.reset();
      expect(await mock.outbox()).toEqual([]);
      await mock.close();
      mock = await start();
      expect(await mock.outbox()).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});
