/**
 * worth-auth-mock's programmatic API: `startMock()` runs the Customer Logout mock in-process.
 * @example
 * const mock = await startMock({ port: 0 });
 * const { token } = await mock.issueToken({ sub: 'cust-42' });
 * await fetch(mock.logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
 * await mock.close();
 */
export { startMock, type Mock, type MockOptions } from './mock.ts';
export { createKeySet, type KeySet } from './tokens/keys.ts';
export { boundYoungGeneration } from './heap.ts';
export { loadConfig, DEFAULTS, type Config, type ConfigInput, type Algorithm, type LogFormat } from './config.ts';
export { TOKEN_KINDS, type TokenKind, type IssueOptions, type Claims } from './tokens/issuer.ts';
export { NETWORK_FAULTS, type Fault, type FaultMatch, type NetworkFault } from './faults/fault.ts';
export type { JournalEntry, JournalFilter } from './state/journal.ts';
export type { IssuedTokens, SessionView } from './control/services.ts';
export type { Store, TokenRecord } from './state/store.ts';
export { MockError, ConfigError, InputError, SpecError, StoreError, RemoteError, VerificationError } from './errors.ts';
