/**
 * A `--token-command` as a provider team without a state endpoint would write one: it prints the values of the state
 * named in $PACT_STATE, made through the provider's own means — here a worth-auth-mock (`argv[2]`), through its
 * control API and a real logout for the logged-out state. A state that needs only a token gets a bare line; one that
 * needs more gets a JSON object.
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
