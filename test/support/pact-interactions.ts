/** The descriptions of the committed pact's interactions (pacts/customer-web-app-auth-service.json), sorted as Pact sorts them. */
export const ALL_INTERACTIONS: readonly string[] = [
  "a forgotten-password request for a customer's email",
  'a logout with a token whose session was already logged out',
  'a logout with an expired token',
  "a logout with the customer's active session token",
  'a logout with the valid token of a user who is not a customer',
  'a logout without a token',
  "a password reset with the link's token and a new password",
  'a refresh with the refresh token of a session that has logged out',
  'a refresh with the refresh token of an active session',
  'a refresh without a refresh token',
  'a request for a customer user who does not exist',
  "a request for another customer's users",
  "a request for the customer's users",
  'a request to create a customer user with an email another user has',
  'a request to create a new customer user',
  'a sign-in with a wrong password',
  'a sign-in with the right email and password',
  'an acceptance of an invitation with a new password',
];

/** The interactions that name no provider state. */
export const STATELESS: readonly string[] = ['a logout without a token', 'a refresh without a refresh token'];
