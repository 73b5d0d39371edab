import type { Fault, FaultContext } from '../faults/fault.ts';
import type { JournalEntry, JournalFilter } from './journal.ts';

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

/** A user who can sign in, as every store keeps it: never the password, only its salted SHA-256 digest. */
export type UserRecord = {
  /** Lower-cased: the key. */
  readonly email: string;
  /** base64url random salt and base64url sha256(salt bytes + UTF-8 password). */
  readonly passwordSalt: string;
  readonly passwordDigest: string;
  readonly sub: string;
  readonly role: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly permissions: readonly string[];
  readonly disabled: boolean;
  /** `seed`: from --users or the demo user, kept by reset(); `runtime`: added while running, forgotten by reset(). */
  readonly source: 'seed' | 'runtime';
};

/** A token's sign-in as one read finds it: the first of the keys asked for that is revoked, and the user whose `sub` it names. */
export type SignInState = { readonly revoked: string | undefined; readonly user: UserRecord | undefined };

/**
 * All the mock's state, behind one async interface: users, revocations, issued tokens, faults, journal.
 * Memory, file and Redis implement it and pass the same contract tests. The file and Redis stores reject
 * with StoreError (`ERR_STORE`) when they cannot read or write, or once closed.
 */
export interface Store {
  /** Revokes `key` until `untilMs`. Resolves true only for the call that revoked it first (atomic). */
  revoke(key: string, untilMs: number, nowMs: number): Promise<boolean>;
  /** True if any of `keys` is revoked at `nowMs`. */
  isRevoked(keys: readonly string[], nowMs: number): Promise<boolean>;
  /** The first of `keys` revoked at `nowMs` (in the order given), or undefined. One round trip on Redis. */
  firstRevoked(keys: readonly string[], nowMs: number): Promise<string | undefined>;
  /**
   * What the authentication step reads of a token's sign-in, in one step (one round trip on Redis): the first of `keys`
   * revoked at `nowMs` (as `firstRevoked`), and the user with this `sub` (undefined when no user has it).
   */
  signInState(keys: readonly string[], sub: string, nowMs: number): Promise<SignInState>;
  /**
   * Adds or replaces the user with this email (taken as given: the caller lower-cases it and validates the fields).
   * Resolves once stored; on the file store, once on disk.
   */
  putUser(user: UserRecord): Promise<void>;
  /** The user with this (lower-cased) email, or undefined. */
  getUser(email: string): Promise<UserRecord | undefined>;
  /** Every user, in the order they were first put (a replaced user keeps its place; a removed one loses it). */
  listUsers(): Promise<UserRecord[]>;
  /** Removes the user; resolves false when there was none. */
  removeUser(email: string): Promise<boolean>;
  /** Records issued tokens, keeping the newest `tokenRecordsAtMost`. */
  recordTokens(records: readonly TokenRecord[]): Promise<void>;
  /** The recorded tokens, oldest first. */
  listTokens(): Promise<TokenRecord[]>;
  /** Arms a fault (already parsed and validated). */
  addFault(fault: Fault): Promise<void>;
  /** Faults still live at `nowMs`, oldest first. */
  listFaults(nowMs: number): Promise<Fault[]>;
  /** Removes the fault `id`; resolves false if there was none. */
  removeFault(id: string): Promise<boolean>;
  /** Removes every fault; resolves how many there were. */
  clearFaults(): Promise<number>;
  /** Atomically takes the fault this request gets, if any (see `takeFrom`). */
  takeFault(context: FaultContext, nowMs: number): Promise<Fault | undefined>;
  /** Adds one entry to the journal, which keeps the newest `journalSize` (none when 0). */
  appendRequest(entry: JournalEntry): Promise<void>;
  /** Journal entries passing `filter`, oldest first. */
  listRequests(filter: JournalFilter): Promise<JournalEntry[]>;
  /** Empties the journal. */
  clearRequests(): Promise<void>;
  /** Forgets revocations, tokens, faults, the journal and the `runtime` users; KEEPS the `seed` users. */
  reset(): Promise<void>;
  /** Flushes what is pending and lets go of files, timers and connections. */
  close(): Promise<void>;
}

/** Options every store shares: journal entries kept (0 keeps none), token records kept (default 10,000). */
export type StoreOptions = { journalSize: number; tokenRecordsAtMost?: number };
