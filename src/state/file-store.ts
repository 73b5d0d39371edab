/**
 * The file store (`--state-file`): the whole state in memory, every change written ahead to an
 * append-only log that is fsynced before the change is acknowledged, and compacted by rewrite + rename.
 *
 * Why a log: a logout appends one short line (no rewrite of the whole state per logout), and concurrent
 * changes share one write and one fsync (group commit), so throughput does not collapse under load.
 *
 * Format, version 1 — UTF-8, one record per line: `<crc32 of the JSON, 8 hex digits> <JSON>\n`.
 * The first record is the header `{"t":"h","app":"worth-auth-mock","v":1}`; then, in order of change:
 * `{"t":"r","k":key,"u":untilMs}` a revocation · `{"t":"k","r":[TokenRecord…]}` issued tokens ·
 * `{"t":"f","l":[Fault…]}` the whole fault list after a change · `{"t":"j","e":JournalEntry}` a journal
 * entry (written without waiting for fsync: the journal is best effort) · `{"t":"J"}` journal cleared ·
 * `{"t":"x"}` reset. Replaying the records in order rebuilds the state.
 *
 * Recovery rules at start:
 * - no file: a new one is made (0600). An empty file: started empty, said in the log.
 * - damaged records only at the end (a torn or unfinished last write, as `kill -9` or a power cut leave):
 *   every complete record before them is recovered, the bytes dropped are said in the log. Nothing in
 *   them was acknowledged, since an acknowledgement waits for the fsync of its record and of all before it.
 * - a damaged record followed by good ones, a file that is not ours, or one from a newer version: a
 *   ConfigError naming the line; the file is left untouched (never silently overwritten).
 * - after loading, the file is rewritten as a snapshot (expired revocations dropped) via a temp file,
 *   fsync and an atomic rename; the same happens whenever the log has grown to twice the live state.
 * - `<file>.lock` holds the pid of the mock using the file: a second live mock on the same host is refused
 *   (two writers would lose each other's records); a lock left by a dead process is taken over.
 */

import { type FileHandle, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { ConfigError, StoreError } from '../errors.ts';
import { type Fault, type FaultContext, isLive, takeFrom } from '../faults/fault.ts';
import { filterJournal, type JournalEntry, type JournalFilter } from './journal.ts';
import { pushCapped, Revocations, type Store, type StoreOptions, type TokenRecord } from './store.ts';

/** Options of the file store. */
export type FileStoreOptions = StoreOptions & {
  /** The state file (`--state-file`). */
  path: string;
  /** Where recovery notes go (default: stderr). */
  warn?: (message: string) => void;
};

type LogRecord =
  | { t: 'h'; app: string; v: number }
  | { t: 'r'; k: string; u: number }
  | { t: 'k'; r: TokenRecord[] }
  | { t: 'f'; l: Fault[] }
  | { t: 'j'; e: JournalEntry }
  | { t: 'J' }
  | { t: 'x' };

const FORMAT_VERSION = 1;
const HEADER: LogRecord = { t: 'h', app: 'worth-auth-mock', v: FORMAT_VERSION };
const KINDS = new Set(['r', 'k', 'f', 'j', 'J', 'x']);
/** The log is compacted when it holds this many records and twice the live state. */
const COMPACT_MIN_RECORDS = 10_000;
/** Journal lines wait this long to be written with others (they never wait for fsync). */
const LAZY_WRITE_MS = 200;
const TOKENS_PER_RECORD = 500;

/** Opens (or creates) the state file, recovers what it holds, and returns the store. */
export async function createFileStore(options: FileStoreOptions): Promise<Store> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`worth-auth-mock: ${message}\n`));
  const release = await lock(options.path, warn);
  try {
    const store = new FileStore(options, warn, release);
    await store.load();
    return store;
  } catch (error) {
    await release();
    throw error;
  }
}

type Waiter = { resolve: () => void; reject: (error: Error) => void };

class FileStore implements Store {
  readonly #path: string;
  readonly #journalSize: number;
  readonly #tokensAtMost: number;
  readonly #warn: (message: string) => void;
  readonly #release: () => Promise<void>;

  #revoked = new Revocations();
  #tokens: TokenRecord[] = [];
  #faults: Fault[] = [];
  #journal: JournalEntry[] = [];
  /** The latest time a caller gave; compaction prunes revocations by it. */
  #now = Date.now();

