import { describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/tokens/issuer.ts';
import { createKeySet } from '../../src/tokens/keys.ts';

describe("a refresh token says which of its sign-in's refresh tokens it is (rotation)", () => {
  it('a sign-in gives #0; a sealed generation opens as that generation, in the same sign-in, expiring with the first', async () => {
    let now = Date.parse('2031-01-01T00:00:00Z');
    const issuer = createIssuer({
      keys: await createKeySet('ES256'),
      issuer: 'http://mock',
      clientId: 'c',
      ttlSeconds: 60,
      refreshTtlSeconds: 600,
      clock: () => now,
    });
    const signIn = await issuer.issue({ sub: 'cust-1' });
    const first = await issuer.checkRefreshToken(signIn.refreshToken);
    expect(first).toMatchObject({ ok: true, grant: { sub: 'cust-1', generation: 0 } });
    if (!first.ok) return;
    now += 300_000;
    const third = await issuer.checkRefreshToken(await issuer.sealRefresh({ ...first.grant, generation: 3 }));
    expect(third).toEqual({ ok: true, grant: { ...first.grant, generation: 3 } });
    now += 300_000;
    expect(await issuer.checkRefreshToken(await issuer.sealRefresh({ ...first.grant, generation: 4 }))).toEqual({
      ok: false,
      reason: 'refresh token has expired',
    });
  });
});
