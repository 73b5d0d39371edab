/**
 * A `--token-command` as a provider team without a state endpoint would write one: it prints the values of the state
 * named in $PACT_STATE, made through the provider's own means — here a worth-auth-mock (`argv[2]`), through its
 * control API and its own operations (a real logout for the logged-out state; a new owner who signs in, invites a user
 * or asks for a reset link, the links read from the outbox). A state that needs only a token gets a bare line; one
 * that needs more gets a JSON object.
 * Run: node test/support/pact-token-command.ts http://127.0.0.1:PORT
 */
import { randomBytes, randomUUID } from 'node:crypto';

const root = process.argv[2] ?? '';
const state = process.env.PACT_STATE ?? '';

async function mint(kind: string): Promise<{ token: string; refreshToken: string }> {
  const response = await fetch(`${root}/__mock/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind }) });
  if (response.status !== 201) throw new Error(`minting a ${kind} token answered ${response.status}`);
  const { token, refreshToken } = (await response.json()) as { token: string; refreshToken: string };
  return { token, refreshToken };
}

/** Calls the mock (`path` under its root) and reads its JSON answer; throws naming the call when it is not `expected`. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, expected = 200): Promise<Record<string, unknown>> {
  const response = await fetch(`${root}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

const AUTH = '/auth/api/v1';
const newEmail = () => `command-${randomUUID()}@example.com`;
const newPassword = () => `Command-${randomBytes(9).toString('base64url')}!`;

/** A new owner of a new customer, signed in through the sign-in page: the values of "a customer owner signed in". */
async function owner(): Promise<Record<'idToken' | 'customerId' | 'email' | 'subroleId' | 'subroleCode' | 'subroleLabel', string> & Record<string, string>> {
  const credentials = { email: newEmail(), password: newPassword() };
  await call('POST', '/__mock/users', { ...credentials, customer_id: randomUUID(), subrole: 'owner' }, {}, 201);
  type SignedIn = { id_token: string; access_token: string; refresh_token: string; user_details: { id: string }; customer_details: { id: string } };
  const signedIn = (await call('POST', `${AUTH}/customer/sign-in`, credentials)).data as SignedIn;
  const customerId = signedIn.customer_details.id;
  const bearer = { authorization: `Bearer ${signedIn.id_token}` };
  const subroles = (await call('GET', `${AUTH}/customers/${customerId}/subroles`, undefined, bearer)).data as { id: string; code: string; label: string }[];
  const cro = subroles.find((s) => s.code === 'cro') ?? (subroles[0] as { id: string; code: string; label: string });
  return {
    ...{ token: signedIn.access_token, idToken: signedIn.id_token, refreshToken: signedIn.refresh_token, customerId, userId: signedIn.user_details.id },
    ...{ email: credentials.email, subroleId: cro.id, subroleCode: cro.code, subroleLabel: cro.label, newEmail: newEmail() },
  };
}

/** The newest outbox token of `kind` for `email`. */
async function mailed(kind: string, email: string): Promise<string> {
  const { messages } = (await call('GET', `/__mock/outbox?kind=${kind}&recipient=${encodeURIComponent(email)}`)) as { messages: { token: string }[] };
  const token = messages.at(-1)?.token;
  if (token === undefined) throw new Error(`no ${kind} for ${email}`);
  return token;
}

async function valuesFor(name: string): Promise<string> {
  switch (name) {
    case 'a customer with an active session':
      return JSON.stringify(await mint('valid'));
    case 'a customer whose session has been logged out': {
      const signIn = await mint('valid');
      const response = await fetch(`${root}/auth/api/v1/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${signIn.token}` } });
      if (response.status !== 200) throw new Error(`logging the session out answered ${response.status}`);
      return JSON.stringify(signIn);
    }
    case 'a customer whose token has expired':
      return (await mint('expired')).token;
    case 'a signed-in user who is not a customer':
      return (await mint('non-customer')).token;
    case 'a customer with credentials': {
      const user = { email: `command-${randomUUID()}@example.com`, password: randomBytes(12).toString('base64url') };
      const response = await fetch(`${root}/__mock/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
      if (response.status !== 201) throw new Error(`adding a user answered ${response.status}`);
      return JSON.stringify(user);
    }
    case 'a customer owner signed in':
      return JSON.stringify(await owner());
    case 'another customer exists':
      return JSON.stringify({ otherCustomerId: (await owner()).customerId });
    case 'a customer user invited': {
      const { idToken, customerId, subroleId, subroleCode, subroleLabel } = await owner();
      const email = newEmail();
      const user = { first_name: 'Invited', last_name: 'User', email, subrole: { id: subroleId, code: subroleCode, label: subroleLabel } };
      const { data } = (await call('POST', `${AUTH}/customers/${customerId}/users`, user, { authorization: `Bearer ${idToken}` })) as {
        data: { user_id: string };
      };
      return JSON.stringify({ inviteToken: await mailed('invitation', email), email, userId: data.user_id, customerId, password: newPassword() });
    }
    case 'a password reset requested': {
      const { email } = await owner();
      await call('POST', `${AUTH}/forgot-password`, { email });
      return JSON.stringify({ resetToken: await mailed('password-reset', email), email, password: newPassword() });
    }
    default:
      throw new Error(`no values for state "${name}"`);
  }
}

try {
  process.stdout.write(`${await valuesFor(state)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 3;
}
