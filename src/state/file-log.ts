/**
 * The state file's log format, version 5 — UTF-8, one record per line: `<crc32 of the JSON, 8 hex digits> <JSON>\n`.
 * The first record is the header `{"t":"h","app":"worth-auth-mock","v":5}`; then, in order of change:
 * `{"t":"u","u":UserRecord}` a user put (added or replaced by its id; a removed one is put `REMOVED`) ·
 * `{"t":"U","e":email}` a user removed (written by version 2 only) · `{"t":"c","c":CustomerRecord}` a customer put ·
 * `{"t":"s"}` the store seeded · `{"t":"m","m":OutboxMessage}` a message in the outbox ·
 * `{"t":"r","k":key,"u":untilMs}` a revocation · `{"t":"k","r":[TokenRecord or SignInEvent…]}` issued tokens and their sign-ins' events ·
 * `{"t":"R","r":RefreshRecord}` a sign-in's refreshes after a refresh (the whole record: the later line wins) ·
 * `{"t":"f","l":[Fault…]}` the whole fault list after a change · `{"t":"j","e":JournalEntry}` a journal
 * entry (written without waiting for fsync: the journal is best effort) · `{"t":"J"}` journal cleared ·
 * `{"t":"x"}` reset (everything forgotten, the store not seeded). Replaying the records in order rebuilds the state.
 *
 * Version 2 added the user records; version 3 users by id (an earlier record is read as today's, see upgrade.ts),
 * customers, the seeded mark and the outbox; version 4 the refresh records (storm tallies, rotation); version 5
 * sign-in events (a logout, an early expiry) among the issued tokens. An earlier file reads as it always did and is
 * rewritten as the current version at start; a mock that reads only an earlier version refuses a newer file instead of
 * misreading its records as damage.
 *
 * Reading it back (parseLog):
 * - damaged records only at the end (a torn or unfinished last write, as `kill -9` or a power cut leave):
 *   every complete record before them is recovered, the bytes dropped are said in the log. Nothing in
 *   them was acknowledged, since an acknowledgement waits for the fsync of its record and of all before it.
 * - a damaged record followed by good ones, a file that is not ours, or one from a newer version: a
 *   ConfigError naming the line; the file is left untouched (never silently overwritten).
 */

import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ConfigError } from '../errors.ts';
import type { Fault } from '../faults/fault.ts';
import type { JournalEntry } from './journal.ts';
import type { CustomerRecord, OutboxMessage, SessionRecord, UserRecord } from './records.ts';
import type { RefreshRecord } from './refresh-records.ts';

/** One record of the log, by its kind `t` (see the format above). */
export type LogRecord =
  | { t: 'h'; app: string; v: number }
  | { t: 'u'; u: UserRecord }
  | { t: 'U'; e: string }
  | { t: 'c'; c: CustomerRecord }
  | { t: 's' }
  | { t: 'm'; m: OutboxMessage }
  | { t: 'r'; k: string; u: number }
  | { t: 'k'; r: SessionRecord[] }
  | { t: 'R'; r: RefreshRecord }
  | { t: 'f'; l: Fault[] }
  | { t: 'j'; e: JournalEntry }
  | { t: 'J' }
  | { t: 'x' };

const FORMAT_VERSION = 5;
/** The first record of every state file. */
const HEADER: LogRecord = { t: 'h', app: 'worth-auth-mock', v: FORMAT_VERSION };
const KINDS = new Set(['u', 'U', 'c', 's', 'm', 'r', 'k', 'R', 'f', 'j', 'J', 'x']);
/** Issued tokens are snapshotted this many to a record. */
const TOKENS_PER_RECORD = 500;

/** A record as one line of the file: checksum, space, JSON, newline. */
export function line(record: LogRecord): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

/** The CRC-32 of `json`, as 8 hex digits. */
function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

/**
 * Reads the state file's records by the rules above, saying through `warn` what was dropped or empty; none for a
 * missing file. Throws ConfigError (`--state-file`) for a file that cannot be read, is foreign, newer or damaged.
 */
export async function readLog(path: string, warn: (message: string) => void): Promise<LogRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError('--state-file', `--state-file ${path} cannot be read: ${(error as Error).message}`);
  }
  if (text === '') {
    warn(`state file ${path} was empty: starting with no state`);
    return [];
  }
  const { records, dropped } = parseLog(text, path);
  if (dropped) {
    warn(
      `state file ${path}: recovered ${records.length} complete records; dropped the last ${dropped.bytes} bytes (from line ${dropped.line}), ` +
        'an unfinished write when the mock stopped — none of it had been acknowledged',
    );
  }
  return records;
}

