import type { Config } from '../config.ts';
import { type Fault, type FaultContext, isLive, takeFrom } from '../faults/fault.ts';
import { filterJournal, type JournalEntry, type JournalFilter } from './journal.ts';

/** A token the mock issued, as `GET /__mock/sessions` lists it (by `jti`, never the raw token). */
export type TokenRecord = {
  readonly jti: string;
  /** The sign-in (`origin_jti`). */
  readonly sid: string;
  readonly sub: string;
  readonly tokenUse: 'access' | 'id';
  readonly role: string;
  readonly kind: string;
  /** Epoch seconds. */
  readonly iat: number;
  /** Epoch seconds. */
  readonly exp: number;
};

/**
 * All the mock's state, behind one async interface: revocations, issued tokens, faults, journal.
 * Memory, file and Redis implement it and pass the same contract tests.
 */
export interface Store {
  /** Revokes `key` until `untilMs`. Resolves true only for the call that revoked it first (atomic). */
  revoke(key: string, untilMs: number, nowMs: number): Promise<boolean>;
  /** True if any of `keys` is revoked at `nowMs`. */
  isRevoked(keys: readonly string[], nowMs: number): Promise<boolean>;
  recordTokens(records: readonly TokenRecord[]): Promise<void>;
  listTokens(): Promise<TokenRecord[]>;
  addFault(fault: Fault): Promise<void>;
  /** Faults still live at `nowMs`, oldest first. */
  listFaults(nowMs: number): Promise<Fault[]>;
  removeFault(id: string): Promise<boolean>;
  /** Removes every fault; resolves how many there were. */
  clearFaults(): Promise<number>;
  /** Atomically takes the fault this request gets, if any (see `takeFrom`). */
  takeFault(context: FaultContext, nowMs: number): Promise<Fault | undefined>;
  appendRequest(entry: JournalEntry): Promise<void>;
  listRequests(filter: JournalFilter): Promise<JournalEntry[]>;
  clearRequests(): Promise<void>;
  /** Forgets revocations, tokens, faults and the journal. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Options every store shares. */
export type StoreOptions = { journalSize: number; tokenRecordsAtMost?: number };

/** Builds the store the config asks for; file and Redis backends load only when asked for. */
export async function createStore(config: Pick<Config, 'stateFile' | 'redis' | 'redisPrefix' | 'journalSize'>): Promise<Store> {
  const options = { journalSize: config.journalSize };
  if (config.redis) {
    const { createRedisStore } = await import('./redis-store.ts');
    return createRedisStore({ ...options, url: config.redis, prefix: config.redisPrefix });
  }
  if (config.stateFile) {
    const { createFileStore } = await import('./file-store.ts');
    return createFileStore({ ...options, path: config.stateFile });
  }
  return new MemoryStore(options);
}

/** One journal entry, every field present (undefined when absent): one object shape, rewritten in place. */
type JournalSlot = { -readonly [K in keyof Required<JournalEntry>]: JournalEntry[K] };

const BLANK: JournalSlot = {
  at: '',
  method: '',
  path: '',
  status: 0,
  reason: '',
  faultId: undefined,
  sub: undefined,
  jti: undefined,
  sid: undefined,
  session: undefined,
  ms: 0,
};

/** Writes `entry` into `slot`, the fields it lacks blanked. */
function fill(slot: JournalSlot, entry: JournalEntry): JournalSlot {
  return Object.assign(slot, BLANK, entry);
}

/** A slot as the entry it holds (absent fields left out). */
function entryOf(slot: JournalSlot): JournalEntry {
  const entry: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(slot)) if (value !== undefined) entry[name] = value;
  return entry as JournalEntry;
}

/**
 * Revocations held in memory, by key, with the time each lasts until: what MemoryStore keeps, and what the
 * file store replays its log into.
 */
export class Revocations {
  #until = new Map<string, number>();

  /** True if `key` is revoked at `nowMs`. */
  isLive(key: string, nowMs: number): boolean {
    const until = this.#until.get(key);
    return until !== undefined && until > nowMs;
  }

  /** True if any of `keys` is revoked at `nowMs`. */
  anyLive(keys: readonly string[], nowMs: number): boolean {
    for (const key of keys) if (this.isLive(key, nowMs)) return true;
    return false;
  }

