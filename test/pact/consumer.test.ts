import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logOut, refresh, signIn } from '../support/pact-client.ts';
import {
  bearerFromState,
  EXAMPLE_EMAIL,
  EXAMPLE_ID_TOKEN,
  EXAMPLE_PASSWORD,
  EXAMPLE_REFRESH_TOKEN,
  EXAMPLE_TOKEN,
  errorBody,
  fromState,
  JSON_REQUEST,
  JSON_TYPE,
  stringsLike,
} from '../support/pact-matchers.ts';
import { describeUserManagement } from './consumer-users.ts';

// The customer web app's expectations of the Auth Service, as a PactV4 consumer test: the sign-in flow (sign-in,
// refresh, logout) here, the user-management screens and the invitation and password pages in consumer-users.ts.
// Tokens and credentials come from provider states (`fromProviderState`), so any provider that sets the states up can
// verify the pact, and the pact never holds a real password or token.
const { boolean, like, uuid } = MatchersV3;

const CONSUMER = 'customer-web-app';
const PROVIDER = 'auth-service';
const PACT_FILE = `${CONSUMER}-${PROVIDER}.json`;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASE_PATH = '/auth/api/v1';
const LOGOUT_PATH = `${BASE_PATH}/customer/logout`;
const SIGN_IN_PATH = `${BASE_PATH}/customer/sign-in`;
const REFRESH_PATH = `${BASE_PATH}/refresh-token/customer`;
const WRONG_PASSWORD = 'not-the-password-of-this-customer';
const EXPECTED_INTERACTIONS = 18;

let dir: string;
let pact: PactV4;

beforeAll(async () => {
  // A fresh folder per run, so the pact holds exactly these interactions; afterAll moves it into pacts/.
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  dir = await mkdtemp(join(ROOT, '.tmp', 'pact-consumer-'));
  pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir, logLevel: 'warn' });
});

afterAll(async () => {
  const generated = await readFile(join(dir, PACT_FILE), 'utf8').catch(() => undefined);
  const target = join(ROOT, 'pacts', PACT_FILE);
  const committed = await readFile(target, 'utf8').catch(() => undefined);
  // Only a complete run that changed the pact replaces it, and atomically: the verify tests may be reading it right now.
  if (
    generated !== undefined &&
    generated !== committed &&
    (JSON.parse(generated) as { interactions: unknown[] }).interactions.length === EXPECTED_INTERACTIONS
  ) {
    const staging = join(dir, `${PACT_FILE}.next`);
    await writeFile(staging, generated);
    await rename(staging, target);
  }
  await rm(dir, { recursive: true, force: true });
});

