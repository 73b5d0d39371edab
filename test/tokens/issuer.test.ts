import { createLocalJWKSet, jwtVerify } from 'jose';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { signInStartedAt } from '../../src/tokens/issuer.ts';
import { decode } from '../support/crafted.ts';
import { logout, mockOn, useMock } from '../support/mock.ts';

const mock = useMock();

describe('a sign-in is Cognito-shaped', () => {
  it('access token claims', async () => {
    const { token, claims } = await mock.issueToken({ sub: 'cust-42' });
    const { header, payload } = decode(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toEqual(claims);
    expect(payload).toMatchObject({
      sub: 'cust-42',
      iss: mock.url,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: 'cust-42',
      'custom:role': 'customer',
    });
    for (const claim of ['client_id', 'origin_jti', 'event_id', 'jti', 'auth_time', 'iat', 'exp']) expect(payload).toHaveProperty(claim);
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
  });

  it('the id token shares origin_jti, has its own kid, aud = client id and the profile claims', async () => {
    const signIn = await mock.issueToken({ sub: 'cust-43', claims: { given_name: 'Ada' } });
    const access = decode(signIn.token);
    const id = decode(signIn.idToken);
    expect(id.header.kid).not.toBe(access.header.kid);
    expect(id.payload).toMatchObject({
      sub: 'cust-43',
      token_use: 'id',
      aud: access.payload.client_id,
      origin_jti: access.payload.origin_jti,
      'cognito:username': 'cust-43',
      email_verified: true,
      given_name: 'Ada',
      'custom:role': 'customer',
    });
    expect(id.payload.jti).not.toBe(access.payload.jti);
    for (const claim of ['custom:id', 'email', 'family_name', 'auth_time', 'iat', 'exp']) expect(id.payload).toHaveProperty(claim);
  });

  it('the id token names a test person a page can show: email from the sub, given and family names', async () => {
    const id = decode((await mock.issueToken({ sub: 'cust-44' })).idToken).payload;
    expect(id).toMatchObject({
      email: 'cust-44@customers.example.test',
      email_verified: true,
      given_name: 'Test',
      family_name: 'Customer',
      'custom:id': 'cust-44',
    });
  });

  it('the refresh token is opaque (a JWE, RFC 7516 compact: five parts), its protected header saying it seals a JWT', async () => {
    const { refreshToken } = await mock.issueToken();
    expect(refreshToken.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(refreshToken.split('.')[0] ?? '', 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' });
  });

  it('ttlSeconds and role are honoured', async () => {
    const { claims } = await mock.issueToken({ ttlSeconds: 120, role: 'applicant' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
    expect(claims['custom:role']).toBe('applicant');
  });
});

describe('extra claims are minted as asked, malformed ones too, and refused only when no JWT can carry them', () => {
  it('a string exp is minted (a test input for a client), and the mock itself refuses it at logout, naming the claim', async () => {
    const { token } = await mock.issueToken({ claims: { exp: 'soon' } });
    expect(decode(token).payload.exp).toBe('soon');
    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-mock-reason')).toMatch(/^token claim exp is malformed/);
  });

  it.each(['exp', 'nbf', 'iat', 'auth_time'])('%s: 1e400 (Infinity once parsed) is a 400 naming claims.%s, not a 500', async (name) => {
    const response = await fetch(`${mock.url}/__mock/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"claims":{"${name}":1e400}}`,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: 'ERR_INPUT',
      field: `claims.${name}`,
      message: `claims.${name} must be a finite number: a JWT cannot carry Infinity`,
    });
  });
});

describe('the published JWKS verifies issued tokens as a real backend would', () => {
  it.each(['/.well-known/jwks.json', '/auth/api/v1/.well-known/jwks.json'])('%s', async (path) => {
    const response = await fetch(`${mock.url}${path}`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(2);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
    const keySet = createLocalJWKSet(jwks as never);
    const { token, idToken } = await mock.issueToken();
    await expect(jwtVerify(token, keySet, { issuer: mock.url })).resolves.toBeTruthy();
    await expect(jwtVerify(idToken, keySet, { issuer: mock.url })).resolves.toBeTruthy();
    const { token: bad } = await mock.issueToken({ kind: 'bad-signature' });
    await expect(jwtVerify(bad, keySet)).rejects.toThrow();
  });
});

describe.each(['ES256', 'HS256'] as const)('--alg %s', (alg) => {
  it('issues tokens with that alg that log out once', async () => {
    const m = await mockOn({ alg });
    try {
      const { token } = await m.issueToken();
      expect(decode(token).header.alg).toBe(alg);
      expect((await logout(m, { token })).status).toBe(200);
      expect((await logout(m, { token })).status).toBe(401);
      const { token: expired } = await m.issueToken({ kind: 'expired' });
      expect((await logout(m, { token: expired })).status).toBe(401);
      const jwks = (await (await fetch(`${m.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
      // A symmetric secret is never published.
      expect(jwks.keys).toHaveLength(alg === 'HS256' ? 0 : 2);
    } finally {
      await m.close();
    }
  });
});

describe('canned bad tokens are what their names say', () => {
  it.each([
    [
      'expired',
      (p: Record<string, number>, now: number) => {
        // Expired two minutes ago after a whole lifetime (3600 s), from a sign-in that began then too.
        expect(p.exp).toBeLessThan(now - 100);
        expect(Number(p.exp) - Number(p.iat)).toBe(3600);
        expect(p.auth_time).toBe(p.iat);
      },
    ],
    ['not-yet-valid', (p: Record<string, number>, now: number) => expect(p.nbf).toBeGreaterThan(now)],
    ['wrong-issuer', (p: Record<string, unknown>) => expect(p.iss).not.toBe(mock.url)],
    ['non-customer', (p: Record<string, unknown>) => expect(p['custom:role']).not.toBe('customer')],
  ] as const)('%s', async (kind, check) => {
    const { token } = await mock.issueToken({ kind });
    check(decode(token).payload as never, Date.now() / 1000);
  });

  it('alg-none has alg none and no signature; bad-signature differs from a good signature only in its last part', async () => {
    const none = await mock.issueToken({ kind: 'alg-none' });
    expect(decode(none.token).header).toEqual({ alg: 'none', typ: 'JWT', kid: expect.any(String) });
    expect(none.token.endsWith('.')).toBe(true);
    const bad = await mock.issueToken({ kind: 'bad-signature' });
    const parts = bad.token.split('.');
    expect(parts).toHaveLength(3);
    // Same length and alphabet as a real signature: only a verifier can tell.
    const good = (await mock.issueToken()).token.split('.')[2] ?? '';
    expect(parts[2]).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parts[2]).toHaveLength(good.length);
    expect((await logout(mock, { token: bad.token })).headers.get('x-mock-reason')).toBe('token signature is invalid');
  });

  it('refresh-as-bearer hands out the refresh token as `token`', async () => {
    const signIn = await mock.issueToken({ kind: 'refresh-as-bearer' });
    expect(signIn.token).toBe(signIn.refreshToken);
  });
});

describe('a sign-in id (origin_jti) tells when the sign-in began, for ending sign-ins at a deactivation or reset', () => {
  it('reads the millisecond of a UUID version 7 (RFC 9562 §5.7), from the sign-ins the mock starts and any other', async () => {
    const at = Date.UTC(2031, 5, 1, 12, 0, 0, 345);
    expect(signInStartedAt(uuidv7({ msecs: at }))).toBe(at);
    const { token } = await mock.issueToken();
    const started = signInStartedAt(decode(token).payload.origin_jti as string);
    expect(Math.abs(Date.now() - (started ?? 0))).toBeLessThan(60_000);
  });

  it.each([
    ['a UUID version 4 (what Cognito writes)', uuidv4()],
    ['a version 7 without its hyphens', uuidv7().replaceAll('-', '')],
    ['a version 7 cut short', uuidv7().slice(0, 35)],
    ['an id of a test’s own', 'sign-in-1'],
  ])('tells nothing for %s: such a sign-in began before any deactivation', (_name, sid) => {
    expect(signInStartedAt(sid)).toBeUndefined();
  });
});
