// The JWKS and the OpenID Provider configuration where a library derives them from the tokens' issuer
// (OpenID Connect Discovery 1.0 §3 and §4): under a Cognito pool's path, at the root for the mock's own URL.
import { describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { cognitoIssuer, getWithHost, POOL } from '../support/cognito.ts';
import { decode } from '../support/crafted.ts';
import { DEMO, mockOn, signedIn, signIn, useMock } from '../support/mock.ts';

const ORIGIN = 'http://app.localhost:5173';
/** What Discovery §3 requires of every configuration the mock serves (it has no OAuth endpoints to name). */
const REQUIRED = ['issuer', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'];

type Configuration = Record<string, unknown> & { issuer: string; jwks_uri: string };

async function configurationAt(url: string): Promise<Configuration> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return (await response.json()) as Configuration;
}

/** Runs `check` against a mock started with `options`, closing it after. */
async function withMock(options: Parameters<typeof mockOn>[0], check: (mock: Mock) => Promise<void>): Promise<void> {
  const mock = await mockOn(options);
  try {
    await check(mock);
  } finally {
    await mock.close();
  }
}

describe('an issuer with a path (a Cognito user pool): the documents under the pool path', () => {
  const mock = useMock({ issuer: cognitoIssuer() });
  const at = (path: string) => `${mock.url}/${POOL.id}/.well-known/${path}`;

  it("the configuration names exactly the tokens' iss, and a jwks_uri on the mock that serves the JWKS", async () => {
    const { idToken, accessToken } = signedIn(await signIn(mock, { json: DEMO }));
    const configuration = await configurationAt(at('openid-configuration'));
    for (const member of REQUIRED) expect(configuration).toHaveProperty(member);
    expect(configuration).toEqual({
      issuer: cognitoIssuer(),
      jwks_uri: at('jwks.json'),
      response_types_supported: ['code', 'token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    for (const token of [idToken, accessToken]) expect(decode(token).payload.iss).toBe(configuration.issuer);
    const root = await (await fetch(`${mock.url}/.well-known/jwks.json`)).json();
    expect(await (await fetch(configuration.jwks_uri)).json()).toEqual(root);
  });

  it('jwks_uri names the host the request reached (a backend in a container reaches the mock by its service name)', async () => {
    const { body } = await getWithHost(mock.port, `/${POOL.id}/.well-known/openid-configuration`, 'auth-mock:4010');
    expect(body).toMatchObject({ issuer: cognitoIssuer(), jwks_uri: `http://auth-mock:4010/${POOL.id}/.well-known/jwks.json` });
    // A Host that is not a host name does not reach the document: the issuer's own JWKS URL stands in.
    const odd = await getWithHost(mock.port, `/${POOL.id}/.well-known/openid-configuration`, 'a b@c');
    expect(odd.body).toMatchObject({ jwks_uri: `${cognitoIssuer()}/.well-known/jwks.json` });
  });

  it.each(['openid-configuration', 'jwks.json'])('%s: HEAD answers as GET without the body', async (name) => {
    const get = await fetch(at(name));
    const text = await get.text();
    const head = await fetch(at(name), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
  });

  it.each(['openid-configuration', 'jwks.json'])('%s: CORS as the JWKS has it (Vary: Origin either way), a preflight allows GET and HEAD', async (name) => {
    const without = await fetch(at(name));
    expect(without.headers.get('vary')).toBe('Origin');
    expect(without.headers.get('access-control-allow-origin')).toBeNull();
    const withOrigin = await fetch(at(name), { headers: { origin: ORIGIN } });
    expect(withOrigin.headers.get('vary')).toBe('Origin');
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await withOrigin.json()).toEqual(await without.json());
    const preflight = await fetch(at(name), { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
  });

  it.each(['openid-configuration', 'jwks.json'])('%s: another method is a 405 that says what is allowed', async (name) => {
    const answer = await fetch(at(name), { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await answer.json()).toMatchObject({ errorCode: 'ERR_METHOD_NOT_ALLOWED' });
  });

  it('the configuration is only where Discovery puts it: not at the root, whose issuer would not be the tokens', async () => {
    expect((await fetch(`${mock.url}/.well-known/openid-configuration`)).status).toBe(404);
    expect((await fetch(`${mock.url}/.well-known/jwks.json`)).status).toBe(200);
  });
});

describe('the default issuer (the mock’s own URL): the configuration at the root', () => {
  const mock = useMock();

  it('names the mock as issuer and its root JWKS', async () => {
    const { token } = await mock.issueToken();
    const configuration = await configurationAt(`${mock.url}/.well-known/openid-configuration`);
    expect(configuration).toMatchObject({ issuer: mock.url, jwks_uri: `${mock.url}/.well-known/jwks.json` });
    expect(configuration.issuer).toBe(decode(token).payload.iss);
  });

  it('reached by another host name, jwks_uri follows it (localhost for 127.0.0.1)', async () => {
    const { body } = await getWithHost(mock.port, '/.well-known/openid-configuration', `localhost:${mock.port}`);
    expect(body).toMatchObject({ issuer: mock.url, jwks_uri: `http://localhost:${mock.port}/.well-known/jwks.json` });
  });
});

describe('other issuers and algorithms', () => {
  it('an issuer with a terminating / is named exactly as the tokens carry it, its documents under its path without the /', async () => {
    const issuer = 'https://auth.example.test/tenant-a/';
    await withMock({ issuer }, async (mock) => {
      const configuration = await configurationAt(`${mock.url}/tenant-a/.well-known/openid-configuration`);
      expect(configuration.issuer).toBe(issuer);
      expect(decode((await mock.issueToken()).token).payload.iss).toBe(issuer);
      expect((await fetch(`${mock.url}/tenant-a/.well-known/jwks.json`)).status).toBe(200);
    });
  });

  it('the URL clients use, given as --issuer (a proxy that keeps the host name, drops the port): jwks_uri under it', async () => {
    await withMock({ issuer: 'https://auth-mock.qa.example.test' }, async (mock) => {
      const { body } = await getWithHost(mock.port, '/.well-known/openid-configuration', 'auth-mock.qa.example.test');
      expect(body).toMatchObject({ jwks_uri: 'https://auth-mock.qa.example.test/.well-known/jwks.json' });
    });
  });

  it.each(['ES256', 'HS256'] as const)('--alg %s: the configuration names it', async (alg) => {
    await withMock({ alg, issuer: cognitoIssuer() }, async (mock) => {
      const configuration = await configurationAt(`${mock.url}/${POOL.id}/.well-known/openid-configuration`);
      expect(configuration.id_token_signing_alg_values_supported).toEqual([alg]);
    });
  });
});
