import { spawn } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, track } from './servers.ts';

/** The package laid out as `npm install` leaves it: the real bin, running the built JavaScript. */
export type Installed = {
  readonly bin: string;
  /** The built programmatic API (`dist/index.js`), for the bench's in-process runner. */
  readonly api: string;
  dispose(): Promise<void>;
};

/**
 * Builds src/ as `npm run build` does (tsc with tsconfig.build.json, plus src's non-TypeScript assets) into a
 * temporary `node_modules/worth-auth-mock`, beside the bin, spec and package.json. Its bin then runs dist/, as
 * an installed copy does: no type stripping at start-up, which costs Node time and ~30 MB of RSS.
 */
export async function installedCopy(): Promise<Installed> {
  const dir = await mkdtemp(join(tmpdir(), 'worth-bench-pkg-'));
  const pkg = join(dir, 'node_modules', 'worth-auth-mock');
  await mkdir(pkg, { recursive: true });
  await Promise.all([
    cp(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true }),
    cp(join(ROOT, 'spec'), join(pkg, 'spec'), { recursive: true }),
    cp(join(ROOT, 'package.json'), join(pkg, 'package.json')),
    symlink(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir'),
  ]);
  const dist = join(pkg, 'dist');
  // tsc still emits when it finds type errors; what matters here is that cli/main.js exists afterwards.
  const output = await run([
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    dist,
    '--declaration',
    'false',
  ]);
  await run([join(ROOT, 'scripts', 'build-spec.ts'), dist]);
  // The non-TypeScript assets beside the modules (the QA panel's page, style and script), as `npm run build` copies them.
  for (const file of await readdir(join(ROOT, 'src'), { recursive: true })) {
    if (/\.(html|css|js)$/.test(file)) await cp(join(ROOT, 'src', file), join(dist, file));
  }
  try {
    await access(join(dist, 'cli', 'main.js'));
  } catch {
    throw new Error(`building src/ for the benchmark failed:\n${output}`);
  }
  return { bin: join(pkg, 'bin', 'worth-auth-mock.js'), api: join(dist, 'index.js'), dispose: () => rm(dir, { recursive: true, force: true }) };
}

function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out = (out + chunk).slice(-8000)));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out = (out + chunk).slice(-8000)));
    child.once('close', () => resolve(out));
  });
}
