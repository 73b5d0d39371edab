import type { Io } from '../io.ts';
import type { UserView } from '../users/user.ts';
import type { ControlClient } from './client.ts';
import { table } from './format.ts';

/** `users add`'s options as commander parsed them. */
export type AddUserOptions = {
  email: string;
  password: string;
  role?: string;
  sub?: string;
  givenName?: string;
  familyName?: string;
  customerId?: string;
  customerName?: string;
  subrole?: string;
  mobile?: string;
  permission: string[];
  disabled?: boolean;
  json?: boolean;
};

/**
 * `users add`: adds (or replaces, by email) a user who can sign in (`POST /__mock/users`) and prints it — never the
 * password. The mock validates: a bad field is RemoteError status 400 (exit 2) naming it.
 */
export async function addUser(client: ControlClient, opts: AddUserOptions, io: Io): Promise<void> {
  const body = {
    email: opts.email,
    password: opts.password,
    ...(opts.role !== undefined ? { role: opts.role } : {}),
    ...(opts.sub !== undefined ? { sub: opts.sub } : {}),
    ...(opts.givenName !== undefined ? { given_name: opts.givenName } : {}),
    ...(opts.familyName !== undefined ? { family_name: opts.familyName } : {}),
    ...(opts.customerId !== undefined ? { customer_id: opts.customerId } : {}),
    ...(opts.customerName !== undefined ? { customer_name: opts.customerName } : {}),
    ...(opts.subrole !== undefined ? { subrole: opts.subrole } : {}),
    ...(opts.mobile !== undefined ? { mobile: opts.mobile } : {}),
    ...(opts.permission.length ? { permissions: opts.permission } : {}),
    ...(opts.disabled ? { disabled: true } : {}),
  };
  const user = await client.request<UserView>('POST', '/__mock/users', body);
  io.stdout(
    opts.json
      ? `${JSON.stringify(user, null, 2)}\n`
      : `${user.email} ${user.status === 'INACTIVE' ? 'cannot sign in (INACTIVE)' : 'can sign in'}: id ${user.id}, sub ${user.sub}, role ${user.role}, customer ${user.customer_name} (${user.customer_id}), subrole ${user.subrole}, ${user.permissions.length} permissions\n`,
  );
}

/** `users list`: one row per user under a header (never a password); `--json` prints the mock's list. Says so when there is none. */
export async function listUsers(client: ControlClient, opts: { json?: boolean }, io: Io): Promise<void> {
  const { users } = await client.request<{ users: UserView[] }>('GET', '/__mock/users');
  if (opts.json) return io.stdout(`${JSON.stringify(users, null, 2)}\n`);
  if (users.length === 0) return io.stdout('no users: add one with `worth-auth-mock users add --email … --password …`\n');
  const rows = users.map((u) => [
    u.email,
    u.id,
    u.role,
    `${u.given_name} ${u.family_name}`,
    u.customer_name,
    u.subrole,
    String(u.permissions.length),
    u.is_first_login ? `${u.status} (invited)` : u.status,
    u.source === 'seed' ? 'seed (restored by reset)' : 'added (reset forgets)',
  ]);
  io.stdout(table(['EMAIL', 'ID', 'ROLE', 'NAME', 'CUSTOMER', 'SUBROLE', 'PERMISSIONS', 'STATUS', 'SOURCE'], rows));
}

/** `users remove <email>`: removes the user (`DELETE /__mock/users/{email}`); RemoteError status 404 (exit 1) when there is none. */
export async function removeUser(client: ControlClient, email: string, io: Io): Promise<void> {
  await client.request('DELETE', `/__mock/users/${encodeURIComponent(email)}`);
  io.stdout(`removed ${email}: it can no longer sign in, and its sign-ins have ended (its tokens answer 401)\n`);
}
