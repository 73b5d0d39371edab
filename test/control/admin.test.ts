import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Mock } from '../../src/mock.ts';
import { runCli } from '../support/cli.ts';
import { control as controlAt, mockOn, read, violations } from '../support/mock.ts';

/**
 * The locked control API: bound beyond loopback, the mock refuses to start without `--admin-token`
 * (or `--unsafe-open-admin`); with a token, every `/__mock` call but health and the panel page needs
 * it, while the contract operation stays open as in production. The mocks below bind 0.0.0.0 but are
 * only ever reached through 127.0.0.1.
 */

const SECRET = 'qa-floor-admin-7f3c9b21';

describe('a mock bound beyond loopback', () => {
  it.each(['0.0.0.0', '::', '10.1.2.3', 'mock.internal.example', '::ffff:127.0.0.1'])(
    'refuses --host %s without --admin-token, naming the flag and the way out',
    (host) => {
      let error: unknown;
      try {
        loadConfig({ host });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('--admin-token');
      expect((error as ConfigError).message).toContain('--admin-token');
      expect((error as ConfigError).message).toContain('--unsafe-open-admin');
    },
  );

  it.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('starts on loopback %s without an admin token', (host) => {
    expect(loadConfig({ host }).host).toBe(host);
  });

  it('`worth-auth-mock start --host 0.0.0.0` exits 2 with a message naming --admin-token, and does not listen', async () => {
    const run = await runCli(['start', '--host', '0.0.0.0', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--admin-token');
    expect(run.stderr).toContain('--unsafe-open-admin');
    expect(run.stdout).not.toContain('listening');
  });

  it('the same refusal comes from WORTH_MOCK_HOST', async () => {
    const before = process.env.WORTH_MOCK_HOST;
    process.env.WORTH_MOCK_HOST = '0.0.0.0';
    try {
      const run = await runCli(['start', '--port', '0']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--admin-token');
    } finally {
      if (before === undefined) delete process.env.WORTH_MOCK_HOST;
      else process.env.WORTH_MOCK_HOST = before;
    }
  });

  it('a blank --admin-token does not count as one', async () => {
    const run = await runCli(['start', '--host', '0.0.0.0', '--port', '0', '--admin-token', '   ']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--admin-token');
  });
});

describe('with --admin-token', () => {
  let mock: Mock;
  let root: string;
  let logoutUrl: string;

  beforeAll(async () => {
    mock = await mockOn({ host: '0.0.0.0', adminToken: SECRET });
    root = `http://127.0.0.1:${mock.port}`;
    logoutUrl = `${root}${new URL(mock.urls.logout).pathname}`;
  });
  afterAll(async () => {
    await mock?.close();
  });

  const control = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => controlAt(root, method, path, body, headers);

  /** Every control route, with what it answers when the right token comes with a harmless request. */
  const ROUTES: [method: string, path: string, body: unknown, withToken: number][] = [
    ['POST', '/__mock/tokens', {}, 201],
    ['GET', '/__mock/sessions', undefined, 200],
    ['POST', '/__mock/faults', { status: 500, match: { session: 'admin-test' } }, 201],
    ['GET', '/__mock/faults', undefined, 200],
    ['DELETE', '/__mock/faults/f_000000000000', undefined, 404],
    ['DELETE', '/__mock/faults', undefined, 200],
    ['GET', '/__mock/requests', undefined, 200],
    ['DELETE', '/__mock/requests', undefined, 200],
    ['POST', '/__mock/provider-states', { state: '' }, 200],
    ['POST', '/__mock/reset', undefined, 200],
    ['GET', '/__mock/no-such-route', undefined, 404],
    ['PUT', '/__mock/tokens', undefined, 405],
  ];

  /** Ways of almost presenting the token. */
  const WRONG: [name: string, headers: Record<string, string>][] = [
    ['no token', {}],
    ['an empty token', { 'x-mock-admin-token': '' }],
    ['another case', { 'x-mock-admin-token': SECRET.toUpperCase() }],
    ['one character short', { 'x-mock-admin-token': SECRET.slice(0, -1) }],
    ['one character more', { 'x-mock-admin-token': `${SECRET}x` }],
    ['a trailing space inside quotes', { 'x-mock-admin-token': `"${SECRET} "` }],
    ['a 10,000-character guess', { 'x-mock-admin-token': 'g'.repeat(10_000) }],
    ['the token twice', { 'x-mock-admin-token': `${SECRET}, ${SECRET}` }],
    ['the token as a bearer', { authorization: `Bearer ${SECRET}` }],
    ['the token in a cookie', { cookie: `x-mock-admin-token=${SECRET}` }],
  ];

  it.each(ROUTES)('%s %s without the right token: 401 ERR_ADMIN_TOKEN for every near miss', async (method, path, body) => {
    for (const [name, headers] of WRONG) {
      const answer = await control(method, path, headers, body);
      expect(answer.status, name).toBe(401);
      expect(answer.body, name).toMatchObject({ errorCode: 'ERR_ADMIN_TOKEN' });
      // The refusal says where the token comes from: the flag and the env var a user types.
      expect((answer.body as { message: string }).message, name).toMatch(/--admin-token.*WORTH_MOCK_ADMIN_TOKEN.*X-Mock-Admin-Token/);
      expect(answer.text, name).not.toContain(SECRET);
    }
  });

  it.each(ROUTES)('%s %s with the token: %#', async (method, path, body, withToken) => {
    const answer = await control(method, path, { 'x-mock-admin-token': SECRET }, body);
    expect(answer.status, answer.text).toBe(withToken);
  });

  it('refused calls change nothing: no token is minted, no fault armed, nothing reset', async () => {
    const admin = { 'x-mock-admin-token': SECRET };
    await control('POST', '/__mock/reset', admin);
    const { token } = (await control('POST', '/__mock/tokens', admin, {})).body as { token: string };
    await control('POST', '/__mock/tokens', {}, {});
    await control('POST', '/__mock/faults', { 'x-mock-admin-token': 'guess' }, { status: 500, times: null });
    await control('POST', '/__mock/reset', {});
    expect(((await control('GET', '/__mock/faults', admin)).body as { faults: unknown[] }).faults).toEqual([]);
    expect(((await control('GET', '/__mock/sessions', admin)).body as { sessions: unknown[] }).sessions).toHaveLength(2);
    // The sign-in minted with the token survived the refused reset: it logs out once.
    const answer = await read(await fetch(logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
    expect(answer.status).toBe(200);
  });

  it('health and the panel page stay open (the panel asks for the token itself); CORS preflight carries no state', async () => {
    expect((await control('GET', '/__mock/health')).status).toBe(200);
    const panel = await fetch(`${root}/__mock/`);
    expect(panel.status).not.toBe(401);
    await panel.arrayBuffer();
    const preflight = await fetch(`${root}/__mock/tokens`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
  });

  it('the contract operation stays open as in production: no admin token, its documented answers', async () => {
    const anonymous = await read(await fetch(logoutUrl, { method: 'POST' }));
    expect(anonymous.status).toBe(401);
    expect(await violations(anonymous)).toEqual([]);
    const { token } = (await control('POST', '/__mock/tokens', { 'x-mock-admin-token': SECRET }, {})).body as { token: string };
    const first = await read(await fetch(logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
    expect(first.status).toBe(200);
    expect(await violations(first)).toEqual([]);
    const jwks = await fetch(`${root}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    await jwks.arrayBuffer();
  });

  it('the admin token does not unlock anything on the contract path (it is not a bearer)', async () => {
    const answer = await read(await fetch(logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'x-mock-admin-token': SECRET } }));
    expect(answer.status).toBe(401);
    expect(await violations(answer)).toEqual([]);
  });

  it('the CLI reaches it with --admin-token (or WORTH_MOCK_ADMIN_TOKEN) and is refused without', async () => {
    const minted = await runCli(['token', '--url', root, '--admin-token', SECRET]);
    expect(minted.code).toBe(0);
    expect(minted.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const refused = await runCli(['fault', 'arm', '500', '--url', root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('401');
    expect(refused.stderr).toMatch(/admin token/i);
    const before = process.env.WORTH_MOCK_ADMIN_TOKEN;
    process.env.WORTH_MOCK_ADMIN_TOKEN = SECRET;
    try {
      const listed = await runCli(['fault', 'list', '--url', root]);
      expect(listed.code).toBe(0);
    } finally {
      if (before === undefined) delete process.env.WORTH_MOCK_ADMIN_TOKEN;
      else process.env.WORTH_MOCK_ADMIN_TOKEN = before;
    }
  });
});

describe('with --unsafe-open-admin', () => {
  it('starts beyond loopback and leaves the control API open, as asked', async () => {
    const mock = await mockOn({ host: '0.0.0.0', unsafeOpenAdmin: true });
    try {
      const response = await fetch(`http://127.0.0.1:${mock.port}/__mock/tokens`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(201);
      await response.arrayBuffer();
    } finally {
      await mock.close();
    }
  });
});

describe('an admin token on loopback', () => {
  it('locks the control API there too', async () => {
    const mock = await mockOn({ adminToken: SECRET });
    try {
      const refused = await fetch(`${mock.url}/__mock/faults`, { method: 'POST', body: '{"status":500}' });
      expect(refused.status).toBe(401);
      await refused.arrayBuffer();
      const armed = await fetch(`${mock.url}/__mock/faults`, { method: 'POST', body: '{"status":500}', headers: { 'x-mock-admin-token': SECRET } });
      expect(armed.status).toBe(201);
      await armed.arrayBuffer();
    } finally {
      await mock.close();
    }
  });
});

/** A control call with any Host and Origin (fetch will not forge Host): resolves the status. */
function call(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'text/plain', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a loopback mock without an admin token (the default)', () => {
  let mock: Mock;
  beforeAll(async () => {
    mock = await mockOn();
  });
  afterAll(async () => {
    await mock?.close();
  });
  const host = () => `127.0.0.1:${mock.port}`;

  it.each([
    ['a script on this machine (no Origin)', {}],
    ['a page on http://localhost:3000', { origin: 'http://localhost:3000' }],
    ['a page on http://127.0.0.1:5173', { origin: 'http://127.0.0.1:5173' }],
    ['a page on http://[::1]:8080', { origin: 'http://[::1]:8080' }],
    ['a page on http://shop.localhost:3000', { origin: 'http://shop.localhost:3000' }],
    ['a tool that says Host: localhost', { host: 'localhost' }],
  ])('serves %s', async (_name, headers: Record<string, string>) => {
    const answer = await call(mock.port, 'POST', '/__mock/tokens', { host: host(), ...headers }, '{}');
    expect(answer.status, answer.text).toBe(201);
  });

  it.each([
    ['a web page the developer visits (a simple cross-site POST, no preflight)', { origin: 'https://evil.example' }],
    ['a look-alike origin', { origin: 'http://127.0.0.1.evil.example' }],
    ['a sandboxed frame or a file:// page (Origin: null)', { origin: 'null' }],
    ['a DNS-rebinding host name', { host: 'evil.example' }],
    ['a public name that resolves to 127.0.0.1', { host: '127.0.0.1.nip.io' }],
  ])('refuses %s with 403 ERR_CROSS_SITE, minting nothing, arming nothing, reading nothing', async (_name, headers: Record<string, string>) => {
    const before = (await mock.tokens()).length;
    const minted = await call(mock.port, 'POST', '/__mock/tokens', { host: host(), ...headers }, '{}');
    const armed = await call(mock.port, 'POST', '/__mock/faults', { host: host(), ...headers }, '{"status":500,"times":null}');
    const read_ = await call(mock.port, 'GET', '/__mock/requests', { host: host(), ...headers });
    for (const answer of [minted, armed, read_]) {
      expect(answer.status, answer.text).toBe(403);
      expect(JSON.parse(answer.text)).toMatchObject({ errorCode: 'ERR_CROSS_SITE' });
      expect(answer.text).toContain('--admin-token');
    }
    expect((await mock.tokens()).length).toBe(before);
    expect(await mock.faults.list()).toEqual([]);
  });

  it('keeps the contract operation and health open to any origin', async () => {
    const answer = await read(await fetch(mock.urls.logout, { method: 'POST', headers: { origin: 'https://app.example.com' } }));
    expect(answer.status).toBe(401);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(await violations(answer)).toEqual([]);
    expect((await call(mock.port, 'GET', '/__mock/health', { host: 'evil.example', origin: 'https://evil.example' })).status).toBe(200);
  });

  it('with an admin token, the token is the lock: any origin that has it is served', async () => {
    const locked = await mockOn({ adminToken: SECRET });
    try {
      const answer = await call(
        locked.port,
        'POST',
        '/__mock/tokens',
        { host: 'mock.qa.example', origin: 'https://qa.example', 'x-mock-admin-token': SECRET },
        '{}',
      );
      expect(answer.status, answer.text).toBe(201);
    } finally {
      await locked.close();
    }
  });

  it('with --unsafe-open-admin, nothing is checked, as asked', async () => {
    const open = await mockOn({ host: '0.0.0.0', unsafeOpenAdmin: true });
    try {
      const answer = await call(open.port, 'POST', '/__mock/tokens', { host: '10.1.2.3', origin: 'http://qa-laptop:3000' }, '{}');
      expect(answer.status, answer.text).toBe(201);
    } finally {
      await open.close();
    }
  });
});
