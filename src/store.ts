import type { Config } from './config.ts';
import { isLive, takeFrom, type Fault, type FaultContext } from './faults.ts';
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
    const { createRedisStore } = await import('./store-redis.ts');
    return createRedisStore({ ...options, url: config.redis, prefix: config.redisPrefix });
  }
  if (config.stateFile) {
    const { createFileStore } = await import('./store-file.ts');
    return createFileStore({ ...options, path: config.stateFile });
  }
  return new MemoryStore(options);
}

/** One journal entry, every field present (undefined when absent): one object shape, rewritten in place. */
type JournalSlot = {
  at: string;
  method: string;
  path: string;
  status: number;
  reason: string;
  faultId: string | undefined;
  sub: string | undefined;
  jti: string | undefined;
  sid: string | undefined;
  session: string | undefined;
  ms: number;
};

function emptySlot(): JournalSlot {
  return { at: '', method: '', path: '', status: 0, reason: '', faultId: undefined, sub: undefined, jti: undefined, sid: undefined, session: undefined, ms: 0 };
}

function fill(slot: JournalSlot, entry: JournalEntry): JournalSlot {
  slot.at = entry.at;
  slot.method = entry.method;
  slot.path = entry.path;
  slot.status = entry.status;
  slot.reason = entry.reason;
  slot.faultId = entry.faultId;
  slot.sub = entry.sub;
  slot.jti = entry.jti;
  slot.sid = entry.sid;
  slot.session = entry.session;
  slot.ms = entry.ms;
  return slot;
}

/** A slot as the entry it holds (absent fields left out). */
function entryOf(slot: JournalSlot): JournalEntry {
  const entry: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(slot)) if (value !== undefined) entry[name] = value;
  return entry as JournalEntry;
}

/** Everything in this process's memory: fast, gone at exit. */
export class MemoryStore implements Store {
  #revoked = new Map<string, number>();
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
    const current = this.#revoked.get(key);
    this.#pruneFront(nowMs);
    if (current !== undefined && current > nowMs) return false;
    // normalize() flattens a string built from pieces (randomUUID's is ~20): 557 → ~100 bytes per live revocation.
    this.#revoked.set(key.normalize(), untilMs);
    return true;
  }

  async isRevoked(keys: readonly string[], nowMs: number): Promise<boolean> {
    for (const key of keys) {
      const until = this.#revoked.get(key);
      if (until !== undefined && until > nowMs) return true;
    }
    return false;
  }

  /** Revocations held now (live or not yet pruned). */
  get revocationCount(): number {
    return this.#revoked.size;
  }

  /** Drops expired revocations. Runs every minute; callable for tests and benchmarks. */
  sweep(nowMs: number): void {
    for (const [key, until] of this.#revoked) if (until <= nowMs) this.#revoked.delete(key);
  }

  /** Revocations mostly expire in insertion order, so a few at the front go on every write. */
  #pruneFront(nowMs: number): void {
    let n = 0;
    for (const [key, until] of this.#revoked) {
      if (until > nowMs || ++n > 8) break;
      this.#revoked.delete(key);
    }
  }

  async recordTokens(records: readonly TokenRecord[]): Promise<void> {
    this.#tokens.push(...records);
    if (this.#tokens.length > this.#tokensAtMost) this.#tokens.splice(0, this.#tokens.length - this.#tokensAtMost);
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
      this.#journal.push(fill(emptySlot(), entry));
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
