import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPEC_PATH } from '../src/contract/document.ts';

/** The repository root (the folder above bench/). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The PATH a user with this Node has: its folder first, so `npm`, `npx` and the bin's `#!/usr/bin/env node` run on it
 * (the project's pinned Node 24, not whatever Node the machine has first).
 */
export function nodeFirstPath(): string {
  return `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
}

/** The repo's own bin: what `npm start` runs. */
export const MOCK_BIN = `${ROOT}bin/worth-auth-mock.js`;
const PRISM_CLI = `${ROOT}node_modules/@stoplight/prism-cli/dist/index.js`;
const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const HOST = '127.0.0.1';

/** Which server a child runs: the ceiling, the product, or what users would pick instead. */
export type Kind = 'bare' | 'mock' | 'prism';

/** A server under test in its own child process, on loopback. */
export type Running = {
  readonly kind: Kind;
  /** `http://127.0.0.1:port`. */
  readonly origin: string;
  readonly pid: number;
  /** Milliseconds from spawn to its first answered request. */
  readonly startMs: number;
  /** `performance.now()` of this process when the child was spawned (places a child's profile in time). */
  readonly spawnedAt: number;
  /** Resident set size of the child, in bytes. */
  rss(): Promise<number>;
  /** CPU time the child has used so far (user + system, all threads), in µs; undefined where /proc is missing. */
  cpu(): Promise<number | undefined>;
  /** Stops the child (gracefully first, so `--cpu-prof` gets written) and waits for it to exit. */
  stop(): Promise<void>;
};

/** How to launch a child: Node flags (e.g. `--cpu-prof`); for the mock, its `start` flags and which bin. */
export type LaunchOptions = {
  nodeFlags?: readonly string[];
  args?: readonly string[];
  /** The mock's executable: the repo's bin (runs src/ through type stripping) or an installed copy's. */
  bin?: string;
  /**
   * The mock's stdout goes to this file and it runs with its default request log (`start` without `--log`: one
   * pretty line per request), as users run it with `> mock.log`; without it, `--log off` and stdout discarded.
   */
  logFile?: string;
  /** More environment for the child (e.g. the memory probe's file). */
  env?: Readonly<Record<string, string>>;
  /**
   * Run the mock as `npx worth-auth-mock …` from this project (one that has the package installed), with this Node
   * first on PATH, instead of `node <bin> …`: npx's own overhead is then part of the start-up.
   */
  npxFrom?: string;
};

