import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinProcess, spawnBin } from './support/bin.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let app: string;
let node22: string;

// What a user gets from npm: `npm pack` (prepack builds dist/), the tarball installed into an empty
// folder, then the bin and the programmatic API run from node_modules — where Node strips no types.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wam-package-'));
  app = join(dir, 'app');
  await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  await run('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', join(dir, tarball!), 'node@22'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  node22 = join(app, 'node_modules', 'node', 'bin', 'node');
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The installed package's bin, started with `node` from the app folder. */
function startBin(node: string, args: string[] = []): Promise<BinProcess> {
  return spawnBin(args, { node, bin: join(app, 'node_modules', 'worth-auth-mock', 'bin', 'worth-auth-mock.js'), cwd: app });
}

describe('the package installed from its tarball', () => {
  it.each([
    ['24', () => process.execPath],
    ['22', () => node22],
  ])('`worth-auth-mock start` works on Node %s', async (major, node) => {
    const { stdout: version } = await run(node(), ['--version']);
    expect(version.trim()).toMatch(new RegExp(`^v${major}\\.`));
    const mock = await startBin(node());
    try {
      const logout = () =>
        fetch(`${mock.baseUrl}/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${mock.token}` } }).then((r) => r.status);
      expect(await logout()).toBe(200);
      expect(await logout()).toBe(401);
      const panel = await fetch(new URL('/__mock/', mock.baseUrl));
      expect(panel.headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it('starts from the spec parsed at build time, and an edited spec is read afresh', async () => {
    const installed = join(app, 'node_modules', 'worth-auth-mock');
    const parsed = JSON.parse(await readFile(join(installed, 'dist', 'spec.json'), 'utf8')) as { document: { servers: { url: string }[] } };
    expect(parsed.document.servers[0]!.url).toMatch(/\/auth\/api\/v1$/);
    const edited = join(dir, 'edited.yaml');
    const spec = await readFile(join(installed, 'spec', 'auth-service.openapi.yaml'), 'utf8');
    expect(spec).toContain('/auth/api/v1');
    await writeFile(edited, spec.replaceAll('/auth/api/v1', '/auth/api/v9'));
    const mock = await startBin(process.execPath, ['--spec', edited]);
    try {
      expect(mock.baseUrl).toMatch(/\/auth\/api\/v9$/);
      const status = await fetch(`${mock.baseUrl}/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${mock.token}` } }).then(
        (r) => r.status,
      );
      expect(status).toBe(200);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it('ships its MIT LICENSE and every image its README shows (issue 15, case 7)', async () => {
    const installed = join(app, 'node_modules', 'worth-auth-mock');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { license: string };
    expect(manifest.license).toBe('MIT');
    expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 worth-auth-mock\n/);
    const readme = await readFile(join(installed, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1] as string).filter((src) => !/^[a-z]+:/i.test(src));
    expect(images).toContain('docs/panel.png');
    for (const image of images) expect((await readFile(join(installed, image))).subarray(1, 4).toString(), image).toBe('PNG');
  });

  it('the programmatic API imports from the package name, typed entry included', async () => {
    const script = `
      import { startMock } from 'worth-auth-mock';
      const mock = await startMock({ port: 0 });
      const { token } = await mock.issueToken({ sub: 'pkg' });
      const status = (await fetch(mock.urls.logout, { method: 'POST', headers: { authorization: 'Bearer ' + token } })).status;
      await mock.close();
      console.log(status);`;
    const { stdout } = await run(node22, ['--input-type=module', '-e', script], { cwd: app });
    expect(stdout.trim()).toBe('200');
    const types = (await readdir(join(app, 'node_modules', 'worth-auth-mock', 'dist'))).filter((f) => f.endsWith('.d.ts'));
    expect(types).toContain('index.d.ts');
  });

  it("the CI recipe as a provider's repository runs it (docs/pact.md): npx worth-auth-mock check, then verify, from the installed tarball", async () => {
    const env = { ...process.env, PACT_DO_NOT_TRACK: 'true', NO_COLOR: '1' };
    // No pacts/ of its own: check and verify read the pacts bundled with the package, and say so.
    const check = await run('npx', ['worth-auth-mock', 'check'], { cwd: app, env });
    expect(check.stdout + check.stderr).toMatch(/bundled/);
    const verify = await run('npx', ['worth-auth-mock', 'verify', '--junit', 'reports/pact-mock.xml'], { cwd: app, env });
    expect(verify.stdout + verify.stderr).toMatch(/Pact verification passed/);
    const xml = await readFile(join(app, 'reports', 'pact-mock.xml'), 'utf8');
    expect(xml).toMatch(/<testcase /);
    expect(xml).not.toMatch(/<failure/);
  }, 120_000);
});
