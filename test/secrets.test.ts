import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../src/mock.ts';
import type { OutboxMessage } from '../src/state/records.ts';
import { TOKEN_KINDS } from '../src/tokens/issuer.ts';
import { acceptPath, type CallInit, call, invite, outboxAt, ownerToken, resend } from './support/invitations.ts';
import { type Answer, mockOn, read } from './support/mock.ts';
import { exchange } from './support/raw-http.ts';

/**
 * Raw tokens never reach the log, the journal or the session list, and no answer echoes one (nor the
 * admin token): neither in `X-Mock-Reason`, `WWW-Authenticate` nor an error body. Real tokens of every
 * kind are presented every way a client might (valid, refused, damaged, in bodies, cookies, queries),
 * to a mock logging JSON with detailed errors and to one logging for people.
 */

const ADMIN = 'admin-secret-4b1d-93a7-e2c5';
/** A secret counts as echoed when any run of this many of its characters shows up. */
const WINDOW = 8;

type Run = { mock: Mock; lines: string[]; answers: { what: string; contract: boolean; answer: Answer }[]; secrets: Set<string> };
const runs: Run[] = [];

/** The parts of a token that are secret: a JWS's signature; a JWE's IV, ciphertext and tag; or the whole string. */
function secretParts(token: string): string[] {
  const parts = token.split('.');
  if (parts.length === 3) return [token, parts[2] as string];
  if (parts.length === 5) return [token, ...parts.slice(2)];
  return [token];
}

async function traffic(mock: Mock, lines: string[]): Promise<Run> {
  const run: Run = { mock, lines, answers: [], secrets: new Set([ADMIN]) };
  const admin = { 'x-mock-admin-token': ADMIN };
  const keep = (...tokens: string[]) => {
    for (const token of tokens) for (const part of secretParts(token)) if (part.length >= WINDOW) run.secrets.add(part);
  };
  const send = async (what: string, url: string, init: RequestInit) => {
    run.answers.push({ what, contract: url.startsWith(mock.urls.logout), answer: await read(await fetch(url, init)) });
  };
  const logout = (what: string, headers: Record<string, string> | [string, string][], body?: string, query = '') =>
    send(what, `${mock.urls.logout}${query}`, { method: 'POST', headers, body });

  const signIns = await Promise.all(TOKEN_KINDS.map((kind) => mock.issueToken({ kind })));
  for (const signIn of signIns) keep(signIn.token, signIn.idToken, signIn.refreshToken);
  const valid = signIns[0]!;
  const [h, p, s] = valid.token.split('.') as [string, string, string];
  const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;

  for (const signIn of signIns) {
    await logout(`${signIn.kind} access token`, { authorization: `Bearer ${signIn.token}` });
    await logout(`${signIn.kind} id token`, { authorization: `Bearer ${signIn.idToken}` });
    await logout(`${signIn.kind} refresh token as bearer`, { authorization: `Bearer ${signIn.refreshToken}` });
  }
  await logout('a logged-out token again', { authorization: `Bearer ${valid.token}` });
  for (const [what, value] of [
    ['token with junk after it', `Bearer ${valid.token}x`],
    ['token with a flipped signature character', `Bearer ${flipped}`],
    ['token with a fourth segment', `Bearer ${valid.token}.extra`],
    ['segments swapped', `Bearer ${p}.${h}.${s}`],
    ['token twice', `Bearer ${valid.token} ${valid.token}`],
    ['token with a character RFC 6750 forbids', `Bearer ${valid.token.slice(0, 20)}!${valid.token.slice(20)}`],
    ['token under Basic', `Basic ${Buffer.from(`user:${valid.token}`).toString('base64')}`],
    ['token without a scheme', valid.token],
    ['lower-case scheme', `bearer ${valid.token}`],
  ] as const) {
    await logout(what, { authorization: value });
  }
  await logout('two Authorization headers', [
    ['authorization', `Bearer ${signIns[1]!.token}`],
    ['authorization', `Bearer ${valid.idToken}`],
  ]);
  await logout(
    'a refresh token in a body that does not parse',
    { authorization: `Bearer ${valid.token}`, 'content-type': 'application/json' },
    `{"refreshToken": ${valid.refreshToken.split('.')[3]}}`,
  );
  await logout('a signature in a body that does not parse', { 'content-type': 'application/json' }, `{"token": ${s}`);
  await logout('a refresh token in a JSON body', { 'content-type': 'application/json' }, JSON.stringify({ refreshToken: valid.refreshToken }));
  await logout('a token in the query', {}, undefined, `?access_token=${valid.token}`);
  await logout('a token in a cookie', { cookie: `access_token=${valid.token}; mock_session=qa-1` });
  await logout('a forced 401 for a token', { authorization: `Bearer ${valid.idToken}`, prefer: 'code=401' });
  await logout('the admin token as a bearer', { authorization: `Bearer ${ADMIN}` });

  const tokens = `${mock.url}/__mock/tokens`;
  const json = { 'content-type': 'application/json', ...admin };
  await send('an access token offered as a refresh token', tokens, { method: 'POST', headers: json, body: JSON.stringify({ refreshToken: valid.token }) });
  await send('a refresh token of a sign-in that logged out', tokens, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ refreshToken: valid.refreshToken }),
  });
  await send('a refresh token in a control body that does not parse', tokens, {
    method: 'POST',
    headers: json,
    body: `{"refreshToken": ${valid.refreshToken.split('.')[3]}}`,
  });
  await send('a signature in a control body that does not parse', tokens, { method: 'POST', headers: json, body: `{"refreshToken": ${s}}` });
  await send('a token as a wrong admin token', tokens, { method: 'POST', headers: { 'x-mock-admin-token': valid.token }, body: '{}' });
  await send('an admin token with junk', `${mock.url}/__mock/faults`, {
    method: 'POST',
    headers: { 'x-mock-admin-token': `${ADMIN}x` },
    body: '{"status":500}',
  });
  return run;
}

