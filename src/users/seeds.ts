import { readFile } from 'node:fs/promises';
import { ConfigError, InputError, jsonParsePosition, shown } from '../errors.ts';
import type { CustomerRecord, SubroleRecord, UserRecord } from '../state/records.ts';
import { defaultSubroles, newCustomer } from './customers.ts';
import { isUuid } from './formats.ts';
import { derivedUuid } from './ids.ts';
import { DEMO_USER, parseUser } from './user.ts';

/** What a store is seeded with (at start, and again after a reset): customers and their users. */
export type Seeds = { readonly customers: readonly CustomerRecord[]; readonly users: readonly UserRecord[] };

/** The seeds of a mock started without `--users`: the demo customer ("Sandbox") and its owner, the demo user. */
export function demoSeeds(now: number): Seeds {
  return seedsFrom({ users: [DEMO_USER] }, now, 'the demo user');
}

/**
 * Reads a `--users` file as seeds, once, at start (a reset restores these, whatever the file holds by then): a JSON
 * array of users, `{ "users": [...] }`, or `{ "customers": [{ id, name, subroles? }], "users": [...] }` to name
 * customers and their subroles. A customer no entry describes is made from the first user that names its id (its
 * `customer_name`, the default subroles); a customer no user names does not exist. Throws ConfigError naming
 * `--users`, and for a bad entry its index (0 is the first) and field.
 */
export async function readUsersFile(path: string, now: number): Promise<Seeds> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError('--users', code ? `--users ${path} cannot be read (${code})` : `--users ${path} is not valid JSON${jsonParsePosition(error)}`);
  }
  return seedsFrom(parsed, now, `--users ${path}`);
}

/** Seeds from a parsed users document (see readUsersFile); `where` names it in errors. */
function seedsFrom(document: unknown, now: number, where: string): Seeds {
  const object = document !== null && typeof document === 'object' && !Array.isArray(document) ? (document as Record<string, unknown>) : undefined;
  const list = Array.isArray(document) ? document : object?.users;
  if (!Array.isArray(list)) throw new ConfigError('--users', `${where} must hold a JSON array of users, or { "customers": [...], "users": [...] }`);
  const customers = new Map<string, CustomerRecord>();
  const described = object?.customers ?? [];
  if (!Array.isArray(described)) throw new ConfigError('--users', `${where}: customers must be an array of { id, name, subroles? }`);
  described.forEach((entry, index) => {
    const customer = within(where, `customers entry ${index}`, () => parseCustomer(entry, now));
    if (customers.has(customer.id)) throw new ConfigError('--users', `${where}: customers entry ${index}, field id: ${customer.id} is described twice`);
    customers.set(customer.id, customer);
  });
  const byEmail = new Map<string, number>();
  const users = list.map((entry, index) => {
    const { user, customerName } = within(where, `entry ${index}`, () => parseUser(entry, 'seed', now));
    // Two entries for one email: the last would silently win, and the first's password stop working.
    const earlier = byEmail.get(user.email);
    if (earlier !== undefined) throw new ConfigError('--users', `${where}: entry ${index}, field email: ${user.email} is already entry ${earlier}`);
    byEmail.set(user.email, index);
    if (!customers.has(user.customerId)) customers.set(user.customerId, newCustomer(user.customerId, customerName, 'seed', now));
    const customer = customers.get(user.customerId) as CustomerRecord;
    if (!customer.subroles.some((subrole) => subrole.code === user.subrole)) {
      const codes = customer.subroles.map((subrole) => subrole.code).join(', ');
      throw new ConfigError('--users', `${where}: entry ${index}, field subrole: ${shown(user.subrole)} is no subrole of customer ${customer.id} (${codes})`);
    }
    return user;
  });
  const named = new Set(users.map((user) => user.customerId));
  return { customers: [...customers.values()].filter((customer) => named.has(customer.id)), users };
}

/** Runs `parse`, turning its InputError into the ConfigError of `--users` with where the entry is. */
function within<T>(where: string, entry: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError('--users', `${where}: ${entry}, field ${error.field}: ${error.message}`);
    throw error;
  }
}

/** A customer as a users file describes it: `{ id, name, subroles? }`, its subroles `{ code, label, permissions, id?, display_name?, description? }`. */
function parseCustomer(input: unknown, now: number): CustomerRecord {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InputError('body', 'a customer must be a JSON object { id, name, subroles? }');
  const raw = input as Record<string, unknown>;
  if (typeof raw.id !== 'string' || !isUuid(raw.id)) throw new InputError('id', `id must be a UUID, got ${shown(raw.id)}`);
  if (typeof raw.name !== 'string' || raw.name === '') throw new InputError('name', 'name must be a non-empty string');
  if (raw.subroles === undefined) return newCustomer(raw.id, raw.name, 'seed', now);
  if (!Array.isArray(raw.subroles)) throw new InputError('subroles', 'subroles must be an array of { code, label, permissions }');
  const id = raw.id;
  const subroles = raw.subroles.map((entry, index) => parseSubrole(entry, index, id));
  // Every customer has its account holder's subrole: a file that names other subroles keeps the default owner.
  const owner = defaultSubroles(id, raw.name).find((subrole) => subrole.code === 'owner') as SubroleRecord;
  return { id, name: raw.name, subroles: subroles.some((s) => s.code === 'owner') ? subroles : [owner, ...subroles], createdAt: now, source: 'seed' };
}

function parseSubrole(input: unknown, index: number, customerId: string): SubroleRecord {
  const field = `subroles.${index}`;
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InputError(field, `${field} must be an object { code, label, permissions }`);
  const raw = input as Record<string, unknown>;
  const text = (name: string, fallback?: string): string => {
    const value = raw[name] ?? fallback;
    if (typeof value !== 'string' || value === '') throw new InputError(`${field}.${name}`, `${field}.${name} must be a non-empty string`);
    return value;
  };
  const code = text('code');
  const permissions = raw.permissions;
  if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string' || p === '')) {
    throw new InputError(`${field}.permissions`, `${field}.permissions must be an array of permission codes`);
  }
  const id = text('id', derivedUuid(`subrole:${customerId}:${code}`));
  if (!isUuid(id)) throw new InputError(`${field}.id`, `${field}.id must be a UUID`);
  return {
    id,
    code,
    label: text('label'),
    displayName: text('display_name', text('label')),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    permissions: [...(permissions as string[])],
    assignable: code !== 'owner',
  };
}
