// --key-file: made on first use (0600), loaded after, so tokens minted before a restart keep working.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../src/config/config.ts';
import type { Mock, MockOptions } from '../../src/mock.ts';
import { prepareRsaKeys, rsaPrivateJwk } from '../../src/tokens/key-pool.ts';
import { createKeySet } from '../../src/tokens/keys.ts';
import { runCli } from '../support/cli.ts';
import { logout, mockOn } from '../support/mock.ts';

let dir: string;
let n = 0;
const mocks: Mock[] = [];
const fresh = () => join(dir, `key-${++n}.json`);
/** A restart keeps its URL, so the tokens' issuer stays the same; tests on port 0 give it explicitly. */
const ISSUER = 'http://127.0.0.1/keys-test';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wam-keys-'));
});
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(options: MockOptions): Promise<Mock> {
  const mock = await mockOn({ issuer: ISSUER, ...options });
  mocks.push(mock);
  return mock;
}

describe('createKeySet with a key file', () => {
  it.each(ALGORITHMS)('creates a %s key file readable only by its owner, then loads the same keys from it', async (alg) => {
    const path = fresh();
    const made = await createKeySet(alg, path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const content = readFileSync(path, 'utf8');
    expect(JSON.parse(content)).toMatchObject({ alg, access: { kid: made.access.kid }, id: { kid: made.id.kid } });

    const loaded = await createKeySet(alg, path);
    expect([loaded.access.kid, loaded.id.kid]).toEqual([made.access.kid, made.id.kid]);
    expect(loaded.jwks).toEqual(made.jwks);
    expect(Buffer.from(loaded.refreshSecret)).toEqual(Buffer.from(made.refreshSecret));
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('gives two mocks creating one key file at once the same keys', async () => {
    const path = fresh();
    const [a, b] = await Promise.all([createKeySet('ES256', path), createKeySet('ES256', path)]);
    expect(b.access.kid).toBe(a.access.kid);
    expect(b.id.kid).toBe(a.id.kid);
  });

  const rsaJwk = (bits: number, kid: string) => ({
    ...generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'jwk' }),
    kid,
    alg: 'RS256',
  });
  const ecJwk = (namedCurve: string, kid: string) => ({ ...generateKeyPairSync('ec', { namedCurve }).privateKey.export({ format: 'jwk' }), kid });
  it.each([
    [
      'an HS256 file whose secret is missing',
      () => ({ alg: 'HS256', access: { kty: 'oct', kid: 'a' }, id: { kty: 'oct', kid: 'b', k: '' }, refresh: 'AAAA' }),
      ': key a: an HS256 key needs a secret ("k") that is not empty; delete the file to have a new one made',
    ],
    [
      'an RS256 file with 1024-bit keys',
      () => ({ alg: 'RS256', access: rsaJwk(1024, 'a'), id: rsaJwk(1024, 'b'), refresh: 'AAAA' }),
      ': key a: an RS256 key needs 2048 bits or more, this one has 1024; delete the file to have a new one made',
    ],
    [
      'an ES256 file with P-384 keys',
      () => ({ alg: 'ES256', access: ecJwk('P-384', 'a'), id: ecJwk('P-384', 'b'), refresh: 'AAAA' }),
      ' holds a key that cannot be used: JWK "crv" does not match the requested algorithm; delete it to have a new one made',
    ],
    [
      'an RS256 file whose key is not a key',
      () => ({ alg: 'RS256', access: { kty: 'RSA', kid: 'a', n: 'xx', e: 'AQAB', d: 'yy' }, id: rsaJwk(2048, 'b'), refresh: 'AAAA' }),
      ' holds a key that cannot be used: Invalid keyData; delete it to have a new one made',
    ],
  ] as const)('refuses %s (jose would refuse to verify with it), naming --key-file and why', async (_, file, why) => {
    const path = fresh();
    const made = file();
    writeFileSync(path, JSON.stringify(made));
    await expect(createKeySet(made.alg as (typeof ALGORITHMS)[number], path)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      field: '--key-file',
      message: `--key-file ${path}${why}`,
    });
  });

  it('names --key-file and the system error when the key file cannot be read', async () => {
    const path = fresh();
    mkdirSync(path);
    await expect(createKeySet('RS256', path)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      field: '--key-file',
      message: `--key-file ${path} cannot be read: EISDIR: illegal operation on a directory, read`,
    });
  });

  it('names --key-file when the key file cannot be created', async () => {
    await expect(createKeySet('RS256', join(dir, 'missing', 'key.json'))).rejects.toMatchObject({ code: 'ERR_CONFIG', field: '--key-file' });
  });

  it('publishes only public keys in the JWKS', async () => {
    const set = await createKeySet('RS256', fresh());
    expect(set.jwks.keys).toHaveLength(2);
    for (const key of set.jwks.keys) expect(Object.keys(key).filter((k) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(k))).toEqual([]);
  });

  it('refuses a key file of another algorithm, naming --alg, and leaves it untouched', async () => {
    const path = fresh();
    await createKeySet('RS256', path);
    const content = readFileSync(path, 'utf8');
    await expect(createKeySet('ES256', path)).rejects.toMatchObject({ code: 'ERR_CONFIG', field: '--alg' });
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it.each([
    ['not JSON', 'not a key', 'Unexpected token \'o\', "not a key" is not valid JSON'],
    ['JSON without keys', '{"alg":"RS256"}', 'missing alg, access, id or refresh'],
    ['JSON without its id key', '{"alg":"RS256","access":{"kid":"a"},"refresh":"AAAA"}', 'missing alg, access, id or refresh'],
    ['JSON without its refresh secret', '{"alg":"RS256","access":{"kid":"a"},"id":{"kid":"b"}}', 'missing alg, access, id or refresh'],
    ['JSON without its alg', '{"access":{"kid":"a"},"id":{"kid":"b"},"refresh":"AAAA"}', 'missing alg, access, id or refresh'],
  ])('refuses a key file that is %s, naming --key-file and why, and leaves it untouched', async (_, content, why) => {
    const path = fresh();
    writeFileSync(path, content);
    await expect(createKeySet('RS256', path)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      field: '--key-file',
      message: `--key-file ${path} is not a worth-auth-mock key file (${why}); delete it to have a new one made`,
    });
    expect(readFileSync(path, 'utf8')).toBe(content);
  });
});

