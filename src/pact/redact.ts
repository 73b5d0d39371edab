/**
 * Keeps secrets out of verification reports: Pact's mismatch messages quote what the provider answered, and a
 * provider that drifted (a sign-in that lets any password in, a refresh that works after logout) answers tokens.
 */

/** A JWS (three base64url parts) or JWE (five) as JOSE compact serialisation writes them; both start with a `{"` header. */
const COMPACT_JOSE = /eyJ[\w-]*\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?/g;
/** Shorter values could be ordinary words that happen to equal a state value: they are left as they are. */
const SHORTEST_SECRET = 8;

/** Replaces secrets in strings (deep, for objects and arrays); other values are returned as they are. */
export type Redactor = <T>(value: T) => T;

/**
 * A redactor for `secrets` (the values the provider states answered: tokens, passwords) and for every JWS/JWE
 * in sight, each replaced by a placeholder that says what was there.
 */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const known = [...new Set(secrets)].filter((s) => s.length >= SHORTEST_SECRET).sort((a, b) => b.length - a.length);
  const text = (value: string): string => {
    let out = value;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('<provider state value>');
    return out.replace(COMPACT_JOSE, '<token>');
  };
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]));
    return value;
  };
  return <T>(value: T) => deep(value) as T;
}
