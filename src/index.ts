/**
 * worth-auth-mock's programmatic API: `startMock()` runs the Customer Logout mock in-process.
 * @example
 * const mock = await startMock({ port: 0 });
 * const { token } = await mock.issueToken({ sub: 'cust-42' });
 * await fetch(mock.logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
 * await mock.close();
 */
export { startMock, type Mock, type MockOptions } from './server.ts';
export { createKeySet, type KeySet } from './keys.ts';
export { boundYoungGeneration } from './heap.ts';
export { loadConfig, DEFAULTS, type Config, type ConfigInput, type Algorithm, type LogFormat } from './config.ts';
export { TOKEN_KINDS, type TokenKind, type IssueOptions, type Claims } from './tokens.ts';
export { NETWORK_FAULTS, type Fault, type FaultMatch, type NetworkFault } from './faults.ts';
export type { JournalEntry, JournalFilter } from './journal.ts';
export type { IssuedTokens, SessionView } from './services.ts';
export type { Store, TokenRecord } from './store.ts';
export { MockError, ConfigError, InputError, SpecError, StoreError, RemoteError, VerificationError } from './errors.ts';