describe(`${CONSUMER} → ${PROVIDER}: POST ${LOGOUT_PATH}`, () => {
  it('logs out a customer with an active session (200)', async () => {
    await pact
      .addInteraction()
      .given('a customer with an active session')
      .uponReceiving("a logout with the customer's active session token")
      .withRequest('POST', LOGOUT_PATH, (request) => request.headers(bearerFromState()))
      .willRespondWith(200, (response) =>
        response.headers({ 'Content-Type': JSON_TYPE }).jsonBody({ status: like('success'), message: like('Logout successful') }),
      )
      .executeTest(async (server) => {
        expect(await logOut(`${server.url}${BASE_PATH}`, EXAMPLE_TOKEN)).toEqual({ loggedOut: true, message: 'Logout successful' });
      });
  });

  it('is refused without a token (401)', async () => {
    await pact
      .addInteraction()
      .uponReceiving('a logout without a token')
      .withRequest('POST', LOGOUT_PATH)
      .willRespondWith(401, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Unauthorized', 'ERR_UNAUTHORIZED')))
      .executeTest(async (server) => {
        expect(await logOut(`${server.url}${BASE_PATH}`, undefined)).toEqual({
          loggedOut: false,
          status: 401,
          errorCode: 'ERR_UNAUTHORIZED',
          message: 'Unauthorized',
        });
      });
  });

  it('is refused with a token whose session was already logged out (401)', async () => {
    await pact
      .addInteraction()
      .given('a customer whose session has been logged out')
      .uponReceiving('a logout with a token whose session was already logged out')
      .withRequest('POST', LOGOUT_PATH, (request) => request.headers(bearerFromState()))
      .willRespondWith(401, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Unauthorized', 'ERR_UNAUTHORIZED')))
      .executeTest(async (server) => {
        expect(await logOut(`${server.url}${BASE_PATH}`, EXAMPLE_TOKEN)).toMatchObject({ loggedOut: false, status: 401, errorCode: 'ERR_UNAUTHORIZED' });
      });
  });

  it('is refused with an expired token (401)', async () => {
    await pact
      .addInteraction()
      .given('a customer whose token has expired')
      .uponReceiving('a logout with an expired token')
      .withRequest('POST', LOGOUT_PATH, (request) => request.headers(bearerFromState()))
      .willRespondWith(401, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Unauthorized', 'ERR_UNAUTHORIZED')))
      .executeTest(async (server) => {
        expect(await logOut(`${server.url}${BASE_PATH}`, EXAMPLE_TOKEN)).toMatchObject({ loggedOut: false, status: 401, errorCode: 'ERR_UNAUTHORIZED' });
      });
  });

  it('is forbidden with the valid token of a user who is not a customer (403)', async () => {
    await pact
      .addInteraction()
      .given('a signed-in user who is not a customer')
      .uponReceiving('a logout with the valid token of a user who is not a customer')
      .withRequest('POST', LOGOUT_PATH, (request) => request.headers(bearerFromState()))
      .willRespondWith(403, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Forbidden', 'ERR_FORBIDDEN')))
      .executeTest(async (server) => {
        expect(await logOut(`${server.url}${BASE_PATH}`, EXAMPLE_TOKEN)).toEqual({
          loggedOut: false,
          status: 403,
          errorCode: 'ERR_FORBIDDEN',
          message: 'Forbidden',
        });
      });
  });
});

describe(`${CONSUMER} → ${PROVIDER}: POST ${SIGN_IN_PATH}`, () => {
  it('signs a customer in with the right email and password (200, the tokens under data)', async () => {
    await pact
      .addInteraction()
      .given('a customer with credentials')
      .uponReceiving('a sign-in with the right email and password')
      .withRequest('POST', SIGN_IN_PATH, (request) =>
        request.headers(JSON_REQUEST).jsonBody({ email: fromState('email', EXAMPLE_EMAIL), password: fromState('password', EXAMPLE_PASSWORD) }),
      )
      .willRespondWith(200, (response) =>
        response.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          status: like('success'),
          message: like('Logged In successfully'),
          data: {
            user_details: {
              id: uuid('00000000-0000-4000-8000-000000000001'),
              first_name: like('Sandbox'),
              last_name: like('Customer Admin'),
              email: like(EXAMPLE_EMAIL),
              is_email_verified: boolean(true),
            },
            access_token: like(EXAMPLE_TOKEN),
            id_token: like(EXAMPLE_ID_TOKEN),
            refresh_token: like(EXAMPLE_REFRESH_TOKEN),
            permissions: stringsLike('case:read'),
            customer_details: { id: uuid('00000000-0000-4000-8000-000000000003'), name: like('Sandbox') },
          },
        }),
      )
      .executeTest(async (server) => {
        const result = await signIn(`${server.url}${BASE_PATH}`, EXAMPLE_EMAIL, EXAMPLE_PASSWORD);
        expect(result).toMatchObject({
          signedIn: true,
          idToken: EXAMPLE_ID_TOKEN,
          accessToken: EXAMPLE_TOKEN,
          refreshToken: EXAMPLE_REFRESH_TOKEN,
          user: { email: EXAMPLE_EMAIL, emailVerified: true },
          customer: { id: '00000000-0000-4000-8000-000000000003', name: 'Sandbox' },
          permissions: ['case:read'],
        });
      });
  });

  it('is refused with a wrong password (400)', async () => {
    await pact
      .addInteraction()
      .given('a customer with credentials')
      .uponReceiving('a sign-in with a wrong password')
      .withRequest('POST', SIGN_IN_PATH, (request) =>
        request.headers(JSON_REQUEST).jsonBody({ email: fromState('email', EXAMPLE_EMAIL), password: WRONG_PASSWORD }),
      )
      .willRespondWith(400, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Incorrect username or password.', 'INVALID')))
      .executeTest(async (server) => {
        expect(await signIn(`${server.url}${BASE_PATH}`, EXAMPLE_EMAIL, WRONG_PASSWORD)).toEqual({
          signedIn: false,
          status: 400,
          errorCode: 'INVALID',
          message: 'Incorrect username or password.',
        });
      });
  });
});

describe(`${CONSUMER} → ${PROVIDER}: POST ${REFRESH_PATH}`, () => {
  it("refreshes an active session's tokens (200, the new tokens under data)", async () => {
    await pact
      .addInteraction()
      .given('a customer with an active session')
      .uponReceiving('a refresh with the refresh token of an active session')
      .withRequest('POST', REFRESH_PATH, (request) =>
        request.headers(JSON_REQUEST).jsonBody({ refresh_token: fromState('refreshToken', EXAMPLE_REFRESH_TOKEN) }),
      )
      .willRespondWith(200, (response) =>
        response.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          status: like('success'),
          message: like('Success'),
          data: { access_token: like(EXAMPLE_TOKEN), id_token: like(EXAMPLE_ID_TOKEN) },
        }),
      )
      .executeTest(async (server) => {
        expect(await refresh(`${server.url}${BASE_PATH}`, EXAMPLE_REFRESH_TOKEN)).toEqual({
          refreshed: true,
          idToken: EXAMPLE_ID_TOKEN,
          accessToken: EXAMPLE_TOKEN,
        });
      });
  });

  it('is refused without a refresh token (400)', async () => {
    await pact
      .addInteraction()
      .uponReceiving('a refresh without a refresh token')
      .withRequest('POST', REFRESH_PATH, (request) => request.headers(JSON_REQUEST).jsonBody({}))
      .willRespondWith(400, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Refresh Token is Required', 'INVALID')))
      .executeTest(async (server) => {
        expect(await refresh(`${server.url}${BASE_PATH}`, undefined)).toEqual({
          refreshed: false,
          status: 400,
          errorCode: 'INVALID',
          message: 'Refresh Token is Required',
        });
      });
  });

  it('is refused with the refresh token of a session that has logged out (401)', async () => {
    await pact
      .addInteraction()
      .given('a customer whose session has been logged out')
      .uponReceiving('a refresh with the refresh token of a session that has logged out')
      .withRequest('POST', REFRESH_PATH, (request) =>
        request.headers(JSON_REQUEST).jsonBody({ refresh_token: fromState('refreshToken', EXAMPLE_REFRESH_TOKEN) }),
      )
      .willRespondWith(401, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Unauthorized', 'ERR_UNAUTHORIZED')))
      .executeTest(async (server) => {
        expect(await refresh(`${server.url}${BASE_PATH}`, EXAMPLE_REFRESH_TOKEN)).toMatchObject({
          refreshed: false,
          status: 401,
          errorCode: 'ERR_UNAUTHORIZED',
        });
      });
  });
});

describeUserManagement(() => pact, BASE_PATH);