/** Every run of WINDOW characters of `text`, for fast look-up. */
function windows(text: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + WINDOW <= text.length; i++) out.add(text.slice(i, i + WINDOW));
  return out;
}

/** The secrets (by a short quote of each) some run of whose characters appears in `text`. */
function echoed(text: string, secrets: Iterable<string>): string[] {
  const seen = windows(text);
  const found: string[] = [];
  for (const secret of secrets) {
    for (let i = 0; i + WINDOW <= secret.length; i++) {
      if (seen.has(secret.slice(i, i + WINDOW))) {
        found.push(`${secret.slice(0, 12)}… (at ${i})`);
        break;
      }
    }
  }
  return found;
}

beforeAll(async () => {
  for (const options of [{ log: 'json' as const, detailedErrors: true }, { log: 'pretty' as const }]) {
    const lines: string[] = [];
    const mock = await mockOn({ ...options, adminToken: ADMIN, logTo: (line) => lines.push(line) });
    runs.push(await traffic(mock, lines));
  }
  // While requests keep coming, the request log writes at most every 10 ms: its last lines are out after that.
  await new Promise((resolve) => setTimeout(resolve, 50));
});
afterAll(async () => {
  await Promise.all(runs.map((run) => run.mock.close()));
});

describe.each([0, 1])('mock %i (0: JSON log, detailed errors; 1: pretty log)', (index) => {
  const run = () => runs[index] as Run;

  it('the traffic reached the mock: every presentation is in the log and the journal', async () => {
    // A write may hold several lines: count the lines, not the writes.
    expect(run().lines.join('').split('\n').filter(Boolean).length).toBe(run().answers.filter((a) => a.contract).length);
    const statuses = new Set(run().answers.map((a) => a.answer.status));
    for (const status of [200, 400, 401, 403]) expect(statuses).toContain(status);
  });

  it('no log line holds a token, a piece of a signature or the admin token', () => {
    const log = run().lines.join('');
    expect(log).not.toMatch(/eyJ[\w-]{10,}/);
    expect(echoed(log, run().secrets)).toEqual([]);
  });

  it('the journal holds no token, only the documented fields', async () => {
    const response = await fetch(`${run().mock.url}/__mock/requests`, { headers: { 'x-mock-admin-token': ADMIN } });
    const text = await response.text();
    const { requests } = JSON.parse(text) as { requests: Record<string, unknown>[] };
    expect(requests.length).toBeGreaterThan(20);
    expect(text).not.toMatch(/eyJ[\w-]{10,}/);
    expect(echoed(text, run().secrets)).toEqual([]);
    const documented = new Set(['at', 'method', 'path', 'status', 'reason', 'faultId', 'sub', 'jti', 'sid', 'session', 'operation', 'email', 'ms']);
    for (const entry of requests) expect(Object.keys(entry).filter((key) => !documented.has(key))).toEqual([]);
  });

  it('the session list names tokens by jti, never by their string', async () => {
    const text = await (await fetch(`${run().mock.url}/__mock/sessions`, { headers: { 'x-mock-admin-token': ADMIN } })).text();
    expect(JSON.parse(text).sessions.length).toBeGreaterThan(0);
    expect(echoed(text, run().secrets)).toEqual([]);
  });

  it('no answer echoes a secret: not X-Mock-Reason, not WWW-Authenticate, not the body', () => {
    for (const { what, answer } of run().answers) {
      const shown = [answer.headers.get('x-mock-reason') ?? '', answer.headers.get('www-authenticate') ?? '', answer.text].join('\n');
      expect(echoed(shown, run().secrets), `${what}: ${shown}`).toEqual([]);
    }
  });

  it('the refusals still say why, in words', () => {
    const reasons = run().answers.map((a) => a.answer.headers.get('x-mock-reason') ?? (a.answer.body as { message?: string })?.message ?? '');
    expect(reasons.some((r) => /does not parse/.test(r))).toBe(true);
    expect(reasons.some((r) => /revoked/.test(r))).toBe(true);
    expect(reasons.some((r) => /signature/.test(r))).toBe(true);
  });
});

