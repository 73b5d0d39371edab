/**
 * The tokens this process minted, each with what a check of it answers, found by the token's exact string with no
 * crypto: the seam behind the bench's pooled-token path. A Map keyed by the token hashes the whole ~1 KB string on
 * every lookup (~1 µs a request), so entries are keyed by a number made of the token's last characters (its
 * signature's: random) and a hit must equal the token exactly. Holds `atMost` tokens, forgetting the oldest first (a
 * forgotten token falls back to the signature check); of two tokens with the same key (about one chance in 10^4 among
 * 10,000) the newer one wins.
 */
export class MintedTokens<V> {
  readonly #byKey = new Map<number, { readonly token: string; readonly value: V }>();
  readonly #atMost: number;

  constructor(atMost: number) {
    this.#atMost = atMost;
  }

  /** What was added with the token equal to `token`, or undefined. */
  find(token: string): V | undefined {
    const hit = this.#byKey.get(keyOf(token));
    return hit !== undefined && hit.token === token ? hit.value : undefined;
  }

  add(token: string, value: V): void {
    if (this.#byKey.size >= this.#atMost) this.#byKey.delete(this.#byKey.keys().next().value as number);
    this.#byKey.set(keyOf(token), { token, value });
  }

  clear(): void {
    this.#byKey.clear();
  }
}

/** A small whole number from the last 4 characters of a token, 7 bits each. */
function keyOf(token: string): number {
  const n = token.length;
  return (
    ((token.charCodeAt(n - 1) & 127) << 21) | ((token.charCodeAt(n - 2) & 127) << 14) | ((token.charCodeAt(n - 3) & 127) << 7) | (token.charCodeAt(n - 4) & 127)
  );
}