  /** Revokes `key` until `untilMs` (the later time wins), dropping a few expired ones on the way. */
  add(key: string, untilMs: number, nowMs: number): void {
    this.#pruneFront(nowMs);
    // normalize() flattens a string built from pieces (randomUUID's is ~20): 557 → ~100 bytes per live revocation.
    this.#until.set(key.normalize(), Math.max(untilMs, this.#until.get(key) ?? 0));
  }

  /** Drops every revocation expired at `nowMs`. */
  sweep(nowMs: number): void {
    for (const [key, until] of this.#until) if (until <= nowMs) this.#until.delete(key);
  }

  /** Revocations held (live, or expired and not pruned yet). */
  get size(): number {
    return this.#until.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.#until.entries();
  }

  clear(): void {
    this.#until.clear();
  }

  /** Revocations mostly expire in insertion order, so a few at the front go on every write. */
  #pruneFront(nowMs: number): void {
    let n = 0;
    for (const [key, until] of this.#until) {
      if (until > nowMs || ++n > 8) break;
      this.#until.delete(key);
    }
  }
}

/** Appends `items` to `list` in place, keeping its newest `atMost`. */
export function pushCapped<T>(list: T[], items: readonly T[], atMost: number): void {
  list.push(...items);
  if (list.length > atMost) list.splice(0, list.length - atMost);
}

/** Everything in this process's memory: fast, gone at exit. */
export class MemoryStore implements Store {
  #revoked = new Revocations();
  #tokens: TokenRecord[] = [];
  #faults: Fault[] = [];
  /** The journal: a ring of slots written in place, so an entry is not kept as one more object per request. */
  #journal: JournalSlot[] = [];
  #journalStart = 0;
  #journalSize: number;
  #tokensAtMost: number;
  #sweepTimer: NodeJS.Timeout;

  constructor(options: StoreOptions) {
    this.#journalSize = options.journalSize;
    this.#tokensAtMost = options.tokenRecordsAtMost ?? 10_000;
    this.#sweepTimer = setInterval(() => this.sweep(Date.now()), 60_000).unref();
  }

  async revoke(key: string, untilMs: number, nowMs: number): Promise<boolean> {
    if (this.#revoked.isLive(key, nowMs)) return false;
    this.#revoked.add(key, untilMs, nowMs);
    return true;
  }

  async isRevoked(keys: readonly string[], nowMs: number): Promise<boolean> {
    return this.#revoked.anyLive(keys, nowMs);
  }

  /** Revocations held now (live or not yet pruned). */
  get revocationCount(): number {
    return this.#revoked.size;
  }

  /** Drops expired revocations. Runs every minute; callable for tests and benchmarks. */
  sweep(nowMs: number): void {
    this.#revoked.sweep(nowMs);
  }

  async recordTokens(records: readonly TokenRecord[]): Promise<void> {
    pushCapped(this.#tokens, records, this.#tokensAtMost);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return [...this.#tokens];
  }

  async addFault(fault: Fault): Promise<void> {
    this.#faults.push(fault);
  }

  async listFaults(nowMs: number): Promise<Fault[]> {
    this.#faults = this.#faults.filter((fault) => isLive(fault, nowMs));
    return [...this.#faults];
  }

  async removeFault(id: string): Promise<boolean> {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((fault) => fault.id !== id);
    return this.#faults.length < before;
  }

  async clearFaults(): Promise<number> {
    const n = this.#faults.length;
    this.#faults = [];
    return n;
  }

  async takeFault(context: FaultContext, nowMs: number): Promise<Fault | undefined> {
    if (this.#faults.length === 0) return undefined;
    const { fired, next } = takeFrom(this.#faults, context, nowMs);
    this.#faults = next;
    return fired;
  }

  async appendRequest(entry: JournalEntry): Promise<void> {
    if (this.#journalSize === 0) return;
    if (this.#journal.length < this.#journalSize) {
      this.#journal.push(fill({ ...BLANK }, entry));
    } else {
      fill(this.#journal[this.#journalStart] as JournalSlot, entry);
      this.#journalStart = (this.#journalStart + 1) % this.#journalSize;
    }
  }

  async listRequests(filter: JournalFilter): Promise<JournalEntry[]> {
    const ordered = [...this.#journal.slice(this.#journalStart), ...this.#journal.slice(0, this.#journalStart)];
    return filterJournal(ordered.map(entryOf), filter);
  }

  async clearRequests(): Promise<void> {
    this.#journal = [];
    this.#journalStart = 0;
  }

  async reset(): Promise<void> {
    this.#revoked.clear();
    this.#tokens = [];
    this.#faults = [];
    await this.clearRequests();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
  }
}