describe('answers written before the app runs (431, 400 from the parser, with CORS) echo no token', () => {
  it.each([
    ['headers too large', (auth: string) => `X-Big: ${'a'.repeat(20_000)}\r\n${auth}`],
    ['a control byte in a header', (auth: string) => `${auth}X-\x01A: b\r\n`],
    ['a token right after the Origin, in a line the parser refuses', (auth: string) => `${auth.replace('\r\n', '\x01\r\n')}`],
  ])('%s', async (_name, build) => {
    const run = runs[0] as Run;
    const { token } = await run.mock.issueToken();
    const auth = `Authorization: Bearer ${token}\r\nCookie: access_token=${token}\r\n`;
    const request = `POST ${new URL(run.mock.urls.logout).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://app.localhost\r\n${build(auth)}\r\n`;
    const { data, responses } = await exchange(run.mock.port, [Buffer.from(request, 'latin1')]);
    expect([400, 431]).toContain(responses[0]?.status);
    expect(responses[0]?.headers.get('access-control-allow-origin')).toBe('http://app.localhost');
    expect(echoed(data.toString('latin1'), secretParts(token))).toEqual([]);
  });
});

/**
 * Invitations and password resets: invite and reset tokens and passwords never reach the request log, the journal,
 * `X-Mock-Reason` or any answer's body, whichever way a client sends them (valid, refused, damaged, percent-encoded,
 * on a mistyped path, in a body that does not parse); the journal shows accept's path with `{token}` for the token.
 */
