import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logOut } from '../support/pact-client.ts';

// The customer web app's expectations of the Auth Service's logout, as a PactV4 consumer test.
// Tokens come from provider states (`fromProviderState`), so any provider that sets the states up can verify the pact.
const { fromProviderState, like, regex } = MatchersV3;

const CONSUMER = 'customer-web-app';
const PROVIDER = 'auth-service';
const PACT_FILE = `${CONSUMER}-${PROVIDER}.json`;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASE_PATH = '/auth/api/v1';
const LOGOUT_PATH = `${BASE_PATH}/customer/logout`;
// Examples only: the verifier replaces them with the token the provider state returns.
const EXAMPLE_TOKEN = 'eyJraWQiOiJleGFtcGxlIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJjdXN0LWV4YW1wbGUiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl';
const JSON_TYPE = regex('^application/json(\\s*;.*)?$', 'application/json');
const EXPECTED_INTERACTIONS = 5;

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

// biome-ignore lint/suspicious/noTemplateCurlyInString: `${token}` is Pact's provider-state expression, not a template literal
const bearerFromState = () => ({ Authorization: fromProviderState('Bearer ${token}', `Bearer ${EXAMPLE_TOKEN}`) });
const errorBody = (message: string, errorCode: string) => ({ message: like(message), errorCode: like(errorCode) });

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
