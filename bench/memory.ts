import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../src/config/load.ts';
import { eachNew, type Measured, measure } from './load.ts';
import { BENCH_ISSUER } from './path-types.ts';
import { ROOT, runChild, track } from './servers.ts';
import { hs256Signer } from './tokens.ts';

/** Heap bytes per live revocation in MemoryStore, measured after GC in a child process. */
export type RevocationCost = {
  readonly live: number;
  /** Sign-ins the mock minted (ids from crypto.randomUUID()). */
  readonly minted: number;
  /** Sign-ins of tokens verified by signature (ids from JSON.parse). */
  readonly verified: number;
  /** The larger of the two: what the target is checked against. */
  readonly bytesPerRevocation: number;
};

/** Revokes `n` distinct sign-ins in a fresh MemoryStore (child with --expose-gc) and divides the heap growth. */
export async function revocationCost(n: number): Promise<RevocationCost> {
  const script = fileURLToPath(new URL('./revocations.ts', import.meta.url));
  return JSON.parse(await runChild(['--expose-gc', script, String(n)])) as RevocationCost;
}

/** Memory samples of a mock whose revocations keep expiring, with what the run did. */
export type Pruning = {
  /** `[seconds since start, RSS bytes, heap bytes in use after a full GC]`, one every few seconds. */
  readonly samples: readonly (readonly [number, number, number])[];
  /** Logouts answered 200: each stored one revocation that expired ~`tokenTtlSeconds` later. */
  readonly revocations: number;
  readonly load: Measured;
  readonly tokenTtlSeconds: number;
};

/**
 * Runs the mock (`startMock` in a child that reports its heap after GC) for `seconds` under logouts of tokens
 * signed here on the spot (HS256), each used once, with 2-s token and refresh-token lifetimes. With pruning the
 * denylist holds ~2 s of logouts and the heap stays flat; without it, every revocation would add to it.
 */
export async function pruningRun(serverModule: string, logoutPath: string, seconds: number, sampleSeconds: number, connections: number): Promise<Pruning> {
  const dir = await mkdtemp(join(tmpdir(), 'worth-bench-'));
  const keyFile = join(dir, 'keys.json');
  const issuer = BENCH_ISSUER;
  const tokenTtlSeconds = 2;
  // A sign-in's revocation lasts until its refresh token would expire: that lifetime is short here too.
  const mock = await runMock(serverModule, { port: 0, log: 'off', alg: 'HS256', keyFile, tokenTtlSeconds, refreshTtlSeconds: tokenTtlSeconds, issuer });
  try {
    const sign = await hs256Signer(keyFile, issuer, DEFAULTS.clientId);
    const samples: [number, number, number][] = [];
    const started = performance.now();
    const sample = async () => {
      const { rss, heapUsed } = await mock.memory();
      samples.push([Math.round((performance.now() - started) / 100) / 10, rss, heapUsed]);
    };
    await sample();
    let sampling = Promise.resolve();
    const timer = setInterval(() => (sampling = sampling.then(sample)), sampleSeconds * 1000);
    const load = await measure(
      mock.origin,
      logoutPath,
      eachNew(() => sign(tokenTtlSeconds)),
      { connections, seconds },
    );
    clearInterval(timer);
    await sampling;
    await sample();
    return { samples, revocations: load.statuses['200'] ?? 0, load, tokenTtlSeconds };
  } finally {
    await mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

type RunnerMock = { origin: string; memory(): Promise<{ rss: number; heapUsed: number }>; stop(): Promise<void> };

/** Starts bench/mock-runner.ts on `serverModule` and talks to it over IPC. */
async function runMock(serverModule: string, options: Record<string, unknown>): Promise<RunnerMock> {
  const runner = fileURLToPath(new URL('./mock-runner.ts', import.meta.url));
  const child = track(
    spawn(process.execPath, ['--expose-gc', runner, serverModule, JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }),
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = () => reject(new Error(`the mock runner exited: ${stderr.trim()}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as Record<string, unknown>);
      });
    });
  const { url } = (await next()) as { url: string };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    origin: url,
    async memory() {
      const reply = next();
      child.send('memory');
      return (await reply) as { rss: number; heapUsed: number };
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
