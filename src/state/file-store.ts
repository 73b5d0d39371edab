/**
 * The file store (`--state-file`): the whole state in memory, every change written ahead to an append-only
 * log (its format: file-log.ts; its writes, group commit and compaction: log-writer.ts) that is fsynced before the
 * change is acknowledged.
 *
 * Why a log: a logout appends one short line (no rewrite of the whole state per logout), and concurrent
 * changes share one write and one fsync (group commit), so throughput does not collapse under load.
 *
 * Recovery rules at start:
 * - no file: a new one is made (0600). An empty file: started empty, said in the log.
 * - damaged records: a torn last write is dropped, said in the log; other damage refuses to start (file-log.ts).
 * - after loading, the file is rewritten as a snapshot (expired revocations and refresh records dropped) via a temp file,
 *   fsync and an atomic rename; the same happens whenever the log has grown to twice the live state.
 * - users (a removal is a user put `REMOVED`), customers, the seeded mark and outbox messages are records like
 *   revocations: each is acknowledged once on disk; a reset forgets them all (the caller seeds again).
 * - `<file>.lock` keeps a second live mock on this host off the file; a dead one's lock is taken over (file-lock.ts).
 */

import { ConfigError, StoreError } from '../errors.ts';
import { type Fault, type FaultContext, isLive, takeFrom } from '../faults/fault.ts';
import { removeStaleTemps } from './atomic-file.ts';
import { lock } from './file-lock.ts';
import { type LogRecord, line, readLog, snapshotLines } from './file-log.ts';
import { filterJournal, type JournalEntry, type JournalFilter } from './journal.ts';
import { LogWriter, type Snapshot } from './log-writer.ts';
import { Outbox } from './outbox.ts';
import { RecentList } from './recent-list.ts';
import type { CustomerRecord, OutboxFilter, OutboxMessage, PutUserResult, SessionRecord, SignInState, UserKey, UserRecord } from './records.ts';
import { type RefreshRecord, RefreshRecords, type RefreshResult, type RefreshStep } from './refresh-records.ts';
import { Revocations } from './revocations.ts';
import type { Store, StoreOptions } from './store.ts';
import { upgradeUser } from './upgrade.ts';
import { Users } from './users.ts';

/** Options of the file store. */
export type FileStoreOptions = StoreOptions & {
  /** The state file (`--state-file`). */
  path: string;
  /** Where recovery notes go (default: stderr). */
  warn?: (message: string) => void;
};

/** Opens (or creates) the state file, recovers what it holds, and returns the store; throws ConfigError (`--state-file`) when it cannot (see above). */
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

/** The Store over one state file; built and loaded only by createFileStore. */
class FileStore implements Store {
  readonly #path: string;
  readonly #journalSize: number;
  readonly #warn: (message: string) => void;
  readonly #release: () => Promise<void>;

  #revoked = new Revocations();
  #refreshes = new RefreshRecords();
  #users = new Users();
  #outbox: Outbox;
  readonly #tokens: RecentList<SessionRecord>;
  #faults: Fault[] = [];
  readonly #journal: RecentList<JournalEntry>;
  /** The latest time a caller gave; compaction prunes revocations by it. */
  #now = Date.now();

  readonly #log: LogWriter;
  #closing: Promise<void> | undefined;

  constructor(options: FileStoreOptions, warn: (message: string) => void, release: () => Promise<void>) {
    this.#path = options.path;
    this.#journalSize = options.journalSize;
    this.#tokens = new RecentList(options.tokenRecordsAtMost ?? 10_000);
    this.#journal = new RecentList(options.journalSize);
    this.#outbox = new Outbox(options.outboxSize ?? 1000);
    this.#warn = warn;
    this.#release = release;
    this.#log = new LogWriter(options.path, () => this.#snapshot());
  }

