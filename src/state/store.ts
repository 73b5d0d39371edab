import type { Fault, FaultContext } from '../faults/fault.ts';
import type { JournalEntry, JournalFilter } from './journal.ts';
import type { CustomerRecord, OutboxFilter, OutboxMessage, PutUserResult, SessionRecord, SignInState, UserKey, UserRecord } from './records.ts';
import type { RefreshRecord, RefreshResult, RefreshStep } from './refresh-records.ts';

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
   * Stores a user: added, or replaced by its id. Resolves `email-taken` when another user (not removed) has its email,
   * `changed` when `expectVersion` is given and the stored user's version is not it (it changed meanwhile, maybe on
   * another replica), else `ok` once stored (on the file store, once on disk). One atomic step. A user is never deleted:
   * an operator's removal stores it `REMOVED`, so its tokens stay refused and a later start does not seed it again.
   */
  putUser(user: UserRecord, expectVersion?: number): Promise<PutUserResult>;
  /** The user with this id, email (lower-cased; not a removed one) or sub (a removed one too), or undefined. */
  getUser(key: UserKey): Promise<UserRecord | undefined>;
  /** Every user not removed (of one customer, when given), in the order they were first put. */
  listUsers(customerId?: string): Promise<UserRecord[]>;
  /** Adds or replaces a customer, by id. */
  putCustomer(customer: CustomerRecord): Promise<void>;
  /** The customer with this id, or undefined. */
  getCustomer(id: string): Promise<CustomerRecord | undefined>;
  /** Every customer, in the order first put. */
  listCustomers(): Promise<CustomerRecord[]>;
  /**
   * Seeds the store (at start, and after a reset): a store never seeded gets every seed customer and user; one seeded
   * before gets only those it has never had (by id or email, removed ones included), so what an operator changed or
   * removed stays as it is, on every replica. One atomic step.
   */
  seed(customers: readonly CustomerRecord[], users: readonly UserRecord[]): Promise<void>;
  /** Adds a message to the outbox, which keeps the newest `outboxSize`. */
  appendMessage(message: OutboxMessage): Promise<void>;
  /** The outbox's messages passing `filter`, oldest first. */
  listMessages(filter: OutboxFilter): Promise<OutboxMessage[]>;
  /**
   * Records issued tokens and what happened to their sign-ins (a logout, an early expiry: `SignInEvent`), in one list
   * that keeps the newest `tokenRecordsAtMost` entries, so a sign-in's events age out with its tokens. On the file
   * store, on disk before this resolves.
   */
  recordTokens(records: readonly SessionRecord[]): Promise<void>;
  /** The recorded tokens and sign-in events, oldest first. */
  listTokens(): Promise<SessionRecord[]>;
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
  /**
   * One refresh of sign-in `sid`, in one atomic step (across replicas on Redis): tallied for the storm detector and,
   * when `step.rotation` is given, the presented refresh token judged against the sign-in's current one (the rules:
   * `applyRefresh`). The record is kept until `step.untilMs` (the later of its untils). On the file store, a rotation is
   * on disk before this resolves; a tally alone is written as the journal is (without waiting for fsync).
   */
  refreshSignIn(sid: string, step: RefreshStep): Promise<RefreshResult>;
  /** The refresh records live at `nowMs` (of `sid` only, when given), ordered by sid. */
  listRefreshes(nowMs: number, sid?: string): Promise<RefreshRecord[]>;
  /** Adds one entry to the journal, which keeps the newest `journalSize` (none when 0). */
  appendRequest(entry: JournalEntry): Promise<void>;
  /** Journal entries passing `filter`, oldest first. */
  listRequests(filter: JournalFilter): Promise<JournalEntry[]>;
  /** Empties the journal. */
  clearRequests(): Promise<void>;
  /** Forgets everything: revocations, tokens, refresh records, faults, the journal, users, customers, the outbox, and that it was seeded (the caller seeds it again). */
  reset(): Promise<void>;
  /** Flushes what is pending and lets go of files, timers and connections. */
  close(): Promise<void>;
}

/** Options every store shares: journal entries kept (0 keeps none), token records kept (default 10,000), outbox messages kept (default 1,000). */
export type StoreOptions = { journalSize: number; tokenRecordsAtMost?: number; outboxSize?: number };
