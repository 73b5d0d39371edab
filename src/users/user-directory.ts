import { NotFoundError } from '../errors.ts';
import type { Store, UserRecord } from '../state/store.ts';
import { DEMO_USER, parseUser, type UserView, viewOf } from './user.ts';

/** The users who can sign in, kept in the Store (so the file store keeps them and Redis replicas share them). */
export type UserDirectory = {
  /** Validates and adds (or replaces, by email) a user; throws InputError naming the field. */
  add(input: unknown, source?: UserRecord['source']): Promise<UserView>;
  /** Every user, never a password or its digest. */
  list(): Promise<UserView[]>;
  /** Removes the user with this email; throws NotFoundError when there is none. */
  remove(email: string): Promise<void>;
};

/** Builds the user directory over the store. */
export function createUserDirectory(store: Store): UserDirectory {
  return {
    async add(input, source = 'runtime') {
      const user = parseUser(input, source);
      await store.putUser(user);
      return viewOf(user);
    },
    async list() {
      return (await store.listUsers()).map(viewOf);
    },
    async remove(email) {
      if (!(await store.removeUser(email.trim().toLowerCase()))) throw new NotFoundError(`no user ${email.slice(0, 254)}`);
    },
  };
}

/**
 * Who a forced success (`Prefer: code=200` on sign-in or refresh) signs in: the demo user, else the first user the
 * mock has, else the demo user as the package defines it (not stored: its tokens then name a user the store lacks).
 */
export async function demoOrFirstUser(store: Store): Promise<UserRecord> {
  return (await store.getUser(DEMO_USER.email)) ?? (await store.listUsers())[0] ?? parseUser(DEMO_USER, 'seed');
}
