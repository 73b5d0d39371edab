// The minted-token lookup behind the pooled-token bench path (src/tokens/minted-tokens.ts): a token is found only by
// its exact string, even when another token shares its last characters, and the oldest is forgotten first.
import { describe, expect, it } from 'vitest';
import { MintedTokens } from '../../src/tokens/minted-tokens.ts';

describe('MintedTokens', () => {
  it('finds a token by its exact string, not one that shares its last four characters', () => {
    const minted = new MintedTokens<string>(10);
    minted.add('aaaa.bbbb.WXYZ', 'first');
    expect(minted.find('aaaa.bbbb.WXYZ')).toBe('first');
    expect(minted.find('zzzz.bbbb.WXYZ')).toBeUndefined();
    expect(minted.find('aaaa.bbbb.WXYz')).toBeUndefined();
  });

  it('of two tokens with the same last characters, the newer one is found and the older one is not', () => {
    const minted = new MintedTokens<string>(10);
    minted.add('older.token.ABCD', 'older');
    minted.add('newer.token.ABCD', 'newer');
    expect([minted.find('older.token.ABCD'), minted.find('newer.token.ABCD')]).toEqual([undefined, 'newer']);
  });

  it('holds at most its bound, forgetting the oldest first; clear() forgets all', () => {
    const minted = new MintedTokens<number>(3);
    const tokens = ['t.0.AAAA', 't.1.BBBB', 't.2.CCCC', 't.3.DDDD'];
    for (const [i, token] of tokens.entries()) minted.add(token, i);
    expect(tokens.map((token) => minted.find(token))).toEqual([undefined, 1, 2, 3]);
    minted.clear();
    expect(tokens.map((token) => minted.find(token))).toEqual([undefined, undefined, undefined, undefined]);
  });
});
