// A local stand-in for `node:24-slim`, for machines that cannot pull it (the project's test machines reach only
// the npm registry and Debian's mirror). It holds what the Dockerfile uses of node:24-slim, taken from this
// machine: the project's pinned Node 24 (the `node` devDependency, i.e. the node running this script), npm,
// the shared libraries they need, busybox-static as /bin/sh and the usual tools, a `node` user (uid 1000),
// and this machine's CA bundle when NODE_EXTRA_CA_CERTS names one (an intercepting proxy's CA, for npm).
//
//   node scripts/local-base.ts            builds it with podman (if missing) and prints its name; then
//   npm run image -- --build-arg BASE=<that name>
//
// test/image.test.ts builds the same base in its own podman storage, through ensureLocalBase().
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Bump when the recipe below changes, so that a cached base made by an older recipe is not reused. */
const RECIPE = 2;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Runs podman with these arguments (and whatever storage/config the caller chose); resolves its stdout. */
export type PodmanRun = (args: string[], options?: { stdin?: NodeJS.ReadableStream }) => Promise<string>;

type Sources = { node: string; npm: string; busybox: string; ca: string | undefined };

/** Makes the base image with `podman` unless an image of this recipe and these inputs exists; resolves its name. */
export async function ensureLocalBase(podman: PodmanRun): Promise<string> {
  const sources = await findSources();
  const name = `localhost/wam-node24-base:${process.versions.node}-${await fingerprint(sources)}`;
  const exists = await podman(['image', 'exists', name]).then(
    () => true,
    () => false,
  );
  if (exists) return name;
  const dir = await mkdtemp(join(tmpdir(), 'wam-base-'));
  try {
    const rootfs = join(dir, 'rootfs');
    await makeRootfs(rootfs, sources);
    const tar = spawn('tar', ['--numeric-owner', '-C', rootfs, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const changes = [`ENV PATH=${PATH}`, 'ENV NPM_CONFIG_UPDATE_NOTIFIER=false', 'WORKDIR /', 'CMD ["node"]'];
    if (sources.ca) changes.push(`ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`);
    await podman(['import', '--quiet', ...changes.flatMap((c) => ['--change', c]), '-', name], { stdin: tar.stdout });
    return name;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function findSources(): Promise<Sources> {
  if (Number(process.versions.node.split('.')[0]) !== 24) {
    throw new Error(
      `the local base holds the node running this (${process.version}), which must be Node 24: run it with the project's pinned node (npx node scripts/local-base.ts)`,
    );
  }
  const node = await realpath(process.execPath);
  // npm: the one running us (npm_execpath), else the machine's global one.
  const cli = process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : undefined;
  const npm = cli ? dirname(dirname(cli)) : join((await run('npm', ['root', '-g'])).stdout.trim(), 'npm');
  const busybox = await which('busybox').catch(() => {
    throw new Error('busybox is not installed: run scripts/ensure-services.sh (it installs the Debian package busybox-static)');
  });
  const ca = process.env.NODE_EXTRA_CA_CERTS || undefined;
  return { node, npm, busybox, ca };
}

async function fingerprint(sources: Sources): Promise<string> {
  const npmVersion = (JSON.parse(await readFile(join(sources.npm, 'package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha256').update(`recipe ${RECIPE}\nnode ${process.version}\nnpm ${npmVersion}\n`);
  hash.update((await run(sources.busybox, ['--help']).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout.split('\n')[0] ?? '');
  if (sources.ca) hash.update(await readFile(sources.ca));
  return hash.digest('hex').slice(0, 12);
}

async function makeRootfs(root: string, sources: Sources): Promise<void> {
  for (const d of ['bin', 'usr/bin', 'usr/local/bin', 'usr/local/lib/node_modules', 'etc/ssl/certs', 'root', 'home/node', 'tmp', 'var/tmp']) {
    await mkdir(join(root, d), { recursive: true });
  }
  await chmod(join(root, 'tmp'), 0o1777);
  await chmod(join(root, 'var/tmp'), 0o1777);
  await copyFile(sources.node, join(root, 'usr/local/bin/node'));
  await chmod(join(root, 'usr/local/bin/node'), 0o755);
  await copyFile(sources.busybox, join(root, 'bin/busybox'));
  await chmod(join(root, 'bin/busybox'), 0o755);
  for (const lib of new Set([...(await sharedLibraries(sources.node)), ...(await sharedLibraries(sources.busybox))])) {
    await mkdir(join(root, dirname(lib)), { recursive: true });
    await copyFile(lib, join(root, lib));
  }
  const applets = (await run(sources.busybox, ['--list'])).stdout.split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  for (const applet of applets) await symlink('busybox', join(root, 'bin', applet));
  await symlink('../../bin/env', join(root, 'usr/bin/env')); // for `#!/usr/bin/env node`
  await cp(sources.npm, join(root, 'usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
  if (sources.ca) await copyFile(sources.ca, join(root, CA_BUNDLE));
  // node:24-slim's users: root, and node (1000:1000) for running apps.
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  await chown(join(root, 'home/node'), 1000, 1000).catch(() => {}); // not root: `node` gets a home it cannot write
}

/** The absolute paths of the shared libraries (and the loader) a binary needs; none for a static one. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    const path = /(\/\S+)\s+\(0x/.exec(line)?.[1];
    if (path) libs.push(path);
  }
  // The rest of glibc (Debian's libc6), as node:24-slim has it: native packages (Pact's core needs librt) and the
  // name-service modules glibc loads by name for /etc/passwd and DNS lookups.
  if (libs.some((l) => l.includes('libc.so'))) {
    const libDir = dirname(libs.find((l) => l.includes('libc.so'))!);
    const libc6 = await run('dpkg-query', ['-L', 'libc6']).then(
      ({ stdout }) => stdout.split('\n').filter((path) => dirname(path) === libDir && /\/lib[^/]*\.so\.\d+$/.test(path)),
      () => ['libnss_files.so.2', 'libnss_dns.so.2', 'librt.so.1'].map((name) => join(libDir, name)),
    );
    for (const path of libc6) if (!libs.includes(path) && (await exists(path))) libs.push(path);
  }
  return libs;
}

async function which(command: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (await exists(join(dir, command), constants.X_OK)) return join(dir, command);
  }
  throw new Error(`${command} not found`);
}

function exists(path: string, mode = constants.R_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const podman: PodmanRun = (args, options) =>
    new Promise((resolve, reject) => {
      const child = spawn('podman', args, { stdio: [options?.stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
      if (options?.stdin) options.stdin.pipe(child.stdin!);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`podman ${args[0]} exited ${code}`))));
    });
  process.stdout.write(`${await ensureLocalBase(podman)}\n`);
}
