/**
 * worth-auth-mock's programmatic API: `startMock()` runs a stateful mock of Worth's Auth Service in-process — sign-in,
 * refresh, logout and the rest of its operations, from one state — with the control API's operations as methods.
 * The only barrel: every export below is documented where it is defined.
 * @example
 * const mock = await startMock({ port: 0 });
 * const signIn = await fetch(mock.urls['sign-in'], {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ email: 'customer@example.com', password: 'Sandbox-Password-1' }),
 * });
 * const { data } = await signIn.json();
 * await fetch(mock.urls.logout, { method: 'POST', headers: { authorization: `Bearer ${data.id_token}` } }); // 200
 * await mock.close();
 */

/** Options and their validation: `loadConfig(input)` → a frozen `Config`; throws `ConfigError` naming the flag. */
export type { Algorithm, Config, ConfigInput, LogFormat, RefreshReuse, RefreshStorm } from './config/config.ts';
export { DEFAULTS, loadConfig } from './config/load.ts';
/** What `mock.issueToken()` and `mock.tokens()` answer; what `mock.refreshes()` takes; what `GET /__mock/sessions` and `mock.sessions()` answer. */
export type { IssuedTokens, RefreshesFilter, TokenRequest } from './control/services.ts';
/** A sign-in's states (`SIGN_IN_STATUSES`), and the sessions view `GET /__mock/sessions` and `mock.sessions()` answer. */
export {
  type SessionsFilter,
  type SessionsView,
  SIGN_IN_STATUSES,
  type SignInStatus,
  type SignInView,
  type TokenStatus,
  type TokenView,
} from './control/sign-in-history.ts';
/**
 * The error catalogue: every error has a stable `code` (`ERR_*`, listed in `ERRORS` with its HTTP status and
 * exit code). Match on `code`, not on messages.
 */
export {
  AccessError,
  ConfigError,
  ERRORS,
  type ErrorCode,
  InputError,
  MethodNotAllowedError,
  MockError,
  NotFoundError,
  PactVerificationError,
  RemoteError,
  SpecError,
  StoreError,
} from './errors.ts';
/** Faults as armed (`FaultInput`) and as listed (`Fault`). */
export { type Fault, type FaultInput, type FaultMatch, NETWORK_FAULTS, type NetworkFault } from './faults/fault.ts';
export type { ArmedFault } from './faults/scope-warnings.ts';
/** `startMock(options)` → a running `Mock` (throws `ConfigError` for a bad option, e.g. the port in use). */
export { type Mock, type MockOptions, startMock } from './mock.ts';
/** The Auth Service operations the mock decides itself, by name (`sign-in`, `refresh`, `logout`, …). */
export { AUTH_OPERATION_NAMES } from './operations/index.ts';
export type { JournalEntry, JournalFilter } from './state/journal.ts';
/** The one state interface every backend (memory, file, Redis) implements; pass your own as `startMock({ store })`. */
export type { CustomerRecord, OutboxFilter, OutboxMessage, SignInState, TokenRecord, UserRecord } from './state/records.ts';
/** A sign-in's refreshes as `mock.refreshes()` lists them; the records, steps and results a `Store` keeps of them. */
export type { RefreshRecord, RefreshResult, RefreshStep, RefreshTally, RotationVerdict, SignInRefreshes, StormRule } from './state/refresh-records.ts';
export type { Store } from './state/store.ts';
export { type Claims, TOKEN_KINDS, type TokenKind } from './tokens/issuer.ts';
/** Signing keys: `createKeySet(alg, keyFile?)`, shareable across mocks as `startMock({ keys })`. */
export { createKeySet, type KeySet } from './tokens/keys.ts';
/** Users who can sign in: as given (`UserInput`), as listed (`UserView`, never a password), the demo customer. */
export { DEMO_USER, type UserInput, type UserView } from './users/user.ts';
