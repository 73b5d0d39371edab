import type { UserRecord } from './store.ts';

/**
 * Users held in memory, by email, in the order they were first put: what MemoryStore keeps, and what the file
 * store replays its log into. Emails are keys as given (the caller lower-cases them).
 */
export class Users {
  // A Map keeps insertion order, and setting an existing key keeps its place: "the order they were first put".
  #byEmail = new Map<string, UserRecord>();

  /** Adds or replaces the user with `user.email`. */
  put(user: UserRecord): void {
    this.#byEmail.set(user.email, user);
  }

  /** The user with this email, or undefined. */
  get(email: string): UserRecord | undefined {
    return this.#byEmail.get(email);
  }

  /** Removes the user with this email; false when there was none. */
  remove(email: string): boolean {
    return this.#byEmail.delete(email);
  }

  /** Every user, in the order first put. */
  list(): UserRecord[] {
    return [...this.#byEmail.values()];
  }

  /** Forgets the `runtime` users, keeping the `seed` ones (what a reset does). */
  dropRuntime(): void {
    for (const [email, user] of this.#byEmail) if (user.source !== 'seed') this.#byEmail.delete(email);
  }
}
