/**
 * The state file's lock, `<file>.lock`: it holds the pid and host of the mock using the file, so a second live mock
 * on the same host is refused (two writers would lose each other's records); a lock left by a dead process is taken over.
 */

import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.ts';

/** State files this process holds: a lock naming our own pid but not listed here was left by an earlier process with the same pid (a restarted container). */
const held = new Set<string>();

/**
 * Takes `<path>.lock` for this process; resolves the function that gives it back.
 * Throws ConfigError (`--state-file`) if a live mock on this host or another in this process holds it, or it cannot be made.
 */
export async function lock(path: string, warn: (message: string) => void): Promise<() => Promise<void>> {
  const lockPath = `${resolve(path)}.lock`;
  if (held.has(lockPath)) {
    throw new ConfigError('--state-file', `--state-file ${path} is already in use by another mock in this process: give each mock its own --state-file`);
  }
  held.add(lockPath);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() });
  const release = async () => {
    if ((await readFile(lockPath, 'utf8').catch(() => '')) === mine) await unlink(lockPath).catch(() => {});
    held.delete(lockPath);
  };
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(lockPath, mine, { flag: 'wx', mode: 0o600 });
        return release;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST')
          throw new ConfigError('--state-file', `--state-file ${path}: cannot create its lock file ${lockPath}: ${(error as Error).message}`);
      }
      const holder = parseLock(await readFile(lockPath, 'utf8').catch(() => ''));
      if (holder && holder.host === hostname() && holder.pid !== process.pid && alive(holder.pid)) {
        throw new ConfigError(
          '--state-file',
          `--state-file ${path} is in use by another worth-auth-mock (pid ${holder.pid}): stop it, or give each mock its own --state-file (replicas that share state use --redis)`,
        );
      }
      warn(
        `state file ${path}: taking over ${lockPath}, left by ${holder ? `process ${holder.pid} on ${holder.host}, which is not running any more` : 'a process that did not finish writing it'}`,
      );
      await unlink(lockPath).catch(() => {});
    }
    throw new ConfigError('--state-file', `--state-file ${path}: cannot take its lock file ${lockPath}; another mock keeps creating it`);
  } catch (error) {
    held.delete(lockPath);
    throw error;
  }
}

/** The holder a lock file names, or undefined if it is not a whole lock (a write cut short). */
function parseLock(text: string): { pid: number; host: string } | undefined {
  try {
    const value = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host } : undefined;
  } catch {
    return undefined;
  }
}

/** True if process `pid` runs on this host (EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
