import { readFile } from 'node:fs/promises';
import { ConfigError, InputError, jsonParsePosition } from '../errors.ts';
import type { UserRecord } from '../state/store.ts';
import { parseUser } from './user.ts';

/**
 * Reads the users of a `--users` file (a JSON array of users, or `{ "users": [...] }`) as seed users, which
 * reset keeps. Read once, at start: a reset restores these, whatever the file holds by then. Throws
 * ConfigError naming `--users`, and for a bad user (or an email given twice) its entry index (0 is the first) and field.
 */
export async function readUsersFile(path: string): Promise<UserRecord[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError('--users', code ? `--users ${path} cannot be read (${code})` : `--users ${path} is not valid JSON${jsonParsePosition(error)}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown })?.users;
  if (!Array.isArray(list)) throw new ConfigError('--users', `--users ${path} must hold a JSON array of users (or { "users": [...] })`);
  const first = new Map<string, number>();
  return list.map((entry, index) => {
    let user: UserRecord;
    try {
      user = parseUser(entry, 'seed');
    } catch (error) {
      if (error instanceof InputError) throw new ConfigError('--users', `--users ${path}: entry ${index}, field ${error.field}: ${error.message}`);
      throw error;
    }
    // Two entries for one email: the last would silently win, and the first's password stop working.
    const earlier = first.get(user.email);
    if (earlier !== undefined) throw new ConfigError('--users', `--users ${path}: entry ${index}, field email: ${user.email} is already entry ${earlier}`);
    first.set(user.email, index);
    return user;
  });
}
