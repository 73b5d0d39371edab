import { InputError, NotFoundError, shown } from '../errors.ts';
import type { UserRecord } from '../state/records.ts';
import type { Store } from '../state/store.ts';
import { newCustomer } from './customers.ts';
import type { Seeds } from './seeds.ts';
import { endSignIns } from './sign-in-rules.ts';
import { DEMO_USER, parseUser, type UserView, viewOf } from './user.ts';

/** The operator's view of the users (`/__mock/users`, `users …`, `mock.users`): kept in the Store, shared by replicas. */
export type UserDirectory = {
  /**
   * Validates and adds a user (or replaces the one with its email, keeping its id and source), with its customer when no
   * user named it before; throws InputError naming the field (a subrole its customer lacks, an email another user
   * took meanwhile).
   */
  add(input: unknown): Promise<UserView>;
  /** Every user not removed, never a password or its digest. */
  list(): Promise<UserView[]>;
  /** Removes the user with this email: its sign-ins end and its tokens answer 401; throws NotFoundError when there is none. */
  remove(email: string): Promise<void>;
  /** Seeds the store (at start and after a reset; see `Store.seed`). */
  seed(): Promise<void>;
};

/** Builds the user directory over the store, with the seeds read at start. */
export function createUserDirectory(store: Store, seeds: Seeds, clock: () => number): UserDirectory {
  return {
    async add(input) {
      const now = clock();
      const { user, customerName } = parseUser(input, 'runtime', now);
      const customer = (await store.getCustomer(user.customerId)) ?? newCustomer(user.customerId, customerName, 'runtime', now);
      if (!customer.subroles.some((subrole) => subrole.code === user.subrole)) {
        throw new InputError(
          'subrole',
          `subrole ${shown(user.subrole)} is no subrole of customer ${customer.id} (${customer.subroles.map((s) => s.code).join(', ')})`,
        );
      }
      await store.putCustomer(customer);
      const existing = await store.getUser({ email: user.email });
      // A user added where an operator removed one (same sub or id) is not that user: its sign-ins stay over.
      const removed = existing === undefined ? await removedBefore(store, user) : undefined;
      const record = existing !== undefined ? replacing(existing, user, now) : removed !== undefined ? succeeding(removed, user) : user;
      const result = await store.putUser(record, existing?.version ?? (removed?.id === user.id ? removed.version : undefined));
      if (result !== 'ok')
        throw new InputError('email', `${user.email} was ${result === 'email-taken' ? 'taken' : 'changed'} by another request meanwhile: try again`);
      return viewOf(record, customer);
    },
    async list() {
      const [users, customers] = await Promise.all([store.listUsers(), store.listCustomers()]);
      const byId = new Map(customers.map((customer) => [customer.id, customer]));
      return users.map((user) => viewOf(user, byId.get(user.customerId)));
    },
    async remove(email) {
      const user = await store.getUser({ email: email.trim().toLowerCase() });
      if (user === undefined) throw new NotFoundError(`no user ${email.slice(0, 254)}`);
      const now = clock();
      const removed: UserRecord = { ...user, status: 'REMOVED', ...endSignIns(user, now, 'removal'), updatedAt: now, version: user.version + 1 };
      if ((await store.putUser(removed, user.version)) !== 'ok') throw new InputError('email', `${user.email} changed meanwhile: try again`);
    },
    seed: () => store.seed(seeds.customers, seeds.users),
  };
}

/**
 * `user` replacing `existing` (the user with its email): what identifies it stays (its id, when it was made, where it
 * came from: a seed stays a seed), and so do its ended sign-ins; replacing it disabled ends the sign-ins it has, as a
 * deactivation does. Enabled again, it signs in anew: the sign-ins it had stay over.
 */
function replacing(existing: UserRecord, user: UserRecord, now: number): UserRecord {
  const deactivated = user.status === 'INACTIVE' && existing.status !== 'INACTIVE';
  const { signInsFrom, signInsEndedBy } = deactivated ? endSignIns(existing, now, 'deactivation') : existing;
  return {
    ...user,
    id: existing.id,
    createdAt: existing.createdAt,
    source: existing.source,
    version: existing.version + 1,
    ...(signInsFrom === undefined ? {} : { signInsFrom }),
    ...(signInsEndedBy === undefined ? {} : { signInsEndedBy }),
  };
}

/** The removed user whose sub (or id) `user` would take over, when an operator removed one: its tokens name that sub. */
async function removedBefore(store: Store, user: UserRecord): Promise<UserRecord | undefined> {
  const before = (await store.getUser({ sub: user.sub })) ?? (await store.getUser({ id: user.id }));
  return before?.status === 'REMOVED' ? before : undefined;
}

/** `user` in the place of a removed one: the sign-ins the removal ended stay over (and its record's version goes on). */
function succeeding(removed: UserRecord, user: UserRecord): UserRecord {
  return {
    ...user,
    ...(removed.signInsFrom === undefined ? {} : { signInsFrom: removed.signInsFrom }),
    ...(removed.signInsEndedBy === undefined ? {} : { signInsEndedBy: removed.signInsEndedBy }),
    ...(removed.id === user.id ? { version: removed.version + 1 } : {}),
  };
}

/**
 * Who a forced success (`Prefer: code=200` on sign-in or refresh) signs in: the demo user, else the first user the
 * mock has, else the demo user as the package defines it (not stored: its tokens then name a user the store lacks).
 */
export async function demoOrFirstUser(store: Store, now: number): Promise<UserRecord> {
  return (await store.getUser({ email: DEMO_USER.email })) ?? (await store.listUsers())[0] ?? parseUser(DEMO_USER, 'seed', now).user;
}
