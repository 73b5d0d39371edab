/**
 * worth-auth-mock's programmatic API: `startMock()` runs the Auth Service's sign-in flow mock in-process —
 * Customer Sign In, Customer Refresh Token and Customer Logout from one state — with the control API's
 * operations as methods. The only barrel: every export below is documented where it is defined.
 * @example
 * const mock = await startMock({ port: 0 });
 * const signIn = await fetch(mock.signInUrl!, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ email: 'customer@example.com', password: 'Sandbox-Password-1' }),
 * });
 * const { data } = await signIn.json();
 * await fetch(mock.logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${data.id_token}` } }); // 200
 * await mock.close();
 */

/** Options and their validation: `loadConfig(input)` → a frozen `Config`; throws `ConfigError` naming the flag. */
export type { Algorithm, Config, ConfigInput, LogFormat } from './config/config.ts';
export { DEFAULTS, loadConfig } from './config/load.ts';
export { OPTIONS, type OptionRow } from './config/options.ts';
/** The contract operations the mock serves, by name (`logout`, `sign-in`, `refresh`) and their spec paths. */
export { OPERATIONS, type OperationName } from './contract/spec.ts';
/** What `mock.issueToken()` and `mock.sessions()` answer. */
export type { IssuedTokens, SessionView } from './control/services.ts';
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
  /** @deprecated Use PactVerificationError: the same class under its old name ("verification" also means token verification here). */
  PactVerificationError as VerificationError,
  RemoteError,
  SpecError,
  StoreError,
} from './errors.ts';
/** Faults as armed (`FaultInput`) and as listed (`Fault`). */
export { type Fault, type FaultInput, type FaultMatch, type FaultOperation, NETWORK_FAULTS, type NetworkFault } from './faults/fault.ts';
export type { ArmedFault } from './faults/scope-warnings.ts';
/** `startMock(options)` → a running `Mock` (throws `ConfigError` for a bad option, e.g. the port in use). */
export { type Mock, type MockOptions, startMock } from './mock.ts';
export type { JournalEntry, JournalFilter } from './state/journal.ts';
/** The one state interface every backend (memory, file, Redis) implements; pass your own as `startMock({ store })`. */
export type { Store, TokenRecord, UserRecord } from './state/store.ts';
export { type Claims, type IssueOptions, TOKEN_KINDS, type TokenKind } from './tokens/issuer.ts';
/** Signing keys: `createKeySet(alg, keyFile?)`, shareable across mocks as `startMock({ keys })`. */
export { createKeySet, type KeySet } from './tokens/keys.ts';
/** Users who can sign in: as given (`UserInput`), as listed (`UserView`, never a password), the demo customer. */
export { DEMO_USER, type UserInput, type UserView } from './users/user.ts';
