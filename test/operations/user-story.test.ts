// QA's walk-through, "invite a user, accept as them, deactivate them, watch their tab get 401", with curl-like
// fetches, in every store: memory; the file store with the real bin killed (SIGKILL) and restarted on the same state
// file in the middle; Redis with two replicas behind one load balancer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { type BinProcess, spawnBin } from '../support/bin.ts';
import {
  accept,
  call,
  DEMO_CUSTOMER_ID,
  invite,
  logoutAt,
  newestMessage,
  outboxAt,
  ownerToken,
  refreshAt,
  STRONG,
  setStatus,
  signInAt,
} from '../support/invitations.ts';
import { type Answer, mockOn, signedIn } from '../support/mock.ts';
import { type RedisServer, startRedis } from '../support/redis.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wam-user-story-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the invitee's tab does on every screen: list its customer's users with its id token (a cro may read them). */
function tabCall(root: string, idToken: string): Promise<Answer> {
  return call(root, `/customers/${DEMO_CUSTOMER_ID}/users`, { method: 'GET', token: idToken });
}

/**
 * The walk-through on `at(step)`, the mock each step talks to (one mock, or a replica per step), with `between(step)`
 * run after each step (a restart): the owner invites, the invitee accepts from the outbox and works in its tab, the
 * owner deactivates it, and its tab gets 401 at once (its refresh too; its sign-in answers as a wrong password).
 */
async function walkThrough(at: (step: Step) => string, between: (step: Step) => Promise<void> = async () => {}): Promise<void> {
  const email = 'qa-invitee@shop.example';
  const owner = await ownerToken(at('invite'));
  const { userId } = await invite(at('invite'), { email, first_name: 'Quinn', last_name: 'Assurance' }, owner);
  await between('invite');

  const invitation = await newestMessage(at('accept'), email, 'invitation');
  expect(invitation.link).toMatch(/\/invite\/eyJ/);
  const accepted = await accept(at('accept'), invitation.token, { json: { password: STRONG } });
  expect(accepted.status).toBe(200);
  const tab = signedIn(accepted);
  const working = await tabCall(at('accept'), tab.idToken);
  expect(working.status).toBe(200);
  expect(JSON.stringify(working.body)).toContain(email);
  await between('accept');

  // The acknowledged state is there: the tab still works, the invitation is spent.
  expect((await tabCall(at('deactivate'), tab.idToken)).status).toBe(200);
  expect((await accept(at('deactivate'), invitation.token)).status).toBe(400);
  const deactivated = await setStatus(at('deactivate'), await ownerToken(at('deactivate')), userId, 'INACTIVE');
  expect(deactivated.status).toBe(200);

  const refused = await tabCall(at('watch'), tab.idToken);
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token/);
  expect((await refreshAt(at('watch'), tab.refreshToken)).status).toBe(401);
  expect((await logoutAt(at('watch'), tab.accessToken)).status).toBe(401);
  expect((await signInAt(at('watch'), email, STRONG)).status).toBe(400);
}

type Step = 'invite' | 'accept' | 'deactivate' | 'watch';

describe('in memory', () => {
  let mock: Mock;
  beforeAll(async () => {
    mock = await mockOn();
  });
  afterAll(() => mock.close());

  it('invite, accept as them, deactivate them: their tab gets 401', async () => {
    await walkThrough(() => mock.url);
  });
});

describe('on the file store, the real bin killed and restarted on the same state file in the middle', () => {
  let running: BinProcess | undefined;
  afterAll(async () => {
    await running?.kill9();
  });

  it('invite, (kill -9, restart), accept as them, (kill -9, restart), deactivate them: their tab gets 401', async () => {
    const args = ['--log', 'off', '--state-file', join(dir, 'state.log'), '--key-file', join(dir, 'keys.json')];
    running = await spawnBin(args);
    // A restart keeps the port, as a redeploy keeps its URL (and so the tokens' issuer).
    const { port } = running;
    const restart = async () => {
      await running?.kill9();
      running = await spawnBin(args, { port });
    };
    await walkThrough(() => (running as BinProcess).origin, restart);
  });
});

describe('on Redis, two replicas behind one load balancer', () => {
  let redis: RedisServer;
  let a: Mock;
  let b: Mock;
  beforeAll(async () => {
    redis = await startRedis();
    const shared = { redis: redis.url, redisPrefix: `story-${process.pid}`, keyFile: join(dir, 'redis-keys.json'), issuer: 'http://127.0.0.1/load-balancer' };
    a = await mockOn(shared);
    b = await mockOn(shared);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.dispose();
  });

  it('invite on A, accept on B, deactivate on A: B answers 401 at once', async () => {
    const replica: Record<Step, () => string> = { invite: () => a.url, accept: () => b.url, deactivate: () => a.url, watch: () => b.url };
    await walkThrough((step) => replica[step]());
  });

  it('the outbox is one: a message sent through A is listed by B, filtered alike, and a reset on B empties it for A', async () => {
    await invite(a.url, { email: 'shared-outbox@shop.example' });
    expect(await outboxAt(b.url, { recipient: 'shared-outbox@shop.example' })).toEqual(await outboxAt(a.url, { recipient: 'shared-outbox@shop.example' }));
    expect(await b.outbox({ kind: 'invitation' })).toEqual(await a.outbox({ kind: 'invitation' }));
    await b.reset();
    expect(await a.outbox()).toEqual([]);
  });

  it('one invitation accepted on both replicas at once: exactly one 200', async () => {
    const { invitation } = await invite(a.url, { email: 'racer@shop.example' });
    const answers = await Promise.all([a, b, a, b].map((replica, i) => accept(replica.url, invitation.token, { json: { password: `Racer-Password-${i}` } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400]);
  });
});
