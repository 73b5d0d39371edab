import type { Mock, MockOptions } from '../mock.ts';

/**
 * Starts one mock for a whole Playwright run, from `globalSetup` (in the runner's process, before any worker):
 * `startMock(options)` on an OS-chosen port with its request log off unless `options` say otherwise, then
 * `WORTH_MOCK_URL` (and `WORTH_MOCK_ADMIN_TOKEN` when `options.adminToken` is set) in `process.env`, which the
 * workers inherit and the fixture reads. Resolves the running mock: return `() => mock.close()` from globalSetup to
 * stop it after the run. Throws ConfigError for a bad option (e.g. a port in use).
 * @example export default async () => { const mock = await startSharedMock(); return () => mock.close(); };
 */
export async function startSharedMock(options: MockOptions = {}): Promise<Mock> {
  // Loaded here only: test workers import the fixture, never the server.
  const { startMock } = await import('../mock.ts');
  const mock = await startMock({ port: 0, log: 'off', ...options });
  process.env.WORTH_MOCK_URL = mock.url;
  if (mock.config.adminToken) process.env.WORTH_MOCK_ADMIN_TOKEN = mock.config.adminToken;
  return mock;
}
