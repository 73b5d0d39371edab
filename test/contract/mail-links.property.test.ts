import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import {
  answersHold,
  BODY_SHAPE,
  type BodyShape,
  bodyOf,
  CONTENT_TYPE,
  documented,
  faultFor,
  fieldsOf,
  GARBAGE,
  isJwt,
  pathOf,
  preferFor,
  send,
} from '../support/contract-requests.ts';
import { buildWorld, DEMO_CUSTOMER, invite, mailed, ODD_ID, WORLD_PASSWORD, type World } from '../support/contract-world.ts';
import { type Answer, DEMO, mockOn } from '../support/mock.ts';

// Every answer of the three public operations the mailed links lead to (forgot password, reset password, accept an
// invitation) validates against the spec (Prism's validator), over requests that mix real links from the outbox with
// used, superseded, expired, tampered and made-up ones, bodies of every shape, `Prefer` overrides and armed faults;
// each documented status of each is reached, and the decisions that change state really happen.

let mock: Mock;
let world: World;
/** A mock whose clock has run past the lifetime of `expired`'s links. */
let later: Mock;
let expired: { reset: string; invitation: string };
/** A user who asks for reset links and resets its password, over and over. */
const RESETTER = 'resetter@sandbox.example';
beforeAll(async () => {
  [mock, later] = await Promise.all([mockOn(), mockOn({ resetTtlSeconds: 60, inviteTtlSeconds: 60 })]);
  world = await buildWorld(mock);
  await mock.users.add({ email: RESETTER, password: WORLD_PASSWORD, customer_id: DEMO_CUSTOMER, subrole: 'cro' });
  const laterWorld = await buildWorld(later);
  await forgot(later, DEMO.email);
  expired = { reset: await mailed(later, 'password-reset', DEMO.email), invitation: await mailed(later, 'invitation', laterWorld.invited.email) };
  await later.clock.advance(61);
});
afterAll(async () => {
  await Promise.all([mock.close(), later.close()]);
});

const JSON_HEADERS: [string, string][] = [['content-type', 'application/json']];
/** The status and what the mock said it did (`X-Mock-Reason`): `400 reset_token: expired`. */
const reasonOf = (answer: Answer): string => `${answer.status} ${answer.headers.get('x-mock-reason') ?? ''}`;

/** Asks `target` for a password-reset link for `email`. */
async function forgot(target: Mock, email: string): Promise<void> {
  const answer = await send('POST', target.urls['forgot-password'], JSON_HEADERS, JSON.stringify({ email }));
  if (answer.status !== 200) throw new Error(`forgot-password answered ${answer.status} ${answer.text}`);
}

/** A fresh reset link's token for the resetter. */
async function resetLink(): Promise<string> {
  await forgot(mock, RESETTER);
  return mailed(mock, 'password-reset', RESETTER);
}

/** The token with its signature changed in one character: well formed, not signed by the mock. */
function tampered(token: string): string {
  const parts = token.split('.');
  const signature = parts[2] ?? '';
  parts[2] = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
  return parts.join('.');
}

