import { MatchersV3, type PactV4 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { acceptInvitation, createUser, forgotPassword, getUser, listUsers, resetPassword } from '../support/pact-client-users.ts';
import {
  bearerFromState,
  countInString,
  EXAMPLE_CUSTOMER_ID,
  EXAMPLE_EMAIL,
  EXAMPLE_ID_TOKEN,
  EXAMPLE_INVITE_TOKEN,
  EXAMPLE_PASSWORD,
  EXAMPLE_REFRESH_TOKEN,
  EXAMPLE_RESET_TOKEN,
  EXAMPLE_TOKEN,
  errorBody,
  fromState,
  JSON_REQUEST,
  JSON_TYPE,
  pageErrorBody,
  pathFromState,
} from '../support/pact-matchers.ts';

// The customer web app's user-management screens (list, invite a user, a user's page), its invitation page and its
// password pages, as interactions of the consumer pact (consumer.test.ts runs them into the same pact). The screens
// call with the signed-in owner's id token; ids, emails, tokens and new passwords come from provider states, so the
// pact holds no real token or password, and states only what the app relies on.
const { boolean, eachLike, integer, like, regex, uuid } = MatchersV3;

const OWNER = 'a customer owner signed in';
const EXAMPLE_OTHER_CUSTOMER_ID = '00000000-0000-4000-8000-0000000000c2';
const EXAMPLE_NEW_EMAIL = 'new.user@example.com';
/** A user id no customer has: what the user page gets from a stale link. */
const UNKNOWN_USER_ID = '00000000-0000-4000-8000-00000000dead';
const EXAMPLE_SUBROLE = { id: '00000000-0000-4000-8000-000000000008', code: 'cro', label: 'CRO' };
const bearer = () => bearerFromState('idToken', EXAMPLE_ID_TOKEN);
const subroleFromState = { id: fromState('subroleId', EXAMPLE_SUBROLE.id), code: fromState('subroleCode', 'cro'), label: fromState('subroleLabel', 'CRO') };

/** A user as the list shows one: the fields the screen reads, with their types. */
const LISTED_USER = {
  id: uuid('00000000-0000-4000-8000-000000000001'),
  first_name: like('Sandbox'),
  last_name: like('Customer Admin'),
  email: like(EXAMPLE_EMAIL),
  status: regex('^(ACTIVE|INACTIVE)$', 'ACTIVE'),
  is_first_login: boolean(false),
  subrole: { code: like('owner'), label: like('Owner') },
};

/** Registers the interactions on the pact `current()` returns (made in the consumer test's beforeAll), under `basePath`. */
export function describeUserManagement(current: () => PactV4, basePath: string): void {
  const usersPath = (customer: string, example: string) => pathFromState(basePath, `/customers/{${customer}}/users`, { [customer]: example });

  describe('customer-web-app → auth-service: the user-management screens', () => {
    it("lists the customer's users (200: records, total_pages a number, total_items a count in a string)", async () => {
      await current()
        .addInteraction()
        .given(OWNER)
        .uponReceiving("a request for the customer's users")
        .withRequest('GET', usersPath('customerId', EXAMPLE_CUSTOMER_ID), (request) => request.headers(bearer()))
        .willRespondWith(200, (response) =>
          response.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
            status: like('success'),
            message: like('Success'),
            data: { records: eachLike(LISTED_USER), total_pages: integer(1), total_items: countInString('1') },
          }),
        )
        .executeTest(async (server) => {
          const listed = await listUsers(`${server.url}${basePath}`, EXAMPLE_ID_TOKEN, EXAMPLE_CUSTOMER_ID);
          expect(listed).toMatchObject({ listed: true, total: 1, pages: 1, users: [{ email: EXAMPLE_EMAIL, active: true, invited: false, subrole: 'Owner' }] });
        });
    });

    it('invites a new user (200 with its user_id, not 201)', async () => {
      await current()
        .addInteraction()
        .given(OWNER)
        .uponReceiving('a request to create a new customer user')
        .withRequest('POST', usersPath('customerId', EXAMPLE_CUSTOMER_ID), (request) =>
          request
            .headers({ ...bearer(), ...JSON_REQUEST })
            .jsonBody({ first_name: 'Ada', last_name: 'Lovelace', email: fromState('newEmail', EXAMPLE_NEW_EMAIL), subrole: subroleFromState }),
        )
        .willRespondWith(200, (response) =>
          response
            .headers({ 'Content-Type': JSON_TYPE })
            .jsonBody({ status: like('success'), message: like('Customer user created.'), data: { user_id: uuid('00000000-0000-4000-8000-000000000010') } }),
        )
        .executeTest(async (server) => {
          const user = { firstName: 'Ada', lastName: 'Lovelace', email: EXAMPLE_NEW_EMAIL, subrole: EXAMPLE_SUBROLE };
          expect(await createUser(`${server.url}${basePath}`, EXAMPLE_ID_TOKEN, EXAMPLE_CUSTOMER_ID, user)).toEqual({
            created: true,
            userId: '00000000-0000-4000-8000-000000000010',
          });
        });
    });

    it('is refused an email another user has (400)', async () => {
      await current()
        .addInteraction()
        .given(OWNER)
        .uponReceiving('a request to create a customer user with an email another user has')
        .withRequest('POST', usersPath('customerId', EXAMPLE_CUSTOMER_ID), (request) =>
          request
            .headers({ ...bearer(), ...JSON_REQUEST })
            .jsonBody({ first_name: 'Ada', last_name: 'Lovelace', email: fromState('email', EXAMPLE_EMAIL), subrole: subroleFromState }),
        )
        .willRespondWith(400, (response) =>
          response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(pageErrorBody('Another customer user exists with the same email.', 'INVALID')),
        )
        .executeTest(async (server) => {
          const user = { firstName: 'Ada', lastName: 'Lovelace', email: EXAMPLE_EMAIL, subrole: EXAMPLE_SUBROLE };
          expect(await createUser(`${server.url}${basePath}`, EXAMPLE_ID_TOKEN, EXAMPLE_CUSTOMER_ID, user)).toEqual({
            created: false,
            status: 400,
            errorCode: 'INVALID',
            message: 'Another customer user exists with the same email.',
          });
        });
    });

    it('finds no user for an id the customer does not have (404)', async () => {
      await current()
        .addInteraction()
        .given(OWNER)
        .uponReceiving('a request for a customer user who does not exist')
        .withRequest('GET', pathFromState(basePath, `/customers/{customerId}/users/${UNKNOWN_USER_ID}`, { customerId: EXAMPLE_CUSTOMER_ID }), (request) =>
          request.headers(bearer()),
        )
        .willRespondWith(404, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(pageErrorBody('Customer user Not Found', 'NOT_FOUND')))
        .executeTest(async (server) => {
          expect(await getUser(`${server.url}${basePath}`, EXAMPLE_ID_TOKEN, EXAMPLE_CUSTOMER_ID, UNKNOWN_USER_ID)).toEqual({
            found: false,
            status: 404,
            errorCode: 'NOT_FOUND',
            message: 'Customer user Not Found',
          });
        });
    });

    it("is forbidden another customer's users (403)", async () => {
      await current()
        .addInteraction()
        .given(OWNER)
        .given('another customer exists')
        .uponReceiving("a request for another customer's users")
        .withRequest('GET', usersPath('otherCustomerId', EXAMPLE_OTHER_CUSTOMER_ID), (request) => request.headers(bearer()))
        .willRespondWith(403, (response) => response.headers({ 'Content-Type': JSON_TYPE }).jsonBody(errorBody('Forbidden', 'ERR_FORBIDDEN')))
        .executeTest(async (server) => {
          expect(await listUsers(`${server.url}${basePath}`, EXAMPLE_ID_TOKEN, EXAMPLE_OTHER_CUSTOMER_ID)).toEqual({
            listed: false,
            status: 403,
            errorCode: 'ERR_FORBIDDEN',
            message: 'Forbidden',
          });
        });
    });
  });

  describe('customer-web-app → auth-service: the invitation and password pages', () => {
    it('accepts an invitation with a new password, signing the user in (200, the tokens under data)', async () => {
      await current()
        .addInteraction()
        .given('a customer user invited')
        .uponReceiving('an acceptance of an invitation with a new password')
        .withRequest('POST', pathFromState(basePath, '/invite/{inviteToken}/accept', { inviteToken: EXAMPLE_INVITE_TOKEN }), (request) =>
          request.headers(JSON_REQUEST).jsonBody({ password: fromState('password', EXAMPLE_PASSWORD) }),
        )
        .willRespondWith(200, (response) =>
          response.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
            status: like('success'),
            message: like('Invitation Accepted.'),
            data: {
              access_token: like(EXAMPLE_TOKEN),
              id_token: like(EXAMPLE_ID_TOKEN),
              refresh_token: like(EXAMPLE_REFRESH_TOKEN),
              is_email_verified: boolean(true),
            },
          }),
        )
        .executeTest(async (server) => {
          expect(await acceptInvitation(`${server.url}${basePath}`, EXAMPLE_INVITE_TOKEN, EXAMPLE_PASSWORD)).toEqual({
            accepted: true,
            idToken: EXAMPLE_ID_TOKEN,
            accessToken: EXAMPLE_TOKEN,
            refreshToken: EXAMPLE_REFRESH_TOKEN,
            emailVerified: true,
          });
        });
    });

    it("sends a reset link for a customer's email (200)", async () => {
      await current()
        .addInteraction()
        .given('a customer with credentials')
        .uponReceiving("a forgotten-password request for a customer's email")
        .withRequest('POST', `${basePath}/forgot-password`, (request) => request.headers(JSON_REQUEST).jsonBody({ email: fromState('email', EXAMPLE_EMAIL) }))
        .willRespondWith(200, (response) =>
          response
            .headers({ 'Content-Type': JSON_TYPE })
            .jsonBody({ status: like('success'), message: like('A link to reset your password has been sent to the registered email') }),
        )
        .executeTest(async (server) => {
          expect(await forgotPassword(`${server.url}${basePath}`, EXAMPLE_EMAIL)).toEqual({
            ok: true,
            message: 'A link to reset your password has been sent to the registered email',
          });
        });
    });

    it("resets the password with the link's token (200)", async () => {
      await current()
        .addInteraction()
        .given('a password reset requested')
        .uponReceiving("a password reset with the link's token and a new password")
        .withRequest('POST', `${basePath}/reset-password`, (request) =>
          request
            .headers(JSON_REQUEST)
            .jsonBody({ password: fromState('password', EXAMPLE_PASSWORD), reset_token: fromState('resetToken', EXAMPLE_RESET_TOKEN) }),
        )
        .willRespondWith(200, (response) =>
          response.headers({ 'Content-Type': JSON_TYPE }).jsonBody({ status: like('success'), message: like('Password Changed successfully') }),
        )
        .executeTest(async (server) => {
          expect(await resetPassword(`${server.url}${basePath}`, EXAMPLE_RESET_TOKEN, EXAMPLE_PASSWORD)).toEqual({
            ok: true,
            message: 'Password Changed successfully',
          });
        });
    });
  });
}
