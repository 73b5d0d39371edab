import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFirstPath, ROOT, track } from './servers.ts';

/** The package as a user installs it: `npm pack`, then the tarball installed into an empty project. */
export type Installed = {
  /** The project the package is installed in (where `npx worth-auth-mock` runs). */
  readonly project: string;
  /** The installed package's real bin (`node_modules/worth-auth-mock/bin/worth-auth-mock.js`), running the built JavaScript. */
  readonly bin: string;
  /** The built programmatic API (`dist/index.js`), for the bench's in-process runner. */
  readonly api: string;
  dispose(): Promise<void>;
};

/**
 * Packs the package as `npm publish` would (`npm pack`: prepack runs `npm run build`, scripts/build.ts: tsc and the
 * CLI's esbuild bundle) and installs the tarball into an empty project with npm, from its cache when it can
 * (`--prefer-offline`: a clone that ran `npm install` has every dependency there). Its bin then runs
 * dist/bundle/cli.js, as an installed copy does: no type stripping at start-up, and a few files to load instead of a
 * module per source file; its dependencies are the package's own, laid out as npm lays them out for a user.
 */
export async function installedCopy(): Promise<Installed> {
  const dir = await mkdtemp(join(tmpdir(), 'worth-bench-pkg-'));
  const project = join(dir, 'app');
  try {
    await npm(['pack', '--pack-destination', dir], ROOT);
    const tarball = (await readdir(dir)).find((file) => file.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, type: 'module' }));
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], project);
    const pkg = join(project, 'node_modules', 'worth-auth-mock');
    await access(join(pkg, 'dist', 'bundle', 'cli.js'));
    return {
      project,
      bin: join(pkg, 'bin', 'worth-auth-mock.js'),
      api: join(pkg, 'dist', 'index.js'),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`installing the packed package for the benchmark failed: ${(error as Error).message}`);
  }
}

function npm(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn('npm', args, {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PATH: nodeFirstPath(), SCARF_ANALYTICS: 'false', npm_config_loglevel: 'error' },
      }),
    );
    let out = '';
    const keep = (chunk: string) => (out = (out + chunk).slice(-8000));
    child.stdout?.setEncoding('utf8').on('data', keep);
    child.stderr?.setEncoding('utf8').on('data', keep);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}
