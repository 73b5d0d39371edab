import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCli } from '../support/cli.ts';
import { decode } from '../support/crafted.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

const post = (url: string, token?: string) => fetch(url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} }).then((r) => r.status);

describe('argv → behaviour of `start`', () => {
  it('prints a banner with the URL, a ready customer token and a curl that logs it out', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      const banner = cli.output();
      expect(banner).toContain(`Base URL   ${cli.baseUrl}`);
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
      const listed = JSON.parse(sessions.stdout) as { sub: string; status: string }[];
      expect(listed.filter((s) => s.sub === 'cust-42').map((s) => s.status)).toEqual(['logged-out', 'logged-out']);

      const requests = await runCli(['requests', '--url', cli.url, '--json', '--sub', 'cust-42']);
      const lines = requests.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { status: number });
      expect(lines.map((l) => l.status)).toEqual([200]);
      const human = await runCli(['requests', '--url', cli.url]);
      expect(human.stdout).toMatch(/POST \/auth\/api\/v1\/customer\/logout {2}401 {2}token expired/);

      expect((await runCli(['reset', '--url', cli.url])).code).toBe(0);
      expect(await post(`${cli.baseUrl}/customer/logout`, token)).toBe(200);
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
