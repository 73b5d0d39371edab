// A backend verifies the mock's tokens with the library it uses, configured as that library's docs say (the recipes
// of docs/tokens.md, "Your backend accepts the mock's tokens"): aws-jwt-verify's CognitoJwtVerifier, jose's
// createRemoteJWKSet, jwks-rsa with jsonwebtoken. Real HTTP on loopback only: no refusal below makes a library reach
// for AWS (each is refused before a key would be fetched from anywhere but the mock).
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtInvalidSignatureError, ParameterValidationError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import jwt, { type GetPublicKeyOrSecret, type JwtPayload } from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import { beforeAll, describe, expect, it } from 'vitest';
import { cognitoIssuer, POOL, tamper } from '../support/cognito.ts';
import { DEMO, logout, signedIn, signIn, useMock } from '../support/mock.ts';

const mock = useMock({ issuer: cognitoIssuer() });
/** Another user pool's mock: its tokens are another issuer's, signed with other keys. */
const otherPool = useMock({ issuer: cognitoIssuer('eu-west-1_Other0000') });

/** The id and access tokens of one sign-in. */
type Pair = { id: string; access: string };

/** A backend's verifier: the payload of a good token, a thrown error for any other. */
type Verify = (token: string) => Promise<Record<string, unknown>>;
type Library = { readonly name: string; make(mockUrl: string, clientId: string): Promise<{ id: Verify; access: Verify }> };

/** aws-jwt-verify: CognitoJwtVerifier for the pool, its JWKS cache filled from the mock (it fetches only from AWS, over https). */
const awsJwtVerify: Library = {
  name: 'aws-jwt-verify',
  async make(mockUrl, clientId) {
    const jwks = (await (await fetch(`${mockUrl}/${POOL.id}/.well-known/jwks.json`)).json()) as Jwks;
    const idVerifier = CognitoJwtVerifier.create({ userPoolId: POOL.id, tokenUse: 'id', clientId });
    const accessVerifier = CognitoJwtVerifier.create({ userPoolId: POOL.id, tokenUse: 'access', clientId });
    idVerifier.cacheJwks(jwks);
    accessVerifier.cacheJwks(jwks);
    return { id: (token) => idVerifier.verify(token), access: (token) => accessVerifier.verify(token) };
  },
};

/** An access token has no `aud`: Cognito names the app client in `client_id`, which the backend checks itself. */
function accessTokenOf(payload: JWTPayload | JwtPayload, clientId: string): Record<string, unknown> {
  if (payload.token_use !== 'access' || payload.client_id !== clientId) throw new Error('not an access token of this app client');
  return payload;
}

/** jose: createRemoteJWKSet on the JWKS the mock publishes, jwtVerify with the issuer (and the audience, for id tokens). */
const jose: Library = {
  name: 'jose',
  async make(mockUrl, clientId) {
    const JWKS = createRemoteJWKSet(new URL(`${mockUrl}/${POOL.id}/.well-known/jwks.json`));
    const issuer = cognitoIssuer();
    return {
      id: async (token) => (await jwtVerify(token, JWKS, { issuer, audience: clientId, requiredClaims: ['token_use'] })).payload,
      access: async (token) => accessTokenOf((await jwtVerify(token, JWKS, { issuer })).payload, clientId),
    };
  },
};

/** jwks-rsa for the key, jsonwebtoken's verify in its callback form (a key function), as the two READMEs show. */
const jwksRsa: Library = {
  name: 'jwks-rsa + jsonwebtoken',
  async make(mockUrl, clientId) {
    const client = jwksClient({ jwksUri: `${mockUrl}/${POOL.id}/.well-known/jwks.json` });
    const getKey: GetPublicKeyOrSecret = (header, callback) => {
      client.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
    };
    const verify = (token: string, audience?: string) =>
      new Promise<JwtPayload>((resolve, reject) => {
        jwt.verify(token, getKey, { issuer: cognitoIssuer(), algorithms: ['RS256'], ...(audience ? { audience } : {}) }, (error, payload) =>
          error ? reject(error) : resolve(payload as JwtPayload),
        );
      });
    return { id: (token) => verify(token, clientId), access: async (token) => accessTokenOf(await verify(token), clientId) };
  },
};

const LIBRARIES = [awsJwtVerify, jose, jwksRsa];