  /** Reads and replays the file (see the rules above), then rewrites it as a clean snapshot. */
  async load(): Promise<void> {
    const path = this.#path;
    for (const record of await readLog(path, this.#warn)) this.#replay(record);
    await removeStaleTemps(path);
    try {
      await this.#log.open();
    } catch (error) {
      throw new ConfigError('--state-file', `--state-file ${path} cannot be written: ${(error as Error).message}`);
    }
  }

  #replay(record: LogRecord): void {
    switch (record.t) {
      case 'u': {
        const user = upgradeUser(record.u);
        // An earlier version seeded at every start and kept no mark: a file it wrote with users has been seeded.
        if (user !== record.u) this.#users.markSeeded();
        this.#users.restore(user);
        break;
      }
      case 'U': {
        const user = this.#users.get({ email: record.e });
        if (user !== undefined) this.#users.forget(user.id);
        break;
      }
      case 'c':
        this.#users.putCustomer(record.c);
        break;
      case 's':
        this.#users.markSeeded();
        break;
      case 'm':
        this.#outbox.push(record.m);
        break;
      case 'r':
        // The later of two revocations of one key wins, which also keeps the safer one if clocks moved back.
        this.#revoked.add(record.k, record.u, 0);
        break;
      case 'k':
        this.#pushTokens(record.r);
        break;
      case 'R':
        this.#refreshes.restore(record.r);
        break;
      case 'f':
        this.#faults = record.l;
        break;
      case 'j':
        this.#pushJournal(record.e);
        break;
      case 'J':
        this.#journal.clear();
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
      await this.#log.barrier();
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

  async firstRevoked(keys: readonly string[], nowMs: number): Promise<string | undefined> {
    this.#assertOpen();
    return this.#revoked.firstLive(keys, nowMs);
  }

  async signInState(keys: readonly string[], sub: string, nowMs: number): Promise<SignInState> {
    this.#assertOpen();
    return { revoked: this.#revoked.firstLive(keys, nowMs), user: this.#users.get({ sub }) };
  }

  async putUser(user: UserRecord, expectVersion?: number): Promise<PutUserResult> {
    this.#assertOpen();
    const result = this.#users.put(user, expectVersion);
    if (result === 'ok') await this.#write({ t: 'u', u: user }, true);
    else await this.#log.barrier(); // As for a lost revoke race: the refusal only once what refused it is on disk.
    return result;
  }

  async getUser(key: UserKey): Promise<UserRecord | undefined> {
    this.#assertOpen();
    return this.#users.get(key);
  }

  async listUsers(customerId?: string): Promise<UserRecord[]> {
    this.#assertOpen();
    return this.#users.list(customerId);
  }

  async putCustomer(customer: CustomerRecord): Promise<void> {
    this.#assertOpen();
    this.#users.putCustomer(customer);
    await this.#write({ t: 'c', c: customer }, true);
  }

  async getCustomer(id: string): Promise<CustomerRecord | undefined> {
    this.#assertOpen();
    return this.#users.getCustomer(id);
  }

  async listCustomers(): Promise<CustomerRecord[]> {
    this.#assertOpen();
    return this.#users.customers();
  }

  async seed(customers: readonly CustomerRecord[], users: readonly UserRecord[]): Promise<void> {
    this.#assertOpen();
    const added = this.#users.seed(customers, users);
    for (const customer of added.customers) this.#log.queue(line({ t: 'c', c: customer }));
    for (const user of added.users) this.#log.queue(line({ t: 'u', u: user }));
    await this.#write({ t: 's' }, true);
  }

  async appendMessage(message: OutboxMessage): Promise<void> {
    this.#assertOpen();
    this.#outbox.push(message);
    await this.#write({ t: 'm', m: message }, true);
  }

  async listMessages(filter: OutboxFilter): Promise<OutboxMessage[]> {
    this.#assertOpen();
    return this.#outbox.list(filter);
  }

  async recordTokens(records: readonly SessionRecord[]): Promise<void> {
    this.#assertOpen();
    if (records.length === 0) return;
    this.#pushTokens(records);
    await this.#write({ t: 'k', r: [...records] }, true);
  }

  async listTokens(): Promise<SessionRecord[]> {
    this.#assertOpen();
    return this.#tokens.list();
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

  async refreshSignIn(sid: string, step: RefreshStep): Promise<RefreshResult> {
    this.#assertOpen();
    this.#now = Math.max(this.#now, step.nowMs);
    const { record, result } = this.#refreshes.apply(sid, step);
    // A rotation is acknowledged once on disk (a crash must not take back which refresh token is current); a tally is best effort.
    await this.#write({ t: 'R', r: record }, step.rotation !== undefined);
    return result;
  }

  async listRefreshes(nowMs: number, sid?: string): Promise<RefreshRecord[]> {
    this.#assertOpen();
    return this.#refreshes.list(nowMs, sid);
  }

  async appendRequest(entry: JournalEntry): Promise<void> {
    this.#assertOpen();
    if (this.#journalSize === 0) return;
    this.#pushJournal(entry);
    await this.#write({ t: 'j', e: entry }, false);
  }

  async listRequests(filter: JournalFilter): Promise<JournalEntry[]> {
    this.#assertOpen();
    return filterJournal(this.#journal.list(), filter);
  }

  async clearRequests(): Promise<void> {
    this.#assertOpen();
    this.#journal.clear();
    await this.#write({ t: 'J' }, true);
  }

  async reset(): Promise<void> {
    this.#assertOpen();
    this.#clearAll();
    await this.#write({ t: 'x' }, true);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#log.close();
      } finally {
        await this.#release();
      }
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new StoreError(`state file ${this.#path} is closed`);
  }

  /** What a reset forgets: everything (the caller seeds the store again). */
  #clearAll(): void {
    this.#users.clear();
    this.#outbox.clear();
    this.#revoked.clear();
    this.#refreshes.clear();
    this.#tokens.clear();
    this.#faults = [];
    this.#journal.clear();
  }

  #pushTokens(records: readonly SessionRecord[]): void {
    this.#tokens.push(...records);
  }

  #pushJournal(entry: JournalEntry): void {
    this.#journal.push(entry);
  }

  /** Writes a record through the log: a durable one resolves once it is on disk. */
  #write(record: LogRecord, durable: boolean): Promise<void> {
    return this.#log.write(line(record), durable);
  }

  /** The live state as a fresh log's lines (expired revocations and refresh records dropped). */
  #snapshot(): Snapshot {
    const now = Math.max(this.#now, Date.now());
    this.#revoked.sweep(now);
    this.#refreshes.sweep(now);
    const lines = snapshotLines({
      customers: this.#users.customers(),
      users: this.#users.all(),
      seeded: this.#users.seeded,
      revocations: this.#revoked.entries(),
      tokens: this.#tokens.list(),
      refreshes: this.#refreshes.values(),
      faults: this.#faults,
      outbox: this.#outbox.list(),
      journal: this.#journal.list(),
    });
    return { text: lines.join(''), records: lines.length };
  }
}