  #fd: FileHandle | undefined;
  #queue: string[] = [];
  #waiters: Waiter[] = [];
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Records in the file now; compaction when it passes #compactAt. */
  #records = 0;
  #compactAt = COMPACT_MIN_RECORDS;
  /** Bytes written since the last fsync (journal lines). */
  #unsynced = false;
  /** The last write failed: the file's tail is unknown, so the next write rewrites it whole. */
  #broken: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: FileStoreOptions, warn: (message: string) => void, release: () => Promise<void>) {
    this.#path = options.path;
    this.#journalSize = options.journalSize;
    this.#tokensAtMost = options.tokenRecordsAtMost ?? 10_000;
    this.#warn = warn;
    this.#release = release;
  }

  /** Reads and replays the file (see the rules above), then rewrites it as a clean snapshot. */
  async load(): Promise<void> {
    const path = this.#path;
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ConfigError('--state-file', `--state-file ${path} cannot be read: ${(error as Error).message}`);
      }
    }
    if (text === '') this.#warn(`state file ${path} was empty: starting with no state`);
    if (text) {
      const { records, dropped } = parseLog(text, path);
      for (const record of records) this.#replay(record);
      if (dropped) {
        this.#warn(
          `state file ${path}: recovered ${records.length} complete records; dropped the last ${dropped.bytes} bytes (from line ${dropped.line}), ` +
            'an unfinished write when the mock stopped — none of it had been acknowledged',
        );
      }
    }
    await removeStaleTemps(path);
    try {
      await this.#compact();
    } catch (error) {
      throw new ConfigError('--state-file', `--state-file ${path} cannot be written: ${(error as Error).message}`);
    }
  }

  #replay(record: LogRecord): void {
    switch (record.t) {
      case 'r':
        // The later of two revocations of one key wins, which also keeps the safer one if clocks moved back.
        this.#revoked.add(record.k, record.u, 0);
        break;
      case 'k':
        this.#pushTokens(record.r);
        break;
      case 'f':
        this.#faults = record.l;
        break;
      case 'j':
        this.#pushJournal(record.e);
        break;
      case 'J':
        this.#journal = [];
        break;
      case 'x':
        this.#clearAll();
        break;
    }
  }

  async revoke(key: string, untilMs: number, nowMs: number): Promise<boolean> {
    this.#assertOpen();
    this.#now = Math.max(this.#now, nowMs);
    if (this.#revoked.isLive(key, nowMs)) {
      // Lost the race: answer only once the winner's record is on disk, so no "already logged out"
      // is ever told about a logout that a crash could still undo.
      await this.#barrier();
      return false;
    }
    this.#revoked.add(key, untilMs, nowMs);
    await this.#write({ t: 'r', k: key, u: untilMs }, true);
    return true;
  }

  async isRevoked(keys: readonly string[], nowMs: number): Promise<boolean> {
    this.#assertOpen();
    return this.#revoked.anyLive(keys, nowMs);
  }

  async recordTokens(records: readonly TokenRecord[]): Promise<void> {
    this.#assertOpen();
    if (records.length === 0) return;
    this.#pushTokens(records);
    await this.#write({ t: 'k', r: [...records] }, true);
  }

  async listTokens(): Promise<TokenRecord[]> {
    this.#assertOpen();
    return [...this.#tokens];
  }

  async addFault(fault: Fault): Promise<void> {
    this.#assertOpen();
    this.#faults = [...this.#faults, fault];
    await this.#write({ t: 'f', l: this.#faults }, true);
  }

  async listFaults(nowMs: number): Promise<Fault[]> {
    this.#assertOpen();
    return this.#faults.filter((fault) => isLive(fault, nowMs));
  }

  async removeFault(id: string): Promise<boolean> {
    this.#assertOpen();
    const next = this.#faults.filter((fault) => fault.id !== id);
    if (next.length === this.#faults.length) return false;
    this.#faults = next;
    await this.#write({ t: 'f', l: next }, true);
    return true;
  }

  async clearFaults(): Promise<number> {
    this.#assertOpen();
    const n = this.#faults.length;
    if (n === 0) return 0;
    this.#faults = [];
    await this.#write({ t: 'f', l: [] }, true);
    return n;
  }

  async takeFault(context: FaultContext, nowMs: number): Promise<Fault | undefined> {
    this.#assertOpen();
    if (this.#faults.length === 0) return undefined;
    const before = this.#faults;
    const { fired, next } = takeFrom(before, context, nowMs);
    if (!fired && next.length === before.length && next.every((fault, i) => fault === before[i])) return undefined;
    this.#faults = next;
    // Durable before the fault is served: a crash must not let a single-shot fault fire twice.
    await this.#write({ t: 'f', l: next }, true);
    return fired;
  }

  async appendRequest(entry: JournalEntry): Promise<void> {
    this.#assertOpen();
    if (this.#journalSize === 0) return;
    this.#pushJournal(entry);
    await this.#write({ t: 'j', e: entry }, false);
  }

  async listRequests(filter: JournalFilter): Promise<JournalEntry[]> {
    this.#assertOpen();
    return filterJournal(this.#journal.slice(-this.#journalSize), filter);
  }

  async clearRequests(): Promise<void> {
    this.#assertOpen();
    this.#journal = [];
    await this.#write({ t: 'J' }, true);
  }

  async reset(): Promise<void> {
    this.#assertOpen();
    this.#clearAll();
    await this.#write({ t: 'x' }, true);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#timer);
      try {
        // Journal lines still waiting, then one last fsync for those written without one.
        this.#kick();
        while (this.#draining) await this.#draining;
        if (this.#unsynced && !this.#broken) await this.#fd?.datasync();
      } finally {
        await this.#fd?.close().catch(() => {});
        this.#fd = undefined;
        await this.#release();
      }
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new StoreError(`state file ${this.#path} is closed`);
  }

  #clearAll(): void {
    this.#revoked.clear();
    this.#tokens = [];
    this.#faults = [];
    this.#journal = [];
  }

  #pushTokens(records: readonly TokenRecord[]): void {
    pushCapped(this.#tokens, records, this.#tokensAtMost);
  }

  #pushJournal(entry: JournalEntry): void {
    if (this.#journalSize === 0) return;
    this.#journal.push(entry);
    // Trimmed in bulk, so appending stays O(1) amortised; listing reads only the newest journalSize.
    if (this.#journal.length >= 2 * this.#journalSize) this.#journal.splice(0, this.#journal.length - this.#journalSize);
  }

  /** Queues a record; a durable one resolves once it (and everything before it) is fsynced. */
  #write(record: LogRecord, durable: boolean): Promise<void> {
    this.#queue.push(line(record));
    if (!durable) {
      this.#timer ??= setTimeout(() => this.#kick(), LAZY_WRITE_MS);
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#kick();
    return done;
  }

  /** Resolves once everything queued or being written now is on disk. */
  #barrier(): Promise<void> {
    if (!this.#draining && this.#queue.length === 0 && !this.#unsynced) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#kick();
    return done;
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      // Something may have queued between the last check of the loop and now.
      if (this.#waiters.length > 0) this.#kick();
      else if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#kick(), LAZY_WRITE_MS);
    });
  }

  /** Group commit: whatever queued while one batch was being written goes in the next, with one fsync. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#waiters.length > 0) {
      const lines = this.#queue;
      const waiters = this.#waiters;
      this.#queue = [];
      this.#waiters = [];
      try {
        if (this.#broken || this.#records + lines.length > this.#compactAt) {
          // The snapshot is taken synchronously, before any await: it holds exactly these lines' changes.
          await this.#compact();
        } else {
          if (lines.length > 0) {
            await (this.#fd as FileHandle).appendFile(lines.join(''), 'utf8');
            this.#records += lines.length;
            this.#unsynced = true;
          }
          if (waiters.length > 0 && this.#unsynced) {
            await (this.#fd as FileHandle).datasync();
            this.#unsynced = false;
          }
        }
        for (const waiter of waiters) waiter.resolve();
      } catch (cause) {
        this.#broken = cause as Error;
        const error = new StoreError(`state file ${this.#path} could not be written: ${(cause as Error).message}`, { cause });
        for (const waiter of waiters) waiter.reject(error);
      }
    }
  }

  /** Writes the live state to a temp file, fsyncs it, renames it over the log, and appends from there. */
  async #compact(): Promise<void> {
    const snapshot = this.#snapshot();
    const path = this.#path;
    const tmp = `${path}.${process.pid}.tmp`;
    const out = await open(tmp, 'w', 0o600);
    try {
      await out.writeFile(snapshot.text, 'utf8');
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, path);
    await syncDir(dirname(path));
    const previous = this.#fd;
    this.#fd = await open(path, 'a', 0o600);
    await previous?.close().catch(() => {});
    this.#records = snapshot.records;
    this.#compactAt = Math.max(COMPACT_MIN_RECORDS, 2 * snapshot.records);
    this.#unsynced = false;
    this.#broken = undefined;
  }

  #snapshot(): { text: string; records: number } {
    const now = Math.max(this.#now, Date.now());
    const lines = [line(HEADER)];
    this.#revoked.sweep(now);
    for (const [key, until] of this.#revoked.entries()) lines.push(line({ t: 'r', k: key, u: until }));
    for (let i = 0; i < this.#tokens.length; i += TOKENS_PER_RECORD) lines.push(line({ t: 'k', r: this.#tokens.slice(i, i + TOKENS_PER_RECORD) }));
    if (this.#faults.length > 0) lines.push(line({ t: 'f', l: this.#faults }));
    for (const entry of this.#journal.slice(-this.#journalSize)) lines.push(line({ t: 'j', e: entry }));
    return { text: lines.join(''), records: lines.length };
  }
}

function line(record: LogRecord): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

/** Splits the file into records by the recovery rules; throws ConfigError for damage that a crash cannot explain. */
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
      `--state-file ${path} was written by a newer worth-auth-mock (format ${header.v}; this one reads ${FORMAT_VERSION}): upgrade, or give another path`,
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

async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Temp files of a compaction that a crash interrupted: the rename never happened, so they hold nothing needed. */
async function removeStaleTemps(path: string): Promise<void> {
  const name = basename(path);
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+\\.tmp$`);
  const dir = dirname(path);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((entry) => pattern.test(entry)).map((entry) => unlink(join(dir, entry)).catch(() => {})));
}

/** State files this process holds: a lock naming our own pid but not listed here was left by an earlier process with the same pid (a restarted container). */
const held = new Set<string>();

/** Takes `<path>.lock` for this process; resolves the function that gives it back. */
async function lock(path: string, warn: (message: string) => void): Promise<() => Promise<void>> {
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

function parseLock(text: string): { pid: number; host: string } | undefined {
  try {
    const value = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
