import type { UserRecord } from './store.ts';

/**
 * Users held in memory, by email, in the order they were first put: what MemoryStore keeps, and what the file
 * store replays its log into. Emails are keys as given (the caller lower-cases them).
 */
export class Users {
  // A Map keeps insertion order, and setting an existing key keeps its place: "the order they were first put".
  #byEmail = new Map<string, UserRecord>();
  #bySub = new Map<string, UserRecord>();

  /** Adds or replaces the user with `user.email`. */
  put(user: UserRecord): void {
    const before = this.#byEmail.get(user.email);
    if (before !== undefined && this.#bySub.get(before.sub) === before) this.#bySub.delete(before.sub);
    this.#byEmail.set(user.email, user);
    this.#bySub.set(user.sub, user);
  }

  /** The user whose tokens carry this `sub`, or undefined. */
  bySub(sub: string): UserRecord | undefined {
    return this.#bySub.get(sub);
  }

  /** The user with this email, or undefined. */
  get(email: string): UserRecord | undefined {
    return this.#byEmail.get(email);
  }

  /** Removes the user with this email; false when there was none. */
  remove(email: string): boolean {
    const user = this.#byEmail.get(email);
    if (user === undefined) return false;
    if (this.#bySub.get(user.sub) === user) this.#bySub.delete(user.sub);
    return this.#byEmail.delete(email);
  }

  /** Every user, in the order first put. */
  list(): UserRecord[] {
    return [...this.#byEmail.values()];
  }

  /** Forgets the `runtime` users, keeping the `seed` ones (what a reset does). */
  dropRuntime(): void {
    for (const [email, user] of this.#byEmail) if (user.source !== 'seed') this.remove(email);
  }
}
