// What the user and password paths need before a run, made through the mock's own operations and its control API,
// as a test would: sign-ins of the demo customer's owner, users, invitations and reset links read from the outbox.
import { DEMO_USER } from '../src/users/user.ts';

/** The demo customer (seeded when the mock starts without `--users`) and its owner, the demo user. */
export const DEMO = {
  email: DEMO_USER.email,
  password: DEMO_USER.password as string,
  userId: DEMO_USER.id as string,
  customerId: DEMO_USER.customer_id as string,
};

/** A password the policy takes (8+ characters, lower and upper case, a symbol): what accept and reset send. */
export const NEW_PASSWORD = 'Bench-Password-1';

/** Runs `work(i)` for i in [0, count), `width` at a time, in order of i; resolves every result. */
export async function inTurn<T>(count: number, work: (i: number) => Promise<T>, width = 8): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return out;
}

/** A request that must answer `want`; resolves its JSON body (undefined when it has none). */
async function call(url: string, want: number, init: { method?: string; token?: string; body?: unknown } = {}): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: JSON.stringify(init.body) });
  const text = await response.text();
  if (response.status !== want) throw new Error(`${init.method ?? 'POST'} ${url} answered ${response.status}, not ${want}: ${text.slice(0, 300)}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** `count` sign-ins of the demo customer's owner through the sign-in operation: their access tokens. */
export async function ownerTokens(api: string, count: number): Promise<string[]> {
  return inTurn(count, async () => {
    const body = (await call(`${api}/customer/sign-in`, 200, { body: { email: DEMO.email, password: DEMO.password } })) as { data: { access_token: string } };
    return body.data.access_token;
  });
}

/** The demo customer's `cro` subrole as Create takes it. */
export async function croSubrole(api: string, token: string): Promise<{ id: string; code: string; label: string }> {
  const body = (await call(`${api}/customers/${DEMO.customerId}/subroles`, 200, { token })) as { data: { id: string; code: string; label: string }[] };
  const cro = body.data.find((subrole) => subrole.code === 'cro');
  if (!cro) throw new Error('the demo customer has no cro subrole');
  return { id: cro.id, code: cro.code, label: cro.label };
}

/** Adds `count` signed-up users of the demo customer (`cro`) through the control API; resolves their ids and emails. */
export async function addUsers(origin: string, prefix: string, count: number): Promise<{ id: string; email: string }[]> {
  return inTurn(count, async (i) => {
    const email = `${prefix}-${i}@bench.example.com`;
    const body = { email, password: NEW_PASSWORD, customer_id: DEMO.customerId, subrole: 'cro' };
    const user = (await call(`${origin}/__mock/users`, 201, { body })) as { id: string; email: string };
    return { id: user.id, email: user.email };
  });
}

/** The JSON body of Create Customer User for `email`. */
export function createBody(email: string, subrole: { id: string; code: string; label: string }): string {
  return JSON.stringify({ first_name: 'Bench', last_name: 'Invitee', email, subrole });
}

/** Invites `count` new users of the demo customer through Create Customer User; resolves their ids and emails. */
export async function inviteUsers(api: string, token: string, prefix: string, count: number): Promise<{ id: string; email: string }[]> {
  const subrole = await croSubrole(api, token);
  return inTurn(count, async (i) => {
    const email = `${prefix}-${i}@bench.example.com`;
    const body = (await call(`${api}/customers/${DEMO.customerId}/users`, 200, { token, body: JSON.parse(createBody(email, subrole)) })) as {
      data: { user_id: string };
    };
    return { id: body.data.user_id, email };
  });
}

type Message = { kind: string; recipient: string; token: string };

/** The newest mailed token of `kind` for each of `emails`, from the outbox (which keeps its newest `--outbox-size`, 1000 by default). */
async function fromOutbox(origin: string, kind: 'invitation' | 'password-reset', emails: readonly string[]): Promise<string[]> {
  const { messages } = (await call(`${origin}/__mock/outbox?kind=${kind}`, 200)) as { messages: Message[] };
  const newest = new Map<string, string>();
  for (const message of messages) newest.set(message.recipient, message.token);
  return emails.map((email) => {
    const token = newest.get(email.toLowerCase());
    if (token === undefined) throw new Error(`no ${kind} for ${email} in the outbox`);
    return token;
  });
}

/** Fewer than the outbox keeps, so that a batch's messages are all still there when it is read. */
const OUTBOX_BATCH = 500;

/** `count` invitations nobody has used: new users invited, their tokens read from the outbox. */
export async function invitations(api: string, origin: string, token: string, prefix: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let from = 0; from < count; from += OUTBOX_BATCH) {
    const users = await inviteUsers(api, token, `${prefix}-${from}`, Math.min(OUTBOX_BATCH, count - from));
    tokens.push(
      ...(await fromOutbox(
        origin,
        'invitation',
        users.map((user) => user.email),
      )),
    );
  }
  return tokens;
}

/** A reset link nobody has used for each of `emails` (each supersedes the user's earlier ones): Forgot Password, then the outbox. */
export async function resetLinks(api: string, origin: string, emails: readonly string[]): Promise<string[]> {
  const tokens: string[] = [];
  for (let from = 0; from < emails.length; from += OUTBOX_BATCH) {
    const batch = emails.slice(from, from + OUTBOX_BATCH);
    await inTurn(batch.length, (i) => call(`${api}/forgot-password`, 200, { body: { email: batch[i] } }));
    tokens.push(...(await fromOutbox(origin, 'password-reset', batch)));
  }
  return tokens;
}