/** Why each library refuses each bad token: its own error, so a refusal is never a network failure in disguise. */
type Why = { type?: abstract new (...args: never[]) => Error; name?: string; code?: string; message?: RegExp };
const REFUSED: readonly [reason: string, tokens: () => Promise<Pair>, why: Record<string, Why>][] = [
  [
    'an expired one',
    async () => pair(await mock.issueToken({ kind: 'expired' })),
    {
      'aws-jwt-verify': { type: JwtExpiredError },
      jose: { code: 'ERR_JWT_EXPIRED' },
      'jwks-rsa + jsonwebtoken': { name: 'TokenExpiredError' },
    },
  ],
  [
    "another issuer's (the mock's keys, another iss)",
    async () => pair(await mock.issueToken({ kind: 'wrong-issuer' })),
    {
      'aws-jwt-verify': { type: ParameterValidationError, message: /issuer not configured/ },
      jose: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', message: /"iss"/ },
      'jwks-rsa + jsonwebtoken': { name: 'JsonWebTokenError', message: /jwt issuer invalid/ },
    },
  ],
  [
    "another user pool's (its own keys and iss)",
    async () => pair(await otherPool.issueToken()),
    {
      'aws-jwt-verify': { type: ParameterValidationError, message: /issuer not configured/ },
      jose: { code: 'ERR_JWKS_NO_MATCHING_KEY' },
      'jwks-rsa + jsonwebtoken': { name: 'JsonWebTokenError', message: /Unable to find a signing key/ },
    },
  ],
  [
    'a tampered one (another customer written into a signed token)',
    async () => {
      const { id, access } = pair(await mock.issueToken());
      const changes = { sub: 'someone-else', 'custom:customer_id': 'another-customer' };
      return { id: tamper(id, changes), access: tamper(access, changes) };
    },
    {
      'aws-jwt-verify': { type: JwtInvalidSignatureError },
      jose: { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      'jwks-rsa + jsonwebtoken': { name: 'JsonWebTokenError', message: /invalid signature/ },
    },
  ],
];

function pair(signIn: { idToken: string; token: string }): Pair {
  return { id: signIn.idToken, access: signIn.token };
}

/** What a promise was rejected with (failing the test when it was not). */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason as Error & { code?: string },
  );
  if (error === undefined) throw new Error('the token was accepted');
  return error;
}

describe.each(LIBRARIES)('$name', (library) => {
  let verify: { id: Verify; access: Verify };
  let signedInPair: Pair;
  beforeAll(async () => {
    verify = await library.make(mock.url, mock.config.clientId);
    const tokens = signedIn(await signIn(mock, { json: DEMO }));
    signedInPair = { id: tokens.idToken, access: tokens.accessToken };
  });

  it("accepts the id and access tokens of a real sign-in, with the customer's claims", async () => {
    const id = await verify.id(signedInPair.id);
    expect(id).toMatchObject({ iss: cognitoIssuer(), aud: mock.config.clientId, token_use: 'id', email: DEMO.email });
    expect(id['custom:customer_id']).toEqual(expect.any(String));
    const access = await verify.access(signedInPair.access);
    expect(access).toMatchObject({ iss: cognitoIssuer(), client_id: mock.config.clientId, token_use: 'access', sub: id.sub });
  });

  it('refuses an id token where it wants an access token, and the other way round', async () => {
    await expect(verify.access(signedInPair.id)).rejects.toThrow();
    await expect(verify.id(signedInPair.access)).rejects.toThrow();
  });

  it.each(REFUSED)('refuses %s, for its own reason', async (_reason, tokens, why) => {
    const { id, access } = await tokens();
    for (const error of [await rejection(verify.id(id)), await rejection(verify.access(access))]) {
      const expected = why[library.name]!;
      if (expected.type) expect(error).toBeInstanceOf(expected.type);
      if (expected.name) expect(error.name).toBe(expected.name);
      if (expected.code) expect(error.code).toBe(expected.code);
      if (expected.message) expect(error.message).toMatch(expected.message);
    }
  });

  it('still accepts a logged-out token, which only the mock can refuse (a signature check cannot see a logout)', async () => {
    const tokens = signedIn(await signIn(mock, { json: DEMO }));
    expect((await logout(mock, { token: tokens.accessToken })).status).toBe(200);
    await expect(verify.access(tokens.accessToken)).resolves.toMatchObject({ token_use: 'access' });
    await expect(verify.id(tokens.idToken)).resolves.toMatchObject({ token_use: 'id' });
    expect((await logout(mock, { token: tokens.accessToken })).status).toBe(401);
  });
});

describe("a library pointed at the pool's OpenID Provider configuration on the mock", () => {
  it('finds the issuer and the JWKS there, and verifies with them', async () => {
    const configuration = (await (await fetch(`${mock.url}/${POOL.id}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    const JWKS = createRemoteJWKSet(new URL(configuration.jwks_uri));
    const { idToken } = signedIn(await signIn(mock, { json: DEMO }));
    const { payload } = await jwtVerify(idToken, JWKS, { issuer: configuration.issuer, audience: mock.config.clientId });
    expect(payload.iss).toBe(cognitoIssuer());
  });
});
