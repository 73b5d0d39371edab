// Apart from tokens.ts so that the CLI can offer the kinds without loading jose (~66 ms at start).

/** The kinds of token `issueToken` makes: one valid, the rest canned bad ones for QA. */
export const TOKEN_KINDS = ['valid', 'expired', 'not-yet-valid', 'bad-signature', 'alg-none', 'wrong-issuer', 'non-customer', 'refresh-as-bearer'] as const;
/** A token kind. */
export type TokenKind = (typeof TOKEN_KINDS)[number];
