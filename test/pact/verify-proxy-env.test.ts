import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationReport } from '../../src/pact/report.ts';
import { runCli } from '../support/cli.ts';
import { type Provider, startDriftingProvider } from '../support/drifting-provider.ts';
import { type ForwardProxy, startForwardProxy } from '../support/pact-forward-proxy.ts';
import { ALL_INTERACTIONS } from '../support/pact-interactions.ts';

// A CI runner behind a corporate proxy: the provider is reachable only through HTTP_PROXY (its host name is in no
// DNS), while verify's own hops between the Pact Verifier and its loopback proxies must not go through it.
describe('verify behind HTTP_PROXY', () => {
  let provider: Provider;
  let proxy: ForwardProxy;
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  beforeAll(async () => {
    provider = await startDriftingProvider('none');
    proxy = await startForwardProxy({ 'auth.staging.test:8080': provider.url });
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await proxy.close();
    await provider.close();
  });

  it('reaches the provider and its state endpoint through the proxy, and passes', async () => {
    const run = await runCli([
      'verify',
      '--provider-base-url',
      'http://auth.staging.test:8080',
      '--state-setup-url',
      'http://auth.staging.test:8080/_pact/states',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as VerificationReport).summary.passed).toBe(ALL_INTERACTIONS.length);
    // Probes, state changes and contract requests all went through it; nothing of verify's own loopback did.
    expect(new Set(proxy.hosts)).toEqual(new Set(['auth.staging.test:8080']));
    expect(proxy.hosts.length).toBeGreaterThan(ALL_INTERACTIONS.length);
  });
});
