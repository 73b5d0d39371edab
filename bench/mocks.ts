import { join } from 'node:path';
import type { MockStarter } from './path-types.ts';
import { type Running, startMockServer } from './servers.ts';

/** The mocks a run started: a starter for the paths, every mock it started, and the request log file of each logging one. */
export type Mocks = { readonly start: MockStarter; readonly all: Running[]; readonly logFiles: Map<Running, string> };

/**
 * Starts mocks of `bin` on demand: one per flag set and log choice (paths with the same ones share it), or a new one
 * when asked; each with its request log on writes it to a file in `logDir`. `nodeFlags` go to every one (a profile's).
 */
export function mockStarter(bin: string, logDir: string, nodeFlags: readonly string[] = [], forceLogOff = false): Mocks {
  const all: Running[] = [];
  const logFiles = new Map<Running, string>();
  const byFlags = new Map<string, Running>();
  const start: MockStarter = async (args, options = {}) => {
    const logOff = forceLogOff || options.logOff === true;
    const key = `${logOff ? '--log off ' : ''}${args.join(' ')}`;
    const known = options.fresh ? undefined : byFlags.get(key);
    if (known) return known;
    const logFile = logOff ? undefined : join(logDir, `mock-${all.length + 1}.log`);
    const mock = await startMockServer({ args, nodeFlags, bin, logFile });
    all.push(mock);
    if (logFile) logFiles.set(mock, logFile);
    if (!options.fresh) byFlags.set(key, mock);
    return mock;
  };
  return { start, all, logFiles };
}