/**
 * Splits the file into records by the rules above; `dropped` is a torn tail left by a crash.
 * Throws ConfigError (`--state-file`) for a foreign file, a newer format, or damage that a crash cannot explain.
 */
function parseLog(text: string, path: string): { records: LogRecord[]; dropped?: { bytes: number; line: number } } {
  const lines = text.split('\n');
  const tail = lines.pop() as string; // after the last newline: empty, or an unfinished write
  const parsed = lines.map(parseLine);
  let lastGood = parsed.length - 1;
  while (lastGood >= 0 && parsed[lastGood] === undefined) lastGood--;

  const first = parsed[0];
  const header = first?.t === 'h' && first.app === 'worth-auth-mock' ? first : undefined;
  if (!header) {
    if (lastGood === -1 && isPrefixOfHeader(text)) return { records: [], dropped: { bytes: Buffer.byteLength(text), line: 1 } };
    throw new ConfigError(
      '--state-file',
      `--state-file ${path} is not a worth-auth-mock state file (its first line is not the state header); it was left as it is: give another path, or move the file away`,
    );
  }
  if (header.v > FORMAT_VERSION) {
    throw new ConfigError(
      '--state-file',
      `--state-file ${path} was written by a newer worth-auth-mock (format ${header.v}; this one reads formats 1 to ${FORMAT_VERSION}): upgrade, or give another path`,
    );
  }
  const damaged = parsed.findIndex((record, i) => i < lastGood && record === undefined);
  if (damaged !== -1) {
    throw new ConfigError(
      '--state-file',
      `--state-file ${path} is damaged at line ${damaged + 1} of ${parsed.length}, and intact records follow it, so this is not an unfinished write from a crash; ` +
        'it was left as it is: restore a copy, or move it away to start with no state',
    );
  }
  const records = parsed.slice(1, lastGood + 1) as LogRecord[];
  const droppedLines = lines.slice(lastGood + 1);
  const bytes = droppedLines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0) + Buffer.byteLength(tail);
  return bytes === 0 ? { records } : { records, dropped: { bytes, line: lastGood + 2 } };
}

/** One line as its record, or undefined if its checksum, JSON or kind is wrong. */
function parseLine(text: string): LogRecord | undefined {
  if (text.length < 10 || text[8] !== ' ') return undefined;
  const json = text.slice(9);
  if (checksum(json) !== text.slice(0, 8)) return undefined;
  try {
    const record = JSON.parse(json) as LogRecord;
    if (record.t === 'h' || KINDS.has(record.t)) return record;
    return undefined;
  } catch {
    return undefined;
  }
}

/** A file cut inside its very first line (so only its header was ever being written). */
function isPrefixOfHeader(text: string): boolean {
  return line(HEADER).startsWith(text);
}

/** The state as the lines that rebuild it: header, customers, users (in the order first put), the seeded mark, revocations (`[key, untilMs]`), tokens, refresh records, faults, outbox, journal. */
export function snapshotLines(state: {
  customers: readonly CustomerRecord[];
  users: readonly UserRecord[];
  seeded: boolean;
  outbox: readonly OutboxMessage[];
  revocations: Iterable<[string, number]>;
  tokens: readonly SessionRecord[];
  refreshes: Iterable<RefreshRecord>;
  faults: Fault[];
  journal: readonly JournalEntry[];
}): string[] {
  const lines = [line(HEADER)];
  for (const customer of state.customers) lines.push(line({ t: 'c', c: customer }));
  for (const user of state.users) lines.push(line({ t: 'u', u: user }));
  if (state.seeded) lines.push(line({ t: 's' }));
  for (const [key, until] of state.revocations) lines.push(line({ t: 'r', k: key, u: until }));
  for (let i = 0; i < state.tokens.length; i += TOKENS_PER_RECORD) lines.push(line({ t: 'k', r: state.tokens.slice(i, i + TOKENS_PER_RECORD) }));
  for (const record of state.refreshes) lines.push(line({ t: 'R', r: record }));
  if (state.faults.length > 0) lines.push(line({ t: 'f', l: state.faults }));
  for (const message of state.outbox) lines.push(line({ t: 'm', m: message }));
  for (const entry of state.journal) lines.push(line({ t: 'j', e: entry }));
  return lines;
}
