/** How many instants isoInstant remembers before it starts afresh. */
const REMEMBERED_AT_MOST = 1024;
const remembered = new Map<number, string>();

/**
 * An instant (ms since the epoch) as RFC 3339 / ISO 8601 text, `2026-12-07T22:29:33.000Z`, as the user pages'
 * `created_at` and `updated_at` give it. Throws RangeError for an instant a Date cannot hold (as `toISOString` does).
 *
 * A tuning, behind this seam: the same few instants (a customer's, its users') are formatted on every read, and
 * `new Date(ms).toISOString()` four times a request was 10% of the mock's busy time on the bench's
 * `get-customer-user` path. The last 1 024 instants' texts are remembered; past that the memory starts afresh.
 * Guarded by `npm run bench -- --paths get-customer-users,get-customer-user` and test/users/iso-instant.test.ts.
 */
export function isoInstant(ms: number): string {
  let text = remembered.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (remembered.size >= REMEMBERED_AT_MOST) remembered.clear();
    remembered.set(ms, text);
  }
  return text;
}