/** A token no link carries: not a JWT, three parts that are not one, an unsigned JWT (`alg: none`), any path parameter that is no id. */
const ODD_TOKEN = fc.oneof(fc.constantFrom('not-a-token', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.'), ODD_ID);

/** A password that meets the policy (new each time), or one that fails one rule or more, or not a string. */
const PASSWORD = fc.constantFrom<unknown>('strong', 'strong', 'strong', 'short', 'no-upper', 'no-lower', 'no-symbol', '', 42);
/** A password as a client that keeps the schema sends it: mostly one that meets the policy. */
const STRING_PASSWORD = fc.constantFrom<unknown>('strong', 'strong', 'strong', 'strong', 'short', 'no-upper', 'no-lower', 'no-symbol');
const passwordOf = (choice: unknown): unknown =>
  ({
    strong: `New-Password-${randomUUID().slice(0, 8)}!`,
    short: 'Ab-1',
    'no-upper': 'lower-only-1',
    'no-lower': 'UPPER-ONLY-1',
    'no-symbol': 'NoSymbol1234',
  })[choice as string] ?? choice;

/** The headers of a request with a body: its content type (when it has a body), its `Prefer`. */
function headersOf(r: { prefer: string | undefined }, contentType: string | undefined, body: string | undefined): [string, string][] {
  const headers: [string, string][] = [];
  if (contentType && body !== undefined) headers.push(['content-type', contentType]);
  if (r.prefer) headers.push(['prefer', r.prefer]);
  return headers;
}

/** A body that keeps the schema (`valid` fields, as JSON) two times in three, else `any` fields in any shape and content type. */
const bodyLike = <V, A>(valid: fc.Arbitrary<V>, any: fc.Arbitrary<A>) =>
  fc.oneof(
    {
      arbitrary: fc.record({
        fields: valid as fc.Arbitrary<V | A>,
        shape: fc.constant<BodyShape>('object'),
        contentType: fc.constant<string | undefined>('application/json'),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ fields: any as fc.Arbitrary<V | A>, shape: BODY_SHAPE, contentType: CONTENT_TYPE }), weight: 1 },
  );

describe('every answer of the mailed links validates against the spec (Prism)', () => {
  it('forgot-password: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'forgot-password');
    const email = fc.constantFrom<unknown>(RESETTER, DEMO.email, 'Customer@Example.COM', 'nobody@example.com');
    const request = fc.record({
      body: bodyLike(
        fc.record({ email: fc.oneof(email, fc.constant(world.invited.email), fc.constant(world.gone.email)) }),
        fc.record({
          email: fc.constantFrom<unknown>(RESETTER, 'not-an-email', '', 42, null, undefined),
          username: fc.constantFrom<unknown>(undefined, RESETTER),
        }),
      ),
      garbage: GARBAGE,
      prefer: preferFor(statuses),
      fault: faultFor('forgot-password', statuses),
    });
    const reasons: string[] = [];
    const seen = await answersHold({
      operation: 'forgot-password',
      arbitrary: request,
      numRuns: 150,
      seed: 20261216,
      target: () => mock,
      request: (r, target) => {
        const body = bodyOf(r.body.shape, fieldsOf(r.body.fields), r.garbage);
        return send('POST', target.urls['forgot-password'], headersOf(r, r.body.contentType, body), body);
      },
      seen: (answer) => reasons.push(reasonOf(answer)),
    });
    expect(seen).toEqual(statuses);
    // Links really went out, and an unknown email really got the same 200 with nothing sent.
    expect(reasons.some((reason) => /^200 a password-reset link .* is in the outbox$/.test(reason))).toBe(true);
    expect(reasons).toContain('200 no user has that email: nothing sent');
  });

  it('reset-password: holds over many requests, reaching every documented status', async () => {
    const statuses = documented(mock, 'reset-password');
    type Link = 'fresh' | 'used' | 'superseded' | 'expired' | 'tampered' | 'invitation' | 'garbage';
    const link = fc.constantFrom<Link>('fresh', 'fresh', 'used', 'superseded', 'expired', 'tampered', 'invitation', 'garbage');
    const request = fc.record({
      link,
      odd: ODD_TOKEN,
      body: bodyLike(
        fc.record({ password: STRING_PASSWORD, token: fc.constant<unknown>('link') }),
        fc.record({ password: fc.oneof(PASSWORD, fc.constant(undefined)), token: fc.constantFrom<unknown>('link', 'link', '', 42, null, undefined) }),
      ),
      garbage: GARBAGE,
      prefer: preferFor(statuses),
      fault: faultFor('reset-password', statuses),
    });
    const reasons: string[] = [];
    const seen = await answersHold({
      operation: 'reset-password',
      arbitrary: request,
      numRuns: 200,
      seed: 20261217,
      target: (r) => (r.link === 'expired' ? later : mock),
      prepare: async (r): Promise<string> => {
        switch (r.link) {
          case 'fresh':
            return resetLink();
          case 'used': {
            const token = await resetLink();
            await send('POST', mock.urls['reset-password'], JSON_HEADERS, JSON.stringify({ password: 'Used-Password-1!', reset_token: token }));
            return token;
          }
          case 'superseded': {
            const token = await resetLink();
            await resetLink();
            return token;
          }
          case 'expired':
            return expired.reset;
          case 'tampered':
            return tampered(await resetLink());
          case 'invitation':
            return mailed(mock, 'invitation', (await invite(mock, world.tokens.owner)).email);
          case 'garbage':
            return r.odd;
        }
      },
      request: (r, target, token) => {
        const { password, token: given } = r.body.fields;
        const fields = fieldsOf({ password: passwordOf(password), reset_token: given === 'link' ? token : given });
        const body = bodyOf(r.body.shape, fields, r.garbage);
        return send('POST', target.urls['reset-password'], headersOf(r, r.body.contentType, body), body);
      },
      seen: (answer) => reasons.push(reasonOf(answer)),
    });
    expect(seen).toEqual(statuses);
    // Passwords were really reset, and used, expired and forged links really refused (not only forced).
    expect(reasons.some((reason) => reason.startsWith('200 password of user'))).toBe(true);
    expect(reasons).toContain('400 reset_token: already used, or superseded by a newer link');
    expect(reasons).toContain('400 reset_token: expired');
    expect(reasons.some((reason) => reason.startsWith('500 reset_token: '))).toBe(true);
  });

  it('accept-invitation: holds over many requests, reaching every documented status; every 200 carries real tokens', async () => {
    const statuses = documented(mock, 'accept-invitation');
    type Link = 'fresh' | 'used' | 'superseded' | 'deactivated' | 'expired' | 'tampered' | 'reset' | 'garbage';
    const link = fc.constantFrom<Link>('fresh', 'fresh', 'used', 'superseded', 'deactivated', 'expired', 'tampered', 'reset', 'garbage');
    const request = fc.record({
      link,
      odd: ODD_TOKEN,
      body: bodyLike(
        fc.record({ password: STRING_PASSWORD }),
        fc.record({ password: fc.oneof(PASSWORD, fc.constant(undefined)), extra: fc.constantFrom<unknown>(undefined, 'x') }),
      ),
      garbage: GARBAGE,
      prefer: preferFor(statuses),
      fault: faultFor('accept-invitation', statuses),
    });
    const reasons: string[] = [];
    let fake = 0;
    const seen = await answersHold({
      operation: 'accept-invitation',
      arbitrary: request,
      numRuns: 200,
      seed: 20261218,
      target: (r) => (r.link === 'expired' ? later : mock),
      prepare: (r) => invitationLink(r.link, r.odd),
      request: (r, target, token) => {
        const body = bodyOf(r.body.shape, fieldsOf({ ...r.body.fields, password: passwordOf(r.body.fields.password) }), r.garbage);
        return send('POST', pathOf(target.urls['accept-invitation'], { inviteToken: token }), headersOf(r, r.body.contentType, body), body);
      },
      seen: (answer) => {
        reasons.push(reasonOf(answer));
        const data = (answer.body as { data?: Record<string, unknown> } | undefined)?.data;
        // A forced success is built as a real one is: a real sign-in's tokens, never the example's placeholders.
        if (answer.status === 200 && !['access_token', 'id_token', 'refresh_token'].every((field) => isJwt(data?.[field]))) fake += 1;
      },
    });
    expect(seen).toEqual(statuses);
    expect(fake).toBe(0);
    // Invitations were really accepted, and used, superseded and expired ones really refused (not only forced).
    expect(reasons.some((reason) => /^200 invitation of user \S+ accepted/.test(reason))).toBe(true);
    expect(reasons.some((reason) => reason.startsWith('500 inviteToken: '))).toBe(true);
    for (const refused of ['This invitation has already been accepted', 'This invitation was superseded by a newer one', 'This invitation link has expired'])
      expect(reasons.some((reason) => reason.startsWith('400 ') && reason.includes(refused))).toBe(true);
  });
});

/** The `inviteToken` a request of this kind carries: a real one from the outbox (made for it), or one that went wrong. */
async function invitationLink(
  kind: 'fresh' | 'used' | 'superseded' | 'deactivated' | 'expired' | 'tampered' | 'reset' | 'garbage',
  odd: string,
): Promise<string> {
  if (kind === 'expired') return expired.invitation;
  if (kind === 'garbage') return odd;
  if (kind === 'reset') return resetLink();
  const invited = await invite(mock, world.tokens.owner);
  const token = await mailed(mock, 'invitation', invited.email);
  const bearer: [string, string][] = [['authorization', `Bearer ${world.tokens.owner}`]];
  const userUrl = (template: string) => pathOf(template, { customerID: DEMO_CUSTOMER, userID: invited.id });
  if (kind === 'used')
    await send('POST', pathOf(mock.urls['accept-invitation'], { inviteToken: token }), JSON_HEADERS, JSON.stringify({ password: 'Used-Password-1!' }));
  if (kind === 'superseded') await send('POST', userUrl(mock.urls['resend-invitation']), bearer, undefined);
  if (kind === 'deactivated')
    await send('PATCH', userUrl(mock.urls['update-customer-user']), [...bearer, ...JSON_HEADERS], JSON.stringify({ status: 'INACTIVE' }));
  return kind === 'tampered' ? tampered(token) : token;
}
