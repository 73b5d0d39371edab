/**
 * worth-auth-mock's programmatic API: `startMock()` runs the Customer Logout mock in-process.
 * @example
 * const mock = await startMock({ port: 0 });
 * const { token } = await mock.issueToken({ sub: 'cust-42' });
 * await fetch(mock.logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
 * await mock.close();
 */

export { type Algorithm, type Config, type ConfigInput, DEFAULTS, type LogFormat, loadConfig } from './config.ts';
export type { IssuedTokens, SessionView } from './control/services.ts';
export {
  ConfigError,
  InputError,
  MockError,
  PactVerificationError,
  /** @deprecated Use PactVerificationError: the same class under its old name ("verification" also means token verification here). */
  PactVerificationError as VerificationError,
  RemoteError,
  SpecError,
  StoreError,
} from './errors.ts';
export { type Fault, type FaultMatch, NETWORK_FAULTS, type NetworkFault } from './faults/fault.ts';
export type { ArmedFault } from './faults/scope-warnings.ts';
export { boundYoungGeneration } from './heap.ts';
export { type Mock, type MockOptions, startMock } from './mock.ts';
export type { JournalEntry, JournalFilter } from './state/journal.ts';
export type { Store, TokenRecord } from './state/store.ts';
export { type Claims, type IssueOptions, TOKEN_KINDS, type TokenKind } from './tokens/issuer.ts';
export { createKeySet, type KeySet } from './tokens/keys.ts';