describe('invite and reset tokens and passwords', () => {
  // Passwords that share no run of WINDOW characters with anything else the mock writes ("password-reset", …).
  const PASSWORDS = ['Kx9#Tq2!Wm4zAc', 'zqxwvbnmlkjhgf-weak', 'Vb3$Hn8@Rt5yDe', 'Pm6&Jd1*Lq7wFg', 'Yc4%Gs9^Nf2xHj'];
  /**
   * What must never show: the passwords and the mailed tokens, whole (the log and the journal hold no JWT at all) and
   * by their signatures (`signatures`: a 200 that signs in carries tokens of its own, whose header is any JWT's).
   */
  type MailRun = { mock: Mock; lines: string[]; answers: { what: string; answer: Answer }[]; secrets: Set<string>; signatures: Set<string> };
  const mailRuns: MailRun[] = [];

  async function mailTraffic(mock: Mock, lines: string[]): Promise<MailRun> {
    const run: MailRun = { mock, lines, answers: [], secrets: new Set(PASSWORDS), signatures: new Set(PASSWORDS) };
    const keep = (token: string) => {
      for (const part of secretParts(token)) if (part.length >= WINDOW) run.secrets.add(part);
      run.signatures.add(token.split('.')[2] as string);
    };
    const send = async (what: string, path: string, init: CallInit = {}) => run.answers.push({ what, answer: await call(mock.url, path, init) });
    const owner = await ownerToken(mock.url);
    const email = 'secret-keeper@shop.example';
    const { userId, invitation: first } = await invite(mock.url, { email }, owner);
    const second = await resend(mock.url, owner, userId, email);
    keep(first.token);
    keep(second.token);
    const [h, p, s] = second.token.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;

    await send('a weak password', acceptPath(second.token), { json: { password: PASSWORDS[1] } });
    await send('a superseded invitation', acceptPath(first.token), { json: { password: PASSWORDS[0] } });
    await send('a damaged invitation', acceptPath(flipped), { json: { password: PASSWORDS[0] } });
    await send('an invitation with its dots percent-encoded', `/invite/${second.token.replaceAll('.', '%2E')}/accept`, { json: { password: PASSWORDS[1] } });
    await send('a body that does not parse', acceptPath(second.token), {
      body: `{"password": "${PASSWORDS[4]}"`,
      headers: { 'content-type': 'application/json' },
    });
    await send('a mistyped accept path', `/invite/${second.token}/accepted`, { json: { password: PASSWORDS[0] } });
    await send('a mistyped invite path', `/invites/${second.token}/accept`, { json: { password: PASSWORDS[0] } });
    await send('another method on accept', acceptPath(second.token), { method: 'GET' });
    await send('a forced 200 on accept', acceptPath(second.token), { json: { password: PASSWORDS[3] }, headers: { prefer: 'code=200' } });
    await send('the invitation accepted', acceptPath(second.token), { json: { password: PASSWORDS[0] } });
    await send('the invitation accepted again', acceptPath(second.token), { json: { password: PASSWORDS[2] } });

    await send('forgot password', '/forgot-password', { json: { email } });
    await send('forgot password again', '/forgot-password', { json: { email } });
    const [older, newer] = (await outboxAt(mock.url, { recipient: email, kind: 'password-reset' })) as [OutboxMessage, OutboxMessage];
    keep(older.token);
    keep(newer.token);
    await send('a reset with a weak password', '/reset-password', { json: { password: PASSWORDS[1], reset_token: newer.token } });
    await send('a reset with a superseded link', '/reset-password', { json: { password: PASSWORDS[2], reset_token: older.token } });
    await send('a reset with a damaged link', '/reset-password', { json: { password: PASSWORDS[2], reset_token: `${newer.token}x` } });
    await send('a reset token where the password goes', '/reset-password', { json: { password: newer.token, reset_token: PASSWORDS[2] } });
    await send('a reset with the link as a number', '/reset-password', { json: { password: PASSWORDS[2], reset_token: [newer.token] } });
    await send('a reset body that does not parse', '/reset-password', {
      body: `{"password": "${PASSWORDS[4]}", "reset_token": "${newer.token}"`,
      headers: { 'content-type': 'application/json' },
    });
    await send('the reset', '/reset-password', { json: { password: PASSWORDS[2], reset_token: newer.token } });
    await send('the reset again', '/reset-password', { json: { password: PASSWORDS[2], reset_token: newer.token } });
    await send('a sign-in with the new password', '/customer/sign-in', { json: { email, password: PASSWORDS[2] } });
    await send('a sign-in with the old password', '/customer/sign-in', { json: { email, password: PASSWORDS[0] } });
    return run;
  }

  beforeAll(async () => {
    for (const options of [{ log: 'json' as const, detailedErrors: true }, { log: 'pretty' as const }]) {
      const lines: string[] = [];
      const mock = await mockOn({ ...options, logTo: (line) => lines.push(line) });
      mailRuns.push(await mailTraffic(mock, lines));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  afterAll(async () => {
    await Promise.all(mailRuns.map((run) => run.mock.close()));
  });

  describe.each([0, 1])('mock %i (0: JSON log, detailed errors; 1: pretty log)', (index) => {
    const run = () => mailRuns[index] as MailRun;

    it('the traffic reached the mock: refusals, a 500, successes', () => {
      const statuses = new Set(run().answers.map((a) => a.answer.status));
      for (const status of [200, 400, 404, 405, 500]) expect(statuses).toContain(status);
    });

    it('no log line holds a token, a piece of a signature or a password', () => {
      const log = run().lines.join('');
      expect(log).toMatch(/invite\/\{token\}\/accept/);
      expect(log).not.toMatch(/eyJ[\w-]{10,}/);
      expect(echoed(log, run().secrets)).toEqual([]);
    });

    it("the journal holds none either, and shows accept's path with {token}", async () => {
      const entries = await run().mock.requests({ limit: 1000 });
      const text = JSON.stringify(entries);
      expect(echoed(text, run().secrets)).toEqual([]);
      const accepts = entries.filter((entry) => entry.operation === 'accept-invitation');
      expect(accepts.length).toBeGreaterThan(5);
      for (const entry of accepts) expect(entry.path).toBe('/auth/api/v1/invite/{token}/accept');
    });

    it('no answer echoes one: not X-Mock-Reason, not the body', () => {
      for (const { what, answer } of run().answers) {
        const shown = [answer.headers.get('x-mock-reason') ?? '', answer.headers.get('www-authenticate') ?? '', answer.text].join('\n');
        // A 200 that signs in carries tokens of its own (checked by the mailed tokens' signatures); any other, no JWT at all.
        const signsIn = answer.status === 200 && /"access_token"/.test(answer.text);
        expect(echoed(shown, signsIn ? run().signatures : run().secrets), `${what}: ${shown}`).toEqual([]);
      }
    });

    it('the refusals still say why, in words', () => {
      const reasons = run().answers.map((a) => a.answer.headers.get('x-mock-reason') ?? (a.answer.body as { message?: string })?.message ?? '');
      for (const words of [/signature/, /superseded/, /already been accepted/, /does not parse|JSON/, /at least 1 upper-cased letter/, /no route/]) {
        expect(
          reasons.some((reason) => words.test(reason)),
          String(words),
        ).toBe(true);
      }
    });
  });
});
