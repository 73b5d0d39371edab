import { logout } from './logout.ts';
import type { Operation } from './operation.ts';
import { refresh } from './refresh.ts';
import { signIn } from './sign-in.ts';

/**
 * The Auth Service operations the mock decides itself, each a value in its own module: the only place that names
 * them. Routing, faults, overrides, the journal, CORS, the panel, the banner, the CLI and `Mock.urls` all derive
 * from this list and the spec (each is found there by its `operationId`, which is its name).
 */
export const AUTH_OPERATIONS = [signIn, refresh, logout] as const satisfies readonly Operation[];

/** The name of one of the Auth Service operations the mock decides itself (`sign-in`, `logout`, …). */
export type AuthOperationName = (typeof AUTH_OPERATIONS)[number]['name'];

/** The names of the Auth Service operations the mock decides itself, in the list's order. */
export const AUTH_OPERATION_NAMES: readonly AuthOperationName[] = Object.freeze(AUTH_OPERATIONS.map((operation) => operation.name));
