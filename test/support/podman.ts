import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PodmanRun } from '../../scripts/local-base.ts';

const execFileP = promisify(execFile);

/** What one podman command did. */
export type PodmanResult = { code: number; stdout: string; stderr: string };

/**
 * Real podman for tests, set up the way these machines need it: runc, cgroupfs, no default ulimits (crun cannot
 * set rlimits or use the hybrid cgroups here), events to a file. The configuration is written to the caller's own
 * temp dir (CONTAINERS_CONF), never /etc. Storage is the tests' own and persists between runs (the build cache and
 * the local base image live there): `<os tmpdir>/worth-auth-mock-podman/<driver>`.
 */
export type Podman = {
  /** Runs `podman <args>`; resolves whatever the exit code. */
  run(args: string[], options?: { stdin?: NodeJS.ReadableStream; timeoutMs?: number }): Promise<PodmanResult>;
  /** Runs `podman <args>`; resolves stdout, rejects naming the command and its stderr when it fails. */
  ok(args: string[], options?: { stdin?: NodeJS.ReadableStream; timeoutMs?: number }): Promise<string>;
  readonly storageDriver: string;
  readonly storage: string;
  /** Removes the configuration (the storage stays: it is the cache). */
  dispose(): Promise<void>;
};

const MISSING = 'podman is not installed: run scripts/ensure-services.sh (it installs the Debian packages podman, runc and busybox-static)';

/** Podman with the configuration above; fails with a clear message when podman or runc is missing. */
export async function createPodman(): Promise<Podman> {
  for (const [command, message] of [
    ['podman', MISSING],
    ['runc', 'runc is not installed: run scripts/ensure-services.sh (it installs the Debian packages podman, runc and busybox-static)'],
  ] as const) {
    await execFileP(command, ['--version']).catch((error: NodeJS.ErrnoException) => {
      throw new Error(error.code === 'ENOENT' ? message : `${command} --version failed: ${error.message}`);
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'wam-podman-'));
  let podman: Podman | undefined;
  const failures: string[] = [];
  for (const driver of process.env.WAM_PODMAN_STORAGE_DRIVER ? [process.env.WAM_PODMAN_STORAGE_DRIVER] : ['overlay', 'vfs']) {
    podman = await configure(dir, driver);
    const info = await podman.run(['info', '--format', '{{.Store.GraphDriverName}}']);
    if (info.code === 0) return podman;
    failures.push(`${driver}: ${info.stderr.trim()}`);
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`podman cannot run here:\n${failures.join('\n')}`);
}

async function configure(dir: string, driver: string): Promise<Podman> {
  const storage = join(tmpdir(), 'worth-auth-mock-podman', driver);
  await mkdir(join(storage, 'tmp'), { recursive: true });
  const conf = join(dir, `containers-${driver}.conf`);
  await writeFile(
    conf,
    [
      '[containers]',
      'default_ulimits = []',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `tmp_dir = "${join(storage, 'tmp')}"`,
      '',
    ].join('\n'),
  );
  const global = ['--root', join(storage, 'root'), '--runroot', join(storage, 'runroot'), '--storage-driver', driver];
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const run: Podman['run'] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn('podman', [...global, ...args], { env, stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      if (options.stdin) options.stdin.pipe(child.stdin!);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
    });
  const ok: Podman['ok'] = async (args, options) => {
    const result = await run(args, options);
    if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}:\n${(result.stderr || result.stdout).trim().slice(-4000)}`);
    return result.stdout;
  };
  return { run, ok, storageDriver: driver, storage, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** The PodmanRun that scripts/local-base.ts takes, on this podman. */
export function asPodmanRun(podman: Podman): PodmanRun {
  return (args, options) => podman.ok(args, { ...options, timeoutMs: 300_000 });
}

/** The project's package.json version (the image's version label). */
export async function packageVersion(): Promise<string> {
  return (JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
