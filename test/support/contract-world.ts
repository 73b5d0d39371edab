import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Mock } from '../../src/mock.ts';
import { pathOf, send } from './contract-requests.ts';
import { control, DEMO, logout, signedIn, signIn } from './mock.ts';

// The customers and users the contract property tests of the `/customers/…` operations and the mailed links ask
// about: the demo customer with its owner, a CRO, a risk analyst (no customer_user permissions), a deactivated user
// and an invited one; another customer with its owner. Each caller kind is a bearer one of them, or the mock, gives.

/** The demo customer ("Sandbox"), and the ids of its subroles as the pages give them. */
export const DEMO_CUSTOMER = '00000000-0000-4000-8000-000000000003';
export const DEMO_SUBROLES = {
  owner: { id: '00000000-0000-4000-8000-000000000002', code: 'owner', label: 'Owner' },
  cro: { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO' },
  risk_analyst: { id: '00000000-0000-4000-8000-000000000009', code: 'risk_analyst', label: 'Risk Analyst' },
} as const;
/** A second customer (another tenant), with an owner of its own. */
export const OTHER_CUSTOMER = '00000000-0000-4000-8000-0000000000c2';
/** The password of every user the world adds (it passes the password policy). */
export const WORLD_PASSWORD = 'World-Password-1';

/** A user of the world, signed in: its ids, email and a real sign-in's tokens. */
export type Member = { readonly id: string; readonly email: string; readonly idToken: string; readonly accessToken: string; readonly refreshToken: string };

/** Who calls a `/customers/…` operation: a member's token, a token the mock minted of a kind, a malformed one, or none. */
export const CALLER_KINDS = [
  'owner',
  'owner-access',
  'cro',
  'minted',
  'risk',
  'other',
  'userless',
  'expired',
  'revoked',
  'deactivated',
  'bad-signature',
  'alg-none',
  'wrong-issuer',
  'non-customer',
  'junk',
  'none',
  'two-bearers',
  'basic',
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/** A caller, those that may succeed (the owner, a CRO, a token minted for the demo customer) more often than each other one. */
export const CALLER = fc.oneof(
  { arbitrary: fc.constantFrom<CallerKind>('owner', 'owner-access', 'cro', 'minted'), weight: 3 },
  { arbitrary: fc.constantFrom<CallerKind>(...CALLER_KINDS), weight: 2 },
);

/** Path parameters that are no id: not a uuid, not ASCII, a slash, long, a lone `%`, blank, a uuid with a letter past `f`. */
export const ODD_ID = fc.constantFrom('not-a-uuid', '日本', 'a/b', 'x'.repeat(300), '%', ' ', '00000000-0000-4000-8000-00000000000g');

/** The `{customerID}` of a path: the demo customer's most of the time, another's (the `other` caller's), one that does not exist, or no id. */
export const CUSTOMER = fc.oneof(
  { arbitrary: fc.constant(DEMO_CUSTOMER), weight: 4 },
  { arbitrary: fc.constant(OTHER_CUSTOMER), weight: 1 },
  { arbitrary: fc.uuid({ version: 4 }), weight: 1 },
  { arbitrary: ODD_ID, weight: 1 },
);

/** The world as the tests find it once built: its members, an invited user, and the bearer of each caller kind. */
export type World = {
  readonly owner: Member;
  readonly cro: Member;
  readonly risk: Member;
  readonly other: Member;
  /** A demo customer's CRO who signed in, then was deactivated. */
  readonly gone: Member;
  /** A sign-in of the demo owner that has logged out. */
  readonly loggedOut: Member;
  /** A demo customer's user made by Create Customer User: invited, not yet accepted. */
  readonly invited: { readonly id: string; readonly email: string };
  /** The bearer of each caller kind that sends one token. */
  readonly tokens: Readonly<Record<Exclude<CallerKind, 'none' | 'two-bearers' | 'basic'>, string>>;
};

/** Adds the world's users to `mock` (after a reset: it starts with the demo customer and its owner) and signs them in. */
export async function buildWorld(mock: Mock): Promise<World> {
  const add = (email: string, customer_id: string, subrole: string, extra: Record<string, unknown> = {}) =>
    mock.users.add({ email, password: WORLD_PASSWORD, customer_id, subrole, given_name: 'World', family_name: subrole, ...extra });
  await add('cro@sandbox.example', DEMO_CUSTOMER, 'cro');
  await add('risk@sandbox.example', DEMO_CUSTOMER, 'risk_analyst');
  await add('gone@sandbox.example', DEMO_CUSTOMER, 'cro');
  await add('owner@other.example', OTHER_CUSTOMER, 'owner', { customer_name: 'Other Co' });
  const [owner, cro, risk, other, gone, loggedOut] = await Promise.all([
    signInMember(mock, DEMO.email),
    signInMember(mock, 'cro@sandbox.example'),
    signInMember(mock, 'risk@sandbox.example'),
    signInMember(mock, 'owner@other.example'),
    signInMember(mock, 'gone@sandbox.example'),
    signInMember(mock, DEMO.email),
  ]);
  // Deactivated after signing in: its token was good, and answers 401 from now on.
  await add('gone@sandbox.example', DEMO_CUSTOMER, 'cro', { status: 'INACTIVE' });
  await logout(mock, { token: loggedOut.idToken });
  // The owner's tokens gone wrong; the admin's is of a user the mock does not have (a Worth employee, say).
  const kind = async (k: 'expired' | 'bad-signature' | 'alg-none' | 'wrong-issuer') => (await mock.issueToken({ sub: owner.id, kind: k })).token;
  const tokens = {
    owner: owner.idToken,
    'owner-access': owner.accessToken,
    cro: cro.idToken,
    minted: ((await control(mock.url, 'POST', '/__mock/tokens', { customer_id: DEMO_CUSTOMER })).body as { idToken: string }).idToken,
    risk: risk.idToken,
    other: other.idToken,
    userless: (await mock.issueToken()).idToken,
    expired: await kind('expired'),
    revoked: loggedOut.idToken,
    deactivated: gone.idToken,
    'bad-signature': await kind('bad-signature'),
    'alg-none': await kind('alg-none'),
    'wrong-issuer': await kind('wrong-issuer'),
    'non-customer': (await mock.issueToken({ kind: 'non-customer' })).token,
    junk: 'not.a.token',
  };
  const invited = await invite(mock, owner.idToken);
  return { owner, cro, risk, other, gone, loggedOut, invited, tokens };
}

/** Signs a user of the world (or the demo owner) in on `mock` again: a new sign-in, its id and real tokens. */
export async function signInMember(mock: Mock, email: string): Promise<Member> {
  const password = email === DEMO.email ? DEMO.password : WORLD_PASSWORD;
  const tokens = signedIn(await signIn(mock, { json: { email, password } }));
  const id = (tokens.data.user_details as { id: string }).id;
  return { id, email, idToken: tokens.idToken, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
}

/** Invites a new CRO to the demo customer through Create Customer User, as `bearer`: its id and email. */
export async function invite(mock: Mock, bearer: string, email = `invited-${randomUUID()}@sandbox.example`): Promise<{ id: string; email: string }> {
  const answer = await send(
    'POST',
    pathOf(mock.urls['create-customer-user'], { customerID: DEMO_CUSTOMER }),
    [
      ['authorization', `Bearer ${bearer}`],
      ['content-type', 'application/json'],
    ],
    JSON.stringify({ first_name: 'Invited', last_name: 'User', email, subrole: DEMO_SUBROLES.cro }),
  );
  const id = (answer.body as { data?: { user_id?: string } } | undefined)?.data?.user_id;
  if (answer.status !== 200 || id === undefined) throw new Error(`inviting ${email} answered ${answer.status} ${answer.text}`);
  return { id, email };
}

/** The `Authorization` headers of `caller`: none, one, or two for `two-bearers` (which fetch joins into one, `a, b`). */
export function authorization(world: World, caller: CallerKind): [string, string][] {
  if (caller === 'none') return [];
  if (caller === 'basic') return [['authorization', 'Basic dXNlcjpwYXNzd29yZA==']];
  if (caller === 'two-bearers')
    return [
      ['authorization', `Bearer ${world.tokens.owner}`],
      ['authorization', 'Bearer x.y.z'],
    ];
  return [['authorization', `Bearer ${world.tokens[caller]}`]];
}

/** The newest outbox token of `kind` for `recipient`: what the mail would carry. */
export async function mailed(mock: Mock, kind: 'invitation' | 'password-reset', recipient: string): Promise<string> {
  const token = (await mock.outbox({ kind, recipient })).at(-1)?.token;
  if (token === undefined) throw new Error(`no ${kind} for ${recipient} in the outbox`);
  return token;
}
