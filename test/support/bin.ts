import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repo's executable, as `npm start` runs it. */
export const BIN = fileURLToPath(new URL('../../bin/worth-auth-mock.js', import.meta.url));

/** A mock started from a real bin as its own process. */
export type BinProcess = {
  readonly child: ChildProcess;
  /** What the banner names as Base URL (`http://127.0.0.1:PORT/auth/api/v1`), its origin and port. */
  readonly baseUrl: string;
  readonly origin: string;
  readonly port: number;
  /** The first access token the banner prints. */
  readonly token: string;
  /** Everything it wrote to stdout and stderr so far, and stderr alone. */
  output(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
  /** SIGTERM (a clean stop); resolves the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<number | null>;
};

/** Spawns `<bin> start --port <port> …args` (no colours) and resolves once its whole banner is out. */
export async function spawnBin(
  args: readonly string[] = [],
  options: { node?: string; bin?: string; cwd?: string; port?: string | number } = {},
): Promise<BinProcess> {
  const child = spawn(options.node ?? process.execPath, [options.bin ?? BIN, 'start', '--port', String(options.port ?? 0), ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 20 s:\n${out}`)), 20_000);
      child.stdout.on('data', () => {
        if (/Ctrl-C stops the mock/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => reject(new Error(`the mock exited ${code} before its banner:\n${out}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const baseUrl = /Base URL +(\S+)/.exec(out)?.[1] as string;
  const end = (signal: NodeJS.Signals) => {
    child.kill(signal);
    return exited;
  };
  return {
    child,
    baseUrl,
    origin: new URL(baseUrl).origin,
    port: Number(new URL(baseUrl).port),
    token: /^ {2}(eyJ\S+)$/m.exec(out)?.[1] as string,
    output: () => out,
    stderr: () => err,
    exited,
    stop: () => end('SIGTERM'),
    kill9: () => end('SIGKILL'),
  };
}
