import { randomBytes, randomUUID } from 'node:crypto';

/**
 * How the drifting provider's user-management part drifts from the contract, each in one place:
 * `total-items-number` sends the list's `total_items` as a number, `create-201` answers a new user 201,
 * `duplicate-409` answers an email another user has 409, `unknown-user-200` answers a user id it does not have 200
 * (with some user), `other-customer-200` lists another customer's users, `accept-without-refresh-token` leaves
 * `refresh_token` out of an accepted invitation, `forgot-204` answers a forgotten password 204 with no body,
 * `reset-text-plain` answers a password reset as text (an older rendering of the page).
 */
export const USER_DRIFTS = [
  'total-items-number',
  'create-201',
  'duplicate-409',
  'unknown-user-200',
  'other-customer-200',
  'accept-without-refresh-token',
  'forgot-204',
  'reset-text-plain',
] as const;
export type UserDrift = (typeof USER_DRIFTS)[number];

/** One answer: its status, its body (JSON, or text with `type`), its content type. */
export type Reply = { readonly status: number; readonly body?: unknown; readonly type?: string };

/** A sign-in of a user: its tokens, which the provider knows as the user's. */
export type UserSignIn = { token: string; idToken: string; refreshToken: string };

type User = { id: string; email: string; firstName: string; lastName: string; customerId: string; subrole: 'owner' | 'cro'; invited: boolean };

const FORBIDDEN = { message: 'Forbidden', errorCode: 'ERR_FORBIDDEN' };
const UNAUTHORIZED = { message: 'Unauthorized', errorCode: 'ERR_UNAUTHORIZED' };
const SUBROLES = {
  owner: { id: randomUUID(), code: 'owner', label: 'Owner' },
  cro: { id: randomUUID(), code: 'cro', label: 'CRO' },
} as const;
const pageError = (message: string, errorCode: string) => ({ status: 'fail', message, errorCode, data: { errorName: 'CustomersApiError' } });

/**
 * The user-management screens', the invitation page's and the password pages' part of a hand-written Auth Service
 * (see drifting-provider.ts): its provider states, and its routes under the base path. `signIn` starts a sign-in of a
 * user (tokens the provider then knows as that user's).
 */
