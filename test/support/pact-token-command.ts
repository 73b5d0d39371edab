/**
 * A `--token-command` as a provider team without a state endpoint would write one: it prints a token for the
 * state named in $PACT_STATE, minted through the provider's own means — here a worth-auth-mock (`argv[2]`),
 * through its control API and a real logout for the logged-out state.
 * Run: node test/support/pact-token-command.ts http://127.0.0.1:PORT
 */
const root = process.argv[2] ?? '';
const state = process.env.PACT_STATE ?? '';

async function mint(kind: string): Promise<string> {
  const response = await fetch(`${root}/__mock/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind }) });
  if (response.status !== 201) throw new Error(`minting a ${kind} token answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

async function tokenFor(name: string): Promise<string> {
  switch (name) {
    case 'a customer with an active session':
      return mint('valid');
    case 'a customer whose session has been logged out': {
      const token = await mint('valid');
      const response = await fetch(`${root}/auth/api/v1/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 200) throw new Error(`logging the session out answered ${response.status}`);
      return token;
    }
    case 'a customer whose token has expired':
      return mint('expired');
    case 'a signed-in user who is not a customer':
      return mint('non-customer');
    default:
      throw new Error(`no token for state "${name}"`);
  }
}

try {
  process.stdout.write(`${await tokenFor(state)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 3;
}
