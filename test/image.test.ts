// The container image (Dockerfile), built and run for real with podman: no base image can be pulled here, so the
// Dockerfile's BASE (node:24-slim) is a local stand-in made from this machine's Node 24 (scripts/local-base.ts).
// Podman runs with runc, cgroupfs and the host network, so each container gets its own WORTH_MOCK_PORT.
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureLocalBase } from '../scripts/local-base.ts';
import { runCli, startCli } from './support/cli.ts';
import { control } from './support/mock.ts';
import { asPodmanRun, createPodman, type Podman, packageVersion } from './support/podman.ts';
import { freePort, startRedis } from './support/redis.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'image-test-admin-token';
const ID = `${process.pid}-${Date.now().toString(36)}`;
const IMAGE = `localhost/worth-auth-mock:test-${ID}`;

let podman: Podman;
let base: string;
const containers = new Set<string>();

type Started = { name: string; port: number; origin: string };

/** `podman run -d` of the image on a free port with these env vars (and extra run options); not yet healthy. */
async function runImage(env: Record<string, string>, options: string[] = []): Promise<Started> {
  const port = await freePort();
  const name = `wam-test-${ID}-${containers.size}`;
  containers.add(name);
  const envArgs = Object.entries({ WORTH_MOCK_PORT: String(port), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  // Podman logs that it cannot time the HEALTHCHECK through systemd (there is none here); `podman healthcheck run` runs it.
  await podman.ok(['run', '-d', '--name', name, '--network', 'host', ...envArgs, ...options, IMAGE]);
  return { name, port, origin: `http://127.0.0.1:${port}` };
}

/** Runs the image's HEALTHCHECK until it passes; fails with the container's output if it exits or never passes. */
async function healthy(name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (true) {
    const check = await podman.run(['healthcheck', 'run', name]);
    if (check.code === 0) return;
    const status = (await podman.ok(['inspect', '--format', '{{.State.Status}}', name])).trim();
    if (status !== 'running' || Date.now() > deadline) {
      const logs = await podman.run(['logs', name]);
      throw new Error(`${name} is ${status}, healthcheck: ${(check.stdout + check.stderr).trim()}\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `podman stop` (SIGTERM, per the image's STOPSIGNAL); resolves the exit code the container ended with. */
async function stop(name: string): Promise<number> {
  await podman.ok(['stop', '--time', '20', name]);
  return Number((await podman.ok(['inspect', '--format', '{{.State.ExitCode}}', name])).trim());
}

async function logs(name: string): Promise<string> {
  const { stdout, stderr } = await podman.run(['logs', name]);
  return stdout + stderr;
}

function mint(origin: string, body: Record<string, unknown> = {}) {
  return control(origin, 'POST', '/__mock/tokens', body, { 'x-mock-admin-token': ADMIN });
}

async function logoutStatus(origin: string, token: string): Promise<number> {
  const response = await fetch(`${origin}/auth/api/v1/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

describe('the container image', () => {
  beforeAll(async () => {
    podman = await createPodman();
    let started = Date.now();
    base = await ensureLocalBase(asPodmanRun(podman));
    const baseMs = Date.now() - started;
    started = Date.now();
    await podman.ok(
      [
        'build',
        '--format',
        'docker',
        '--network',
        'host',
        '--pull=never',
        '--build-arg',
        `BASE=${base}`,
        '--build-arg',
        `VERSION=${await packageVersion()}`,
        '-t',
        IMAGE,
        ROOT,
      ],
      { timeoutMs: 900_000 },
    );
    const size = Number(await podman.ok(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
    console.log(
      `image: base ${base} ready in ${baseMs} ms; built ${IMAGE} in ${Date.now() - started} ms (${podman.storageDriver} storage); ${(size / 1e6).toFixed(1)} MB`,
    );
  }, 1_200_000);

  afterAll(async () => {
    if (!podman) return;
    for (const name of containers) await podman.run(['rm', '--force', '--time', '0', name]);
    // --no-prune: the untagged images the build left are podman's build cache; the next run's build reuses them.
    await podman.run(['rmi', '--no-prune', IMAGE]);
    await podman.dispose();
  }, 120_000);

  it('is what the Dockerfile promises: non-root, 0.0.0.0:4010, /data, a HEALTHCHECK, SIGTERM, OCI labels, under 250 MB', async () => {
    const [image] = JSON.parse(await podman.ok(['image', 'inspect', IMAGE])) as {
      Config: {
        User: string;
        Env: string[];
        Entrypoint: string[];
        Cmd: string[];
        ExposedPorts: object;
        Volumes: object;
        StopSignal: string;
        Labels: Record<string, string>;
      };
      Healthcheck?: { Test: string[] };
      Size: number;
    }[];
    const config = image!.Config;
    expect(config.User).toBe('node');
    expect(config.Env).toEqual(expect.arrayContaining(['WORTH_MOCK_HOST=0.0.0.0', 'WORTH_MOCK_PORT=4010', 'PACT_DO_NOT_TRACK=true']));
    expect(config.Entrypoint).toEqual(['node', '/app/node_modules/worth-auth-mock/bin/worth-auth-mock.js']);
    expect(config.Cmd).toEqual(['start']);
    expect(Object.keys(config.ExposedPorts)).toEqual(['4010/tcp']);
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(config.StopSignal).toBe('SIGTERM');
    expect(image!.Healthcheck?.Test.join(' ')).toContain('worth-auth-mock health');
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.version': await packageVersion(),
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.title': 'worth-auth-mock',
      'org.opencontainers.image.description': expect.stringMatching(/Auth Service/),
    });
    expect(config.Labels).toHaveProperty(['org.opencontainers.image.source']);
    const baseSize = Number(await podman.ok(['image', 'inspect', '--format', '{{.Size}}', base]));
    console.log(
      `image size ${(image!.Size / 1e6).toFixed(1)} MB: base ${(baseSize / 1e6).toFixed(1)} MB + ${((image!.Size - baseSize) / 1e6).toFixed(1)} MB of the mock and its production dependencies`,
    );
    expect(image!.Size).toBeLessThan(250e6);
    // Production dependencies only: none of the devDependencies, and no TypeScript sources of the package.
    const listing = await podman.ok([
      'run',
      '--rm',
      '--network',
      'host',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'ls /app/node_modules /app/node_modules/worth-auth-mock /app/node_modules/worth-auth-mock/dist',
    ]);
    for (const dev of ['typescript', 'vitest', 'playwright-core', 'autocannon', 'fast-check']) expect(listing).not.toMatch(new RegExp(`^${dev}$`, 'm'));
    expect(listing).toMatch(/^jose$/m);
    expect(listing).toMatch(/^index\.js$/m);
    expect(listing).toMatch(/^cli$/m);
    expect(listing).not.toMatch(/^src$/m);
  }, 120_000);

  it('starts healthy as a non-root PID 1, mints through the admin-token control API, logs out 200 then 401, and stops cleanly on SIGTERM', async () => {
    const mock = await runImage({ WORTH_MOCK_ADMIN_TOKEN: ADMIN });
    await healthy(mock.name);
    expect((await podman.ok(['exec', mock.name, 'id', '-u'])).trim()).not.toBe('0');
    // The package ships its licence, as npm installs it.
    expect(await podman.ok(['exec', mock.name, 'head', '-1', '/app/node_modules/worth-auth-mock/LICENSE'])).toMatch(/MIT License/);
    const top = await podman.ok(['top', mock.name, 'pid', 'user', 'args']);
    expect(top).toMatch(/^\s*1\s+node\s+node \/app\/node_modules\/worth-auth-mock\/bin\/worth-auth-mock\.js start\s*$/m);
    // The control API needs the admin token; the contract operation does not.
    expect((await control(mock.origin, 'POST', '/__mock/tokens', {})).status).toBe(401);
    const minted = await mint(mock.origin, { sub: 'cust-image' });
    expect(minted.status).toBe(201);
    const { token } = minted.body as { token: string };
    expect(await logoutStatus(mock.origin, token)).toBe(200);
    expect(await logoutStatus(mock.origin, token)).toBe(401);
    // The CLI inside the container finds the admin token in the container's environment.
    const minted2 = await podman.ok(['exec', mock.name, 'worth-auth-mock', 'token', '--url', mock.origin]);
    expect(await logoutStatus(mock.origin, minted2.trim())).toBe(200);
    // No --issuer: tokens name http://0.0.0.0:PORT, and the banner says so in one line.
    const banner = await logs(mock.name);
    expect(banner).toMatch(/^ {2}Tokens name http:\/\/0\.0\.0\.0:\d+ as their issuer .*WORTH_MOCK_ISSUER.*$/m);
    expect(await stop(mock.name)).toBe(0);
    expect(await logs(mock.name)).toContain('stopping…');
  }, 120_000);

  it('refuses to start without WORTH_MOCK_ADMIN_TOKEN, in one line naming it; WORTH_MOCK_UNSAFE_OPEN_ADMIN=1 opts out', async () => {
    // What the container wrote, as `podman logs` keeps it (podman's own stderr has its complaint about systemd).
    const refused = await runImage({});
    const code = Number((await podman.ok(['wait', refused.name], { timeoutMs: 60_000 })).trim());
    const output = await podman.run(['logs', refused.name]);
    expect(code).toBe(2);
    const lines = output.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: --host 0\.0\.0\.0 \(WORTH_MOCK_HOST\) exposes the control API beyond this machine: .*WORTH_MOCK_ADMIN_TOKEN=<secret>.*WORTH_MOCK_UNSAFE_OPEN_ADMIN=1/,
    );
    expect(output.stdout).not.toContain('listening');

    const open = await runImage({ WORTH_MOCK_UNSAFE_OPEN_ADMIN: '1' });
    await healthy(open.name);
    expect(await stop(open.name)).toBe(0);
  }, 120_000);

  it("two replicas on one Redis, with one key file on a shared volume and one WORTH_MOCK_ISSUER, honour each other's logouts", async () => {
    const redis = await startRedis();
    const data = await mkdtemp(join(tmpdir(), 'wam-image-data-'));
    try {
      // The volume must be writable by the image's user (uid 1000), as a fresh named volume is.
      await chown(data, 1000, 1000).catch(() => chmod(data, 0o777));
      const shared = {
        WORTH_MOCK_ADMIN_TOKEN: ADMIN,
        WORTH_MOCK_REDIS: redis.url,
        WORTH_MOCK_KEY_FILE: '/data/keys.json',
        WORTH_MOCK_ISSUER: 'http://auth-mock.qa.test:4010',
      };
      // Started together, as compose does: the first replica to write the key file wins and the other loads it.
      const [a, b] = await Promise.all([runImage(shared, ['-v', `${data}:/data`]), runImage(shared, ['-v', `${data}:/data`])]);
      await Promise.all([healthy(a!.name), healthy(b!.name)]);
      for (const replica of [a!, b!]) {
        const banner = await logs(replica.name);
        expect(banner).toContain('Store      redis');
        expect(banner).not.toContain('must share --issuer');
        expect(banner).not.toContain('Tokens name');
      }
      const keyFile = await stat(join(data, 'keys.json'));
      expect(keyFile.mode & 0o777).toBe(0o600);

      const minted = await mint(a!.origin, { sub: 'cust-replicas' });
      expect(minted.status).toBe(201);
      const { token, claims } = minted.body as { token: string; claims: { iss: string } };
      expect(claims.iss).toBe('http://auth-mock.qa.test:4010');
      expect(await logoutStatus(b!.origin, token)).toBe(200);
      expect(await logoutStatus(a!.origin, token)).toBe(401);
      expect(await logoutStatus(b!.origin, token)).toBe(401);

      expect(await stop(a!.name)).toBe(0);
      expect(await stop(b!.name)).toBe(0);
    } finally {
      await redis.dispose();
      await rm(data, { recursive: true, force: true });
    }
  }, 180_000);

  it("runs check and verify as a provider's CI does (docs/pact.md, without npm): the repository's pacts mounted, reports written out", async () => {
    const work = await mkdtemp(join(tmpdir(), 'wam-image-ci-'));
    try {
      // The provider's repository: its pacts (read-only) and a reports folder the image's user (uid 1000) can write.
      await cp(join(ROOT, 'pacts'), join(work, 'pacts'), { recursive: true });
      await mkdir(join(work, 'reports'));
      await chown(join(work, 'reports'), 1000, 1000).catch(() => chmod(join(work, 'reports'), 0o777));
      await chmod(work, 0o755);
      const ci = (args: string[]) =>
        podman.run([
          'run',
          '--rm',
          '--network',
          'host',
          '-e',
          'PACT_DO_NOT_TRACK=true',
          '-v',
          `${join(work, 'pacts')}:/data/pacts:ro`,
          '-v',
          `${join(work, 'reports')}:/reports`,
          IMAGE,
          ...args,
        ]);
      const interactions = (JSON.parse(await readFile(join(work, 'pacts', 'customer-web-app-auth-service.json'), 'utf8')) as { interactions: unknown[] })
        .interactions.length;

      const check = await ci(['check']);
      expect(check.code, check.stdout + check.stderr).toBe(0);

      const self = await ci(['verify', '--junit', '/reports/pact-mock.xml']);
      expect(self.code, self.stdout + self.stderr).toBe(0);

      // The provider: another container of the image standing in for the Auth Service, with its state endpoint.
      const provider = await runImage({ WORTH_MOCK_UNSAFE_OPEN_ADMIN: '1' });
      await healthy(provider.name);
      const staging = await ci([
        'verify',
        '--provider-base-url',
        provider.origin,
        '--state-setup-url',
        `${provider.origin}/__mock/provider-states`,
        '--junit',
        '/reports/pact-staging.xml',
      ]);
      expect(staging.code, staging.stdout + staging.stderr).toBe(0);
      for (const report of ['pact-mock.xml', 'pact-staging.xml']) {
        const xml = await readFile(join(work, 'reports', report), 'utf8');
        expect(xml.match(/<testcase /g)).toHaveLength(interactions);
        expect(xml).not.toMatch(/<failure/);
      }
      expect(await stop(provider.name)).toBe(0);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 240_000);
});

// What the image relies on, checked in-process (no podman needed).
describe('`worth-auth-mock health` and the issuer warning', () => {
  it('health exits 0 printing ok while the mock answers, 1 naming the URL when nothing does', async () => {
    const mock = await startCli(['--port', '0', '--log', 'off']);
    try {
      expect(await runCli(['health', '--url', mock.url])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    } finally {
      await mock.stop();
    }
    const port = await freePort();
    const down = await runCli(['health', '--url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`http://127.0.0.1:${port}`);
  });

  it('the banner warns in one line when tokens would name 0.0.0.0 as their issuer, and not with --issuer or on loopback', async () => {
    const banner = async (argv: string[]) => {
      const mock = await startCli(['--port', '0', '--log', 'off', ...argv]);
      return (await mock.stop()).stdout;
    };
    const warning = /^ {2}Tokens name .* as their issuer .*$/gm;
    const bound = await banner(['--host', '0.0.0.0', '--admin-token', 'x']);
    expect(bound.match(warning)).toEqual([
      expect.stringMatching(
        /^ {2}Tokens name http:\/\/0\.0\.0\.0:\d+ as their issuer \(iss\), an address no client uses: set --issuer \(WORTH_MOCK_ISSUER\) to the URL clients use\.$/,
      ),
    ]);
    expect(await banner(['--host', '0.0.0.0', '--admin-token', 'x', '--issuer', 'https://auth-mock.qa.example'])).not.toMatch(warning);
    expect(await banner([])).not.toMatch(warning);
  });
});

describe('compose.yaml and the Dockerfile, as files', () => {
  it('compose.yaml: two replicas of the image on one Redis, with one key file on a shared volume and one issuer, behind one port; docs/container.md shows it verbatim', async () => {
    const text = await readFile(join(ROOT, 'compose.yaml'), 'utf8');
    type Service = { image?: string; environment?: Record<string, string>; volumes?: string[]; ports?: string[] };
    const compose = parse(text, { merge: true }) as {
      services: Record<string, Service>;
      volumes: Record<string, unknown>;
      configs: { nginx: { content: string } };
    };
    const a = compose.services['mock-a']!;
    const b = compose.services['mock-b']!;
    expect(a.image).toBe('worth-auth-mock:dev');
    expect(b).toEqual(a);
    expect(Object.keys(a.environment!).sort()).toEqual(['WORTH_MOCK_ADMIN_TOKEN', 'WORTH_MOCK_ISSUER', 'WORTH_MOCK_KEY_FILE', 'WORTH_MOCK_REDIS']);
    expect(a.environment!.WORTH_MOCK_REDIS).toBe('redis://redis:6379');
    expect(compose.services.redis).toBeDefined();
    expect(a.environment!.WORTH_MOCK_KEY_FILE).toBe('/data/keys.json');
    expect(a.volumes).toEqual(['mock-data:/data']);
    expect(compose.volumes).toHaveProperty(['mock-data']);
    expect(a.environment!.WORTH_MOCK_ADMIN_TOKEN).toMatch(/^\$\{WORTH_MOCK_ADMIN_TOKEN:\?/); // compose refuses to start without one
    expect(compose.services.proxy!.ports).toEqual(['4010:4010']);
    expect(a.environment!.WORTH_MOCK_ISSUER).toContain('http://localhost:4010');
    expect(compose.configs.nginx.content).toMatch(/server mock-a:4010;\s+server mock-b:4010;/);
    const page = await readFile(join(ROOT, 'docs', 'container.md'), 'utf8');
    expect(page).toContain(`\`\`\`yaml\n${text}\`\`\``);
  });

  it('every stage of the Dockerfile starts from the BASE build arg (node:24-slim) or an earlier stage, so one build arg swaps the base', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG BASE=node:24-slim$/m);
    const froms = dockerfile.match(/^FROM .*$/gm)!;
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM (\$\{BASE\}|modules)( AS [\w-]+)?$/);
  });
});