export function createDriftingUsers(drift: string, signIn: (userId: string) => UserSignIn) {
  const users = new Map<string, User>();
  const invitations = new Map<string, string>();
  const resets = new Map<string, string>();
  const secrets: string[] = [];
  const add = (user: Omit<User, 'id'>): User => {
    const made = { ...user, id: randomUUID() };
    users.set(made.id, made);
    return made;
  };
  const newOwner = () =>
    add({ email: `owner-${randomUUID()}@drift.example`, firstName: 'Drifting', lastName: 'Owner', customerId: randomUUID(), subrole: 'owner', invited: false });
  const secret = (value: string) => {
    secrets.push(value);
    return value;
  };
  const newPassword = () => secret(`Drift-${randomBytes(9).toString('base64url')}!`);
  const recordOf = (user: User) => ({
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    status: 'ACTIVE',
    is_first_login: user.invited,
    is_email_verified: !user.invited,
    subrole: SUBROLES[user.subrole],
  });
  const listOf = (customerId: string): Reply => {
    const records = [...users.values()].filter((u) => u.customerId === customerId).map(recordOf);
    const total = drift === 'total-items-number' ? records.length : String(records.length);
    return { status: 200, body: { status: 'success', message: 'Success', data: { records, total_pages: 1, total_items: total } } };
  };

  /** The states of this part: their values, or undefined for a state it does not set up. */
  function state(name: string): Record<string, string> | undefined {
    switch (name) {
      case 'a customer owner signed in': {
        const owner = newOwner();
        const { token, idToken, refreshToken } = signIn(owner.id);
        const { id: subroleId, code: subroleCode, label: subroleLabel } = SUBROLES.cro;
        const newEmail = `new-${randomUUID()}@drift.example`;
        return {
          token,
          idToken,
          refreshToken,
          customerId: owner.customerId,
          userId: owner.id,
          email: owner.email,
          subroleId,
          subroleCode,
          subroleLabel,
          newEmail,
        };
      }
      case 'another customer exists':
        return { otherCustomerId: newOwner().customerId };
      case 'a customer user invited': {
        const owner = newOwner();
        const invited = add({
          email: `invited-${randomUUID()}@drift.example`,
          firstName: 'Invited',
          lastName: 'User',
          customerId: owner.customerId,
          subrole: 'cro',
          invited: true,
        });
        const inviteToken = secret(`invite.${randomUUID()}`);
        invitations.set(inviteToken, invited.id);
        return { inviteToken, email: invited.email, userId: invited.id, customerId: owner.customerId, password: newPassword() };
      }
      case 'a password reset requested': {
        const owner = newOwner();
        const resetToken = secret(`reset.${randomUUID()}`);
        resets.set(resetToken, owner.id);
        return { resetToken, email: owner.email, password: newPassword() };
      }
      default:
        return undefined;
    }
  }

  /** The answer to a request of this part (`caller`: the user id its bearer names, when it names one), or undefined for another path. */
  function route(method: string, path: string, caller: string | undefined, body: Record<string, unknown>): Reply | undefined {
    if (method === 'POST' && path === '/forgot-password')
      return drift === 'forgot-204'
        ? { status: 204 }
        : { status: 200, body: { status: 'success', message: 'A link to reset your password has been sent to the registered email' } };
    if (method === 'POST' && path === '/reset-password') {
      const userId = typeof body.reset_token === 'string' ? resets.get(body.reset_token) : undefined;
      if (userId === undefined || typeof body.password !== 'string')
        return { status: 400, body: { status: 'fail', message: 'This reset password link has expired', errorCode: 'INVALID' } };
      resets.delete(body.reset_token as string);
      return drift === 'reset-text-plain'
        ? { status: 200, body: 'Password Changed successfully', type: 'text/plain' }
        : { status: 200, body: { status: 'success', message: 'Password Changed successfully' } };
    }
    const accept = /^\/invite\/([^/]+)\/accept$/.exec(path);
    if (method === 'POST' && accept) return acceptInvitation(decodeURIComponent(accept[1] as string), body);
    const customers = /^\/customers\/([^/]+)\/users(?:\/([^/]+))?$/.exec(path);
    if (!customers) return undefined;
    const [, customerId = '', userId] = customers.map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
    const user = caller === undefined ? undefined : users.get(caller);
    if (user === undefined) return { status: 401, body: UNAUTHORIZED };
    if (user.customerId !== customerId) return drift === 'other-customer-200' && method === 'GET' ? listOf(customerId) : { status: 403, body: FORBIDDEN };
    if (method === 'GET' && userId === undefined) return listOf(customerId);
    if (method === 'POST' && userId === undefined) return createUser(customerId, body);
    if (method === 'GET') {
      const found = users.get(userId as string);
      if (found?.customerId === customerId) return { status: 200, body: { status: 'success', message: 'Success', data: recordOf(found) } };
      return drift === 'unknown-user-200'
        ? { status: 200, body: { status: 'success', message: 'Success', data: recordOf(user) } }
        : { status: 404, body: pageError('Customer user Not Found', 'NOT_FOUND') };
    }
    return undefined;
  }

  function createUser(customerId: string, body: Record<string, unknown>): Reply {
    const { first_name, last_name, email } = body;
    if (typeof first_name !== 'string' || typeof last_name !== 'string' || typeof email !== 'string')
      return { status: 400, body: pageError('first_name, last_name and email are required', 'INVALID') };
    if ([...users.values()].some((u) => u.email === email.toLowerCase()))
      return { status: drift === 'duplicate-409' ? 409 : 400, body: pageError('Another customer user exists with the same email.', 'INVALID') };
    const made = add({ email: email.toLowerCase(), firstName: first_name, lastName: last_name, customerId, subrole: 'cro', invited: true });
    return { status: drift === 'create-201' ? 201 : 200, body: { status: 'success', message: 'Customer user created.', data: { user_id: made.id } } };
  }

  function acceptInvitation(token: string, body: Record<string, unknown>): Reply {
    const userId = invitations.get(token);
    const user = userId === undefined ? undefined : users.get(userId);
    if (user === undefined) return { status: 500, body: { status: 'error', message: 'invalid signature', errorCode: 'UNKNOWN_ERROR' } };
    if (typeof body.password !== 'string') return { status: 400, body: { status: 'fail', message: 'password is required', errorCode: 'INVALID' } };
    invitations.delete(token);
    user.invited = false;
    const { token: access_token, idToken: id_token, refreshToken: refresh_token } = signIn(user.id);
    const data = { access_token, id_token, ...(drift === 'accept-without-refresh-token' ? {} : { refresh_token }), is_email_verified: true };
    return { status: 200, body: { status: 'success', message: 'Invitation Accepted.', data } };
  }

  return { state, route, secrets: () => [...secrets] };
}
