import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BannerMock, banner } from '../../src/cli/banner.ts';
import { DEFAULT_URL } from '../../src/cli/client.ts';
import type { Io } from '../../src/io.ts';
import type { Mock } from '../../src/mock.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { commandLines, runCli, startCli } from '../support/cli.ts';
import { decode } from '../support/crafted.ts';
import { mockOn } from '../support/mock.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

const QUIET: Io = { stdout: () => {}, stderr: () => {}, color: false, signal: new AbortController().signal };
const fieldsOf = (mock: Mock): BannerMock => ({ url: mock.url, baseUrl: mock.baseUrl, urls: mock.urls, contract: mock.contract, config: mock.config });

/** Runs a command line as a user pastes it, with the real shell and curl (`-i`): the status and the JSON body. */
async function shell(line: string): Promise<{ status: number; body: unknown }> {
  const { stdout } = await promisify(execFile)('sh', ['-c', line]);
  const [head = '', ...rest] = stdout.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(rest.join('\r\n\r\n')) };
}

const post = (url: string, token?: string) => fetch(url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} }).then((r) => r.status);

describe('argv → behaviour of `start`', () => {
  it('prints a banner with the URL, a ready customer token and a curl that logs it out', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const banner = cli.output();
      expect(banner).toMatch(/^worth-auth-mock — a stateful mock of the Auth Service, listening$/m);
      expect(banner).toContain(`Base URL   ${cli.baseUrl}`);
      // Every operation it serves, by name, with its method and URL.
      expect(banner).toMatch(new RegExp(`^ {2}sign-in +POST {3}${cli.baseUrl}/customer/sign-in$`, 'm'));
      expect(banner).toMatch(new RegExp(`^ {2}refresh +POST {3}${cli.baseUrl}/refresh-token/customer$`, 'm'));
      expect(banner).toMatch(new RegExp(`^ {2}logout +POST {3}${cli.baseUrl}/customer/logout$`, 'm'));
      expect(cli.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/api\/v1$/);
      const token = /^ {2}(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(banner)?.[1];
      expect(token).toBeDefined();
      expect(decode(token!).payload['custom:role']).toBe('customer');
      expect(banner).toContain(`curl -i -X POST ${cli.baseUrl}/customer/logout -H "Authorization: Bearer ${token}"`);
      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(200);
      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(401);
    } finally {
      expect((await cli.stop()).code).toBe(0);
    }
  });

  it('names the demo customer; its sign-in curl, run by a shell, signs in: log out with the id token → 200, then its refresh token → 401', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const banner = cli.output();
      expect(banner).toContain(`email ${DEMO_USER.email}  password ${DEMO_USER.password}`);
      const [signInCurl] = commandLines(banner, 'curl');
      expect(signInCurl).toContain(`${cli.baseUrl}/customer/sign-in`);
      const signedIn = await shell(signInCurl!);
      expect(signedIn.status).toBe(200);
      const { id_token, refresh_token } = (signedIn.body as { data: { id_token: string; refresh_token: string } }).data;
      expect(decode(id_token).payload.email).toBe(DEMO_USER.email);
      expect(await post(`${cli.baseUrl}/customer/logout`, id_token)).toBe(200);
      const refreshed = await fetch(`${cli.baseUrl}/refresh-token/customer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token }),
      });
      expect(refreshed.status).toBe(401);
    } finally {
      await cli.stop();
    }
  });

  it("a --users file that gives the demo email another password: the banner prints no password, and its curl says to use the user's own", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wam-banner-'));
    const file = join(dir, 'users.json');
    await writeFile(file, JSON.stringify([{ email: DEMO_USER.email, password: 'Other-Password-9!', sub: DEMO_USER.sub }]));
    const cli = await startCli(['--port', '0', '--log', 'off', '--users', file]);
    try {
      const text = cli.output();
      expect(text).not.toContain(DEMO_USER.password);
      expect(text).toContain('sign in as one with its password');
      expect(commandLines(text, 'curl')[0]).toContain('"password":"its-password"');
    } finally {
      await cli.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('on a port other than 4010 it prints the export line that `token` (and every other command) then needs', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const exports = commandLines(cli.output(), 'export');
      expect(exports).toEqual([`export WORTH_MOCK_URL=${cli.url}`]);
      vi.stubEnv('WORTH_MOCK_URL', exports[0]!.split('=')[1]!);
      const minted = await runCli(['token']);
      expect(minted.code, minted.stderr).toBe(0);
      expect(await post(`${cli.baseUrl}/customer/logout`, minted.stdout.trim())).toBe(200);
    } finally {
      await cli.stop();
    }
  });

  it('with an admin token it names WORTH_MOCK_ADMIN_TOKEN but never prints the secret', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off', '--admin-token', 'banner-s3cret-value']);
    try {
      expect(cli.output()).not.toContain('banner-s3cret-value');
      const exports = commandLines(cli.output(), 'export');
      expect(exports[0]).toBe(`export WORTH_MOCK_URL=${cli.url}`);
      expect(exports[1]).toMatch(/^export WORTH_MOCK_ADMIN_TOKEN=… +# the secret given to --admin-token \(not printed\)$/);
      vi.stubEnv('WORTH_MOCK_URL', cli.url);
      expect((await runCli(['token'])).code).toBe(1);
      vi.stubEnv('WORTH_MOCK_ADMIN_TOKEN', 'banner-s3cret-value');
      expect((await runCli(['token'])).code).toBe(0);
    } finally {
      await cli.stop();
    }
  });

  it('on the default URL (http://127.0.0.1:4010) and without an admin token it prints no export line', async () => {
    const mock = await mockOn();
    try {
      const signIn = await mock.issueToken();
      const text = banner(QUIET, { ...fieldsOf(mock), url: DEFAULT_URL }, { signIn, users: await mock.users.list(), adminTokenFromEnv: false });
      expect(commandLines(text, 'export')).toEqual([]);
      expect(text).toContain('`worth-auth-mock token` mints more):');
    } finally {
      await mock.close();
    }
  });

  it.each([
    ['http://0.0.0.0:4010', '0.0.0.0', []],
    ['http://[::]:4010', '::', []],
    ['http://0.0.0.0:5000', '0.0.0.0', ['export WORTH_MOCK_URL=http://127.0.0.1:5000']],
    ['http://[::1]:4010', '::1', ['export WORTH_MOCK_URL=http://[::1]:4010']],
  ])('bound as %s (--host %s) it exports %j: a wildcard address is reached on loopback', async (url, host, exports) => {
    const mock = await mockOn();
    try {
      const signIn = await mock.issueToken();
      const fields = { ...fieldsOf(mock), url, config: { ...mock.config, host, issuer: 'https://issuer.example' } };
      const text = banner(QUIET, fields, { signIn, users: [], adminTokenFromEnv: false });
      expect(commandLines(text, 'export')).toEqual(exports);
    } finally {
      await mock.close();
    }
  });

  it('with --users FILE it counts the users and prints no password; its curl names the first email', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'worth-cli-users-'));
    const file = join(dir, 'users.json');
    await writeFile(
      file,
      JSON.stringify([
        { email: 'ada@example.com', password: 'file-Secret-1' },
        { email: "o'brien@example.com", password: 'file-Secret-2' },
      ]),
    );
    const cli = await startCli(['--port', '0', '--log', 'off', '--users', file]);
    try {
      const text = cli.output();
      expect(text).toContain('Users who can sign in: 2');
      expect(text).not.toContain('file-Secret');
      expect(text).not.toContain(DEMO_USER.password);
      expect(commandLines(text, 'curl')[0]).toContain('"email":"ada@example.com"');
    } finally {
      await cli.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--idempotent-logout'], {}, 200],
    [[], { WORTH_MOCK_IDEMPOTENT_LOGOUT: 'true' }, 200],
    [[], { WORTH_MOCK_IDEMPOTENT_LOGOUT: 'false' }, 401],
    [[], {}, 401],
  ] as const)('flags %j / env %j → a repeated logout answers %i', async (flags, env, second) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const cli = await startCli(['--port', '0', '--log', 'off', ...flags]);
    try {
      const { stdout } = await runCli(['token', '--url', cli.url]);
      const token = stdout.trim();
      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(200);
      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(second);
    } finally {
      await cli.stop();
    }
  });

  it('--base-path, --token-ttl and --issuer reach the mock; WORTH_MOCK_BASE_PATH is the fallback', async () => {
    vi.stubEnv('WORTH_MOCK_BASE_PATH', '/from-env');
    const cli = await startCli(['--port', '0', '--log', 'off', '--token-ttl', '90', '--issuer', 'https://issuer.test/pool']);
    try {
      expect(cli.baseUrl.endsWith('/from-env')).toBe(true);
      const { stdout } = await runCli(['token', '--url', cli.url, '--json']);
      const { claims } = JSON.parse(stdout) as { claims: { iss: string; exp: number; iat: number } };
      expect(claims.iss).toBe('https://issuer.test/pool');
      expect(claims.exp - claims.iat).toBe(90);
    } finally {
      await cli.stop();
    }
  });

  it('--log json writes one JSON line per request, without the token', async () => {
    const cli = await startCli(['--port', '0', '--log', 'json']);
    try {
      const { stdout } = await runCli(['token', '--url', cli.url, '--sub', 'cust-log']);
      await post(`${cli.baseUrl}/customer/logout`, stdout.trim());
      const line = cli
        .output()
        .split('\n')
        .find((l) => l.startsWith('{') && l.includes('cust-log'));
      expect(JSON.parse(line!)).toMatchObject({ method: 'POST', status: 200, sub: 'cust-log' });
      expect(line).not.toContain(stdout.trim().split('.')[2]);
    } finally {
      await cli.stop();
    }
  });
});

describe('usage errors exit 2 and say what was wrong', () => {
  it.each([
    [['start', '--port', 'abc'], /--port/],
    [['start', '--port', '70000'], /--port/],
    [['start', '--alg', 'PS512'], /--alg/],
    [['start', '--log', 'loud'], /--log/],
    [['start', '--host', '0.0.0.0'], /--admin-token/],
    [['start', '--redis', 'http://nope'], /--redis/],
    [['token', '--kind', 'sideways'], /--kind/],
    [['token', '--ttl', '0'], /--ttl/],
    [['token', '--ttl', '5x'], /option '--ttl <duration>' argument '5x' is invalid/],
    [['token', '--ttl', '1500ms'], /--ttl.*whole seconds/],
    [['fault', 'arm', '--probability', '2'], /--probability/],
    [['launch'], /unknown command/],
    [['start', '--colour'], /unknown option/],
  ])('%j', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('an env var fallback that is wrong is named by its flag', async () => {
    vi.stubEnv('WORTH_MOCK_PORT', 'twelve');
    const run = await runCli(['start']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port/);
  });

  it('a port in use is a clear error', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const port = new URL(cli.url).port;
      const run = await runCli(['start', '--port', port, '--log', 'off']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`port ${port}.*in use`));
    } finally {
      await cli.stop();
    }
  });
});

describe('commands that talk to a running mock', () => {
  it('token, token --kind, sessions, requests, reset', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const valid = await runCli(['token', '--url', cli.url, '--sub', 'cust-42', '--claim', 'tier=2', '--claim', 'nick=ada']);
      expect(valid.code).toBe(0);
      const token = valid.stdout.trim();
      expect(decode(token).payload).toMatchObject({ sub: 'cust-42', tier: 2, nick: 'ada' });
      const expired = (await runCli(['token', '--url', cli.url, '--kind', 'expired'])).stdout.trim();
      expect(await post(`${cli.baseUrl}/customer/logout`, expired)).toBe(401);
      const id = (await runCli(['token', '--url', cli.url, '--id-token'])).stdout.trim();
      expect(decode(id).payload.token_use).toBe('id');

      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(200);
      const sessions = await runCli(['sessions', '--url', cli.url, '--json']);
      const listed = (JSON.parse(sessions.stdout) as { signIns: { sub: string; status: string; tokens: { status: string }[] }[] }).signIns;
      expect(listed.filter((s) => s.sub === 'cust-42').map((s) => [s.status, s.tokens.map((t) => t.status)])).toEqual([
        ['logged-out', ['logged-out', 'logged-out']],
      ]);

      const requests = await runCli(['requests', '--url', cli.url, '--json', '--sub', 'cust-42']);
      const lines = requests.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { status: number });
      expect(lines.map((l) => l.status)).toEqual([200]);
      const human = await runCli(['requests', '--url', cli.url]);
      expect(human.stdout).toMatch(/ {2}logout {3}401 {2}POST \/auth\/api\/v1\/customer\/logout {2}token expired/);

      expect((await runCli(['reset', '--url', cli.url])).code).toBe(0);
      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(200);
    } finally {
      await cli.stop();
    }
  });

  it.each([
    ['2m', 120],
    ['1h', 3600],
    ['90s', 90],
    ['90', 90], // a bare number keeps token --ttl's unit: seconds
  ])('token --ttl %s → a token valid %i s', async (ttl, seconds) => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const run = await runCli(['token', '--url', cli.url, '--ttl', ttl, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const { claims } = JSON.parse(run.stdout) as { claims: { exp: number; iat: number } };
      expect(claims.exp - claims.iat).toBe(seconds);
    } finally {
      await cli.stop();
    }
  });

  it('no mock running: exit 1 with a hint to start one', async () => {
    const run = await runCli(['token', '--url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach the mock.*worth-auth-mock start/);
  });

  it('--version and --help exit 0', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--idempotent-logout');
    expect(help.stdout).toContain('WORTH_MOCK_PORT');
  });
});