/** How a child is spawned: `node <args>` unless another command is given; `group`: its own process group, stopped as one. */
type SpawnPlan = { command?: string; args: string[]; cwd?: string; env?: Readonly<Record<string, string>> | undefined; group?: boolean };

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Keeps `child` on the list of children killed if this process exits first (a crash, the run's time limit). */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** A port the OS says is free now (bound on port 0, then released), for servers that cannot take port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the bare `node:http` server that answers every request with `body` and 200 (`nodeFlags` before its script). */
export function startBare(body: string, options: Pick<LaunchOptions, 'nodeFlags' | 'env'> = {}): Promise<Running> {
  return launch('bare', async (port) => ({ args: [...(options.nodeFlags ?? []), BARE_SERVER, String(port), body], env: options.env }), {
    method: 'GET',
    path: '/',
  });
}

/** Starts the mock through its real bin: `worth-auth-mock start --port N --log off …` (or its default log, to `logFile`). */
export function startMockServer(options: LaunchOptions = {}): Promise<Running> {
  const log = options.logFile === undefined ? ['--log', 'off'] : [];
  const start = (port: number) => ['start', '--port', String(port), ...log, ...(options.args ?? [])];
  return launch(
    'mock',
    async (port): Promise<SpawnPlan> =>
      options.npxFrom === undefined
        ? { args: [...(options.nodeFlags ?? []), options.bin ?? MOCK_BIN, ...start(port)], env: options.env }
        : { command: 'npx', args: ['worth-auth-mock', ...start(port)], cwd: options.npxFrom, env: { ...options.env, PATH: nodeFirstPath() }, group: true },
    {
      method: 'GET',
      path: '/__mock/health',
      want: 200,
    },
    options.logFile,
  );
}

/**
 * Starts `prism mock` on a document (the Auth Service's spec unless told) as users run it (default log level; its
 * output is discarded); it is up when `probe` (a request to one of its operations) gets any answer.
 */
export function startPrism(probe: { method: string; path: string }, document: string = DEFAULT_SPEC_PATH): Promise<Running> {
  return launch('prism', async (port) => ({ args: [PRISM_CLI, 'mock', document, '-h', HOST, '-p', String(port)] }), probe);
}

type Probe = { method: string; path: string; want?: number };

/** Spawns a child on a free port and polls it every few ms; the time to the first answer is its start-up. */
async function launch(kind: Kind, planFor: (port: number) => Promise<SpawnPlan>, probe: Probe, stdoutFile?: string): Promise<Running> {
  const port = await freePort();
  const plan = await planFor(port);
  // The child gets its own descriptor of the file (appending), as a shell's `>> file` gives it.
  const out = stdoutFile === undefined ? undefined : openSync(stdoutFile, 'a');
  const started = performance.now();
  const child = track(
    spawn(plan.command ?? process.execPath, plan.args, {
      cwd: plan.cwd ?? ROOT,
      stdio: ['ignore', out ?? 'ignore', 'pipe'],
      env: { ...process.env, SCARF_ANALYTICS: 'false', NO_COLOR: '1', PACT_DO_NOT_TRACK: 'true', ...plan.env },
      detached: plan.group === true,
    }),
  );
  if (out !== undefined) closeSync(out);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = started + (kind === 'prism' ? 60_000 : 20_000);
  for (;;) {
    if (gone) throw new Error(`${kind} exited before answering: ${stderr.trim() || 'no output'}`);
    const status = await ask(port, probe.method, probe.path);
    if (status !== undefined && (probe.want === undefined || status === probe.want)) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} did not answer on port ${port} in time: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startMs = performance.now() - started;
  const pid = child.pid as number;
  let stopping: Promise<void> | undefined;
  return {
    kind,
    origin: `http://${HOST}:${port}`,
    pid,
    startMs,
    spawnedAt: started,
    rss: () => rssOf(pid),
    cpu: () => cpuOf(pid),
    stop() {
      stopping ??= stop(child, kind === 'mock' ? 'SIGINT' : 'SIGTERM', exited, plan.group === true);
      return stopping;
    },
  };
}

/** One request; resolves its status, or undefined while nothing listens yet. */
function ask(port: number, method: string, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, method, path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals, exited: Promise<number | null>, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // A process group (npx, the shell it runs, the bin) gets the signal as a terminal's Ctrl-C gives it: all of it.
  const send = (how: NodeJS.Signals) => (group ? process.kill(-(child.pid as number), how) : child.kill(how));
  send(signal);
  const timer = setTimeout(() => send('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/**
 * A process's CPU time so far in µs (Linux): the sum of its threads' schedstat run times, else utime + stime from
 * /proc/<pid>/stat (clock ticks taken as 100 Hz, USER_HZ). A server's threads live as long as it does, so a delta
 * between two reads is its CPU time in between.
 */
export async function cpuOf(pid: number): Promise<number | undefined> {
  // Every thread's time on a CPU, in ns (/proc/PID/task/TID/schedstat, first field): the JS thread and V8's GC and
  // compiler threads alike, to the ns where /proc/PID/stat counts 10-ms ticks (3% of a 0.3-s slice).
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const each = await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0')));
    return each.reduce((total, line) => total + Number(line.split(' ')[0]), 0) / 1000;
  } catch {}
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** VmRSS of a process from /proc (Linux), else from `ps`. */
export async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux: fall through to ps
  }
  const out = await new Promise<string>((resolve) => {
    const ps = track(spawn('ps', ['-o', 'rss=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] }));
    let text = '';
    ps.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    ps.once('error', () => resolve(''));
    ps.once('close', () => resolve(text));
  });
  return Number(out.trim()) * 1024;
}

/** Runs `node <args>` in the project's Node and resolves its stdout (rejects with its stderr on failure). */
export function runChild(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-4000)));
    child.once('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}
