import { MatchersV3 } from '@pact-foundation/pact';

// The pieces the consumer pact's interactions are written with: the example values Pact shows (the verifier sends
// the provider state's values instead), and matchers as strict as the contract — the fields the app reads, with
// their types, and nothing it leaves open.
const { fromProviderState, like, regex } = MatchersV3;

// Examples only: the verifier replaces them with the values the provider state returns.
export const EXAMPLE_TOKEN = 'eyJraWQiOiJleGFtcGxlIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJjdXN0LWV4YW1wbGUiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl';
export const EXAMPLE_ID_TOKEN = 'eyJraWQiOiJleGFtcGxlIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJjdXN0LWV4YW1wbGUiLCJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl';
export const EXAMPLE_REFRESH_TOKEN = 'example-refresh-token';
export const EXAMPLE_EMAIL = 'customer@example.com';
export const EXAMPLE_PASSWORD = 'password-from-provider-state';
export const EXAMPLE_CUSTOMER_ID = '00000000-0000-4000-8000-000000000003';
export const EXAMPLE_INVITE_TOKEN = 'example-invitation-token';
export const EXAMPLE_RESET_TOKEN = 'example-reset-token';

/** A JSON `Content-Type`, with or without parameters. */
export const JSON_TYPE = regex('^application/json(\\s*;.*)?$', 'application/json');
/** The request headers of a JSON body. */
export const JSON_REQUEST = { 'Content-Type': 'application/json' };

/** The provider state's value `name` (Pact's `${name}` expression), `example` in the pact. */
export const fromState = (name: string, example: string) => fromProviderState(`\${${name}}`, example);

/** `Authorization: Bearer <the state's value name>` (the sign-in states' access `token`, or the web app's `idToken`). */
export const bearerFromState = (name = 'token', example = EXAMPLE_TOKEN) => ({ Authorization: fromProviderState(`Bearer \${${name}}`, `Bearer ${example}`) });

/**
 * A path under `basePath` whose `{name}`s are provider-state values: `pathFromState(BASE, '/customers/{customerId}/users',
 * { customerId: '…' })` — Pact's expression (`${customerId}`) for the verifier, the path with the examples for the
 * consumer test.
 */
export function pathFromState(basePath: string, template: string, examples: Readonly<Record<string, string>>) {
  const expression = template.replace(/\{(\w+)\}/g, (_whole, name: string) => `\${${name}}`);
  const example = template.replace(/\{(\w+)\}/g, (_whole, name: string) => examples[name] ?? name);
  return fromProviderState(`${basePath}${expression}`, `${basePath}${example}`);
}

/** The shared error body the app reads: `message` and `errorCode`, strings. */
export const errorBody = (message: string, errorCode: string) => ({ message: like(message), errorCode: like(errorCode) });

/** The error body of the user-management pages (`status`, `message`, `errorCode`, `data.errorName`), strings. */
export const pageErrorBody = (message: string, errorCode: string) => ({
  status: like('fail'),
  message: like(message),
  errorCode: like(errorCode),
  data: { errorName: like('CustomersApiError') },
});

/** An array of strings like `example`, possibly empty (the contract requires no item); the example shows one. */
export const stringsLike = (example: string) => ({ 'pact:matcher:type': 'type', min: 0, value: [example] }) as unknown as MatchersV3.Matcher<string[]>;

/**
 * A whole number written as a string (the list's `total_items`): a string by type AND digits by regex — Pact's regex
 * alone also takes the number 1, which the app cannot read as the page's string.
 */
export const countInString = (example: string) =>
  ({
    'pact:matcher:type': [{ 'pact:matcher:type': 'type' }, { 'pact:matcher:type': 'regex', regex: '^\\d+$' }],
    value: example,
  }) as unknown as MatchersV3.Matcher<string>;
