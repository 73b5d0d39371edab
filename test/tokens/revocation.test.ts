// How long a logout is remembered: never shorter than the token can still be presented, and always a finite time
// that every store keeps as it is (JSON, a Redis TTL), whatever the token's claims.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claims } from '../../src/tokens/issuer.ts';
import { LATEST_NUMERIC_DATE, refusedFromMs, timeProblem } from '../../src/tokens/numeric-date.ts';
import { revokedUntil } from '../../src/tokens/revocation.ts';

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0, 250);
const NOW = Math.floor(NOW_MS / 1000);

const lifetime = fc.record({ refreshTtlSeconds: fc.integer({ min: 1, max: 10 * 365 * 86400 }), clockToleranceSeconds: fc.integer({ min: 0, max: 3600 }) });
/** A NumericDate the verifier accepts, integer or not, around now. */
const goodTime = fc.oneof(fc.integer({ min: NOW - 86400, max: NOW + 86400 }), fc.double({ min: NOW - 86400, max: NOW + 86400, noNaN: true }));
/** Anything a claim may hold in a token someone crafted. */
const anyValue = fc.oneof(
  goodTime,
  fc.constantFrom(undefined, null, '', String(NOW + 600), -1, 0, LATEST_NUMERIC_DATE, LATEST_NUMERIC_DATE + 1, 1e300, Infinity, -Infinity, NaN),
  fc.jsonValue({ maxDepth: 1 }),
);

function claimsOf(times: Record<string, unknown>): Claims {
  return { sub: 'cust-1', jti: 'j', origin_jti: 's', token_use: 'access', ...times } as Claims;
}

describe('revokedUntil', () => {
  it('outlives every moment the verifier still accepts the token: the last presentable millisecond is revoked, the first refused one is where it may end', () => {
    fc.assert(
      fc.property(goodTime, fc.option(goodTime, { nil: undefined }), fc.boolean(), lifetime, (exp, authTime, signIn, life) => {
        fc.pre(exp * 1000 > NOW_MS - life.clockToleranceSeconds * 1000);
        const claims = claimsOf({ exp, iat: NOW - 10, ...(authTime === undefined ? {} : { auth_time: authTime }) });
        const until = revokedUntil(claims, signIn, NOW_MS, life);
        const refusedFrom = refusedFromMs(exp, life.clockToleranceSeconds);
        // The verifier (whole seconds, jose's rule) accepts the token one millisecond before refusedFrom, and not at it.
        expect(timeProblem(claims, refusedFrom - 1, life.clockToleranceSeconds)).toBeUndefined();
        expect(timeProblem(claims, refusedFrom, life.clockToleranceSeconds)).toBe('token expired');
        expect(until).toBeGreaterThanOrEqual(refusedFrom);
        expect(Number.isInteger(until)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is a finite whole number after now, the same after a JSON round trip, whatever the claims hold', () => {
    fc.assert(
      fc.property(
        fc.record({ exp: anyValue, auth_time: anyValue, iat: anyValue, nbf: anyValue }, { requiredKeys: [] }),
        fc.boolean(),
        lifetime,
        (times, signIn, life) => {
          const until = revokedUntil(claimsOf(times), signIn, NOW_MS, life);
          expect(Number.isSafeInteger(until), String(until)).toBe(true);
          expect(until).toBeGreaterThan(NOW_MS);
          expect(JSON.parse(JSON.stringify({ u: until })).u).toBe(until);
          expect(Number.isNaN(new Date(until).getTime())).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a fractional exp', { exp: NOW + 10.5 }, false, (NOW + 11) * 1000],
    ['a lone token without exp (the verifier refuses it; a caller may not)', {}, false, NOW_MS + 3600 * 1000],
    ['exp 1e400, parsed as Infinity', { exp: Infinity }, false, NOW_MS + 3600 * 1000],
    ['a sign-in: until its refresh token expires', { exp: NOW + 60, auth_time: NOW - 10 }, true, (NOW - 10 + 3600) * 1000],
  ])('%s', (_name, times, signIn, want) => {
    expect(revokedUntil(claimsOf(times), signIn, NOW_MS, { refreshTtlSeconds: 3600, clockToleranceSeconds: 0 })).toBe(want);
  });

  it('a clock that tells no time (the verifier then refuses every token): remembered until the latest NumericDate, in ms', () => {
    const life = { refreshTtlSeconds: 3600, clockToleranceSeconds: 0 };
    for (const nowMs of [Number.NaN, Number.POSITIVE_INFINITY])
      expect(revokedUntil(claimsOf({ exp: NOW + 60 }), true, nowMs, life)).toBe(LATEST_NUMERIC_DATE * 1000);
  });
});

describe('a sign-in refreshed at its refresh token’s last moment', () => {
  it('stays logged out until the token that refresh minted has expired (one token ttl past the refresh end)', () => {
    // Signed in 3599 s ago with a 3600 s refresh token: a refresh now mints tokens valid 60 s more.
    const claims = claimsOf({ exp: NOW + 59, auth_time: NOW - 3599 });
    const refreshedExpMs = (NOW + 60) * 1000;
    const until = revokedUntil(claims, true, NOW_MS, { refreshTtlSeconds: 3600, tokenTtlSeconds: 60, clockToleranceSeconds: 0 });
    expect(until).toBeGreaterThanOrEqual(refreshedExpMs);
    expect(until).toBe((NOW - 3599 + 3600 + 60) * 1000);
  });
});
