import { spawn } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
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
 * Builds src/ as `npm run build` does (scripts/build.ts) into a temporary `node_modules/worth-auth-mock`, beside the
 * bin, spec and package.json. Its bin then runs dist/bundle/cli.js, as an installed copy does: no type stripping at
 * start-up, which costs Node time and ~30 MB of RSS, and a few files to load instead of a module per source file.
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
  // As `npm run build` builds it: the modules, the panel's assets, the parsed spec, the CLI's bundle the bin runs.
  const output = await run([join(ROOT, 'scripts', 'build.ts'), dist]);
  try {
    await access(join(dist, 'bundle', 'cli.js'));
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
