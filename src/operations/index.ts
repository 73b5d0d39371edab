import { acceptInvitation } from './accept-invitation.ts';
import { createCustomerUser } from './create-customer-user.ts';
import { forgotPassword } from './forgot-password.ts';
import { getCustomerSubroles } from './get-customer-subroles.ts';
import { getCustomerUser } from './get-customer-user.ts';
import { getCustomerUsers } from './get-customer-users.ts';
import { logout } from './logout.ts';
import type { Operation } from './operation.ts';
import { refresh } from './refresh.ts';
import { resendInvitation } from './resend-invitation.ts';
import { resetPassword } from './reset-password.ts';
import { signIn } from './sign-in.ts';
import { updateCustomerUser } from './update-customer-user.ts';

/**
 * The Auth Service operations the mock decides itself, each a value in its own module: the only place that names
 * them. Routing, faults, overrides, the journal, CORS, the panel, the banner, the CLI and `Mock.urls` all derive
 * from this list and the spec (each is found there by its `operationId`, which is its name).
 */
export const AUTH_OPERATIONS = [
  signIn,
  refresh,
  logout,
  forgotPassword,
  resetPassword,
  acceptInvitation,
  getCustomerUsers,
  createCustomerUser,
  getCustomerUser,
  updateCustomerUser,
  resendInvitation,
  getCustomerSubroles,
] as const satisfies readonly Operation[];

/** The name of one of the Auth Service operations the mock decides itself (`sign-in`, `logout`, …). */
export type AuthOperationName = (typeof AUTH_OPERATIONS)[number]['name'];

/** The names of the Auth Service operations the mock decides itself, in the list's order. */
export const AUTH_OPERATION_NAMES: readonly AuthOperationName[] = Object.freeze(AUTH_OPERATIONS.map((operation) => operation.name));
