import type { CustomerRecord, PutUserResult, UserKey, UserRecord } from './records.ts';

/**
 * The users and customers held in memory: what MemoryStore keeps, and what the file store replays its log into.
 * Users by id in the order they were first put, with an email index (emails are unique among users not removed) and
 * a sub index (removed users too: their tokens stay refused). The caller lower-cases emails.
 */
export class Users {
  #byId = new Map<string, UserRecord>();
  #idByEmail = new Map<string, string>();
  #idBySub = new Map<string, string>();
  #customers = new Map<string, CustomerRecord>();
  #seeded = false;

  /** Stores `user` by its id, as `Store.putUser` says (the email unique, the version compared when `expectVersion` is given). */
  put(user: UserRecord, expectVersion?: number): PutUserResult {
    const before = this.#byId.get(user.id);
    if (expectVersion !== undefined && before?.version !== expectVersion) return 'changed';
    if (user.status !== 'REMOVED') {
      const holder = this.#idByEmail.get(user.email);
      if (holder !== undefined && holder !== user.id) return 'email-taken';
    }
    this.restore(user);
    return 'ok';
  }

  /** Stores `user` as it is, without the checks of `put`: what the file store replays (each record was checked when it was written). */
  restore(user: UserRecord): void {
    const before = this.#byId.get(user.id);
    if (before !== undefined) {
      if (this.#idByEmail.get(before.email) === before.id) this.#idByEmail.delete(before.email);
      if (this.#idBySub.get(before.sub) === before.id) this.#idBySub.delete(before.sub);
    }
    this.#byId.set(user.id, user);
    if (user.status !== 'REMOVED') this.#idByEmail.set(user.email, user.id);
    this.#idBySub.set(user.sub, user.id);
  }

  /** Forgets a user entirely (a removal written by an older version, before removed users were kept). */
  forget(id: string): void {
    const user = this.#byId.get(id);
    if (user === undefined) return;
    if (this.#idByEmail.get(user.email) === id) this.#idByEmail.delete(user.email);
    if (this.#idBySub.get(user.sub) === id) this.#idBySub.delete(user.sub);
    this.#byId.delete(id);
  }

  /** The user with this id, email (not removed) or sub (removed too), or undefined. */
  get(key: UserKey): UserRecord | undefined {
    const id = 'id' in key ? key.id : 'email' in key ? this.#idByEmail.get(key.email) : this.#idBySub.get(key.sub);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** Every user not removed (of one customer, when given), in the order first put. */
  list(customerId?: string): UserRecord[] {
    const out: UserRecord[] = [];
    for (const user of this.#byId.values()) if (user.status !== 'REMOVED' && (customerId === undefined || user.customerId === customerId)) out.push(user);
    return out;
  }

  /** Every user record, removed ones too (what a snapshot writes). */
  all(): UserRecord[] {
    return [...this.#byId.values()];
  }

  putCustomer(customer: CustomerRecord): void {
    this.#customers.set(customer.id, customer);
  }

  getCustomer(id: string): CustomerRecord | undefined {
    return this.#customers.get(id);
  }

  customers(): CustomerRecord[] {
    return [...this.#customers.values()];
  }

  /** True once the store has been seeded (and not reset since). */
  get seeded(): boolean {
    return this.#seeded;
  }

  /**
   * Seeds, as `Store.seed` says: on a store never seeded, every seed customer and user; else only those it has never
   * had (no record of their id or email, removed ones included). Returns what it added, for the file store to write.
   */
  seed(customers: readonly CustomerRecord[], users: readonly UserRecord[]): { customers: CustomerRecord[]; users: UserRecord[] } {
    const fresh = !this.#seeded;
    const added = { customers: [] as CustomerRecord[], users: [] as UserRecord[] };
    for (const customer of customers) {
      if (!fresh && this.#customers.has(customer.id)) continue;
      this.putCustomer(customer);
      added.customers.push(customer);
    }
    const emails = new Set([...this.#byId.values()].map((user) => user.email));
    for (const user of users) {
      if (!fresh && (this.#byId.has(user.id) || emails.has(user.email))) continue;
      this.restore(user);
      added.users.push(user);
    }
    this.#seeded = true;
    return added;
  }

  /** Marks the store seeded (a file store replaying its log). */
  markSeeded(): void {
    this.#seeded = true;
  }

  /** Forgets every user and customer, and that the store was seeded (what a reset does before it seeds again). */
  clear(): void {
    this.#byId.clear();
    this.#idByEmail.clear();
    this.#idBySub.clear();
    this.#customers.clear();
    this.#seeded = false;
  }
}