describe('a mock restarted on the same --key-file', () => {
  it('accepts the tokens and refresh tokens it minted before the restart, and serves the same JWKS', async () => {
    const keyFile = fresh();
    const before = await start({ keyFile });
    const signIn = await before.issueToken();
    const jwks = await (await fetch(`${before.url}/.well-known/jwks.json`)).json();
    await before.close();

    const after = await start({ keyFile });
    expect(await (await fetch(`${after.url}/.well-known/jwks.json`)).json()).toEqual(jwks);
    const refreshed = await fetch(`${after.url}/__mock/tokens`, { method: 'POST', body: JSON.stringify({ refreshToken: signIn.refreshToken }) });
    expect(refreshed.status).toBe(201);
    expect((await logout(after, { token: signIn.token })).status).toBe(200);
    expect((await logout(after, { token: signIn.idToken })).status).toBe(401);
  });

  it('without a key file, refuses the tokens of the mock before it (new keys at every start)', async () => {
    const before = await start({});
    const { token } = await before.issueToken();
    await before.close();
    const after = await start({});
    const answer = await logout(after, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('makes start exit 2 naming --alg when the key file holds other keys', async () => {
    const keyFile = fresh();
    await createKeySet('HS256', keyFile);
    const run = await runCli(['start', '--port', '0', '--log', 'off', '--key-file', keyFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--alg');
  });
});

describe('a mock restarted on the same --state-file without --key-file', () => {
  it('keeps the signing key beside the state file (0600), so tokens from before the restart still log out', async () => {
    const stateFile = join(dir, 'alone.json');
    const before = await start({ stateFile });
    const { token } = await before.issueToken();
    await before.close();
    const after = await start({ stateFile });
    expect(after.config.keyFile).toBe(`${stateFile}.key.json`);
    expect((await logout(after, { token })).status).toBe(200);
    expect(statSync(`${stateFile}.key.json`).mode & 0o777).toBe(0o600);
  });
});

describe('startMock({ keys })', () => {
  it('mocks given one key set publish the same JWKS, and a token one minted logs out at the other', async () => {
    const keys = createKeySet('RS256');
    const issuer = 'http://127.0.0.1/shared-keys';
    const [a, b] = await Promise.all([mockOn({ keys, issuer }), mockOn({ keys, issuer })]);
    try {
      const [jwksA, jwksB] = await Promise.all([a, b].map((m) => fetch(`${m.url}/.well-known/jwks.json`).then((r) => r.json())));
      expect(jwksA).toEqual(jwksB);
      const { token } = await a.issueToken({ sub: 'cust-shared' });
      expect((await logout(b, { token })).status).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('RSA keys made ahead (the bin starts them before loading the server)', () => {
  it('are handed out once each, then made on demand: all RSA-2048 with exponent 65537 (AQAB), no two alike', async () => {
    prepareRsaKeys(2);
    const keys = await Promise.all([rsaPrivateJwk(), rsaPrivateJwk(), rsaPrivateJwk()]);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', e: 'AQAB' });
      expect(Buffer.from(String(key.n), 'base64url')).toHaveLength(256);
    }
    expect(new Set(keys.map((key) => key.n)).size).toBe(3);
  });
});
