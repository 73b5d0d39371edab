// The verifier checks common signatures with node:crypto and leaves everything else to jose.jwtVerify: for any
// token, mutated or hand-signed, it must give exactly the answer (and reason) of a verifier that uses jose alone.
import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import fc from 'fast-check';
import { type CryptoKey, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Algorithm } from '../../src/config/config.ts';
import { createKeySet, type KeySet } from '../../src/tokens/keys.ts';
import { LATEST_NUMERIC_DATE } from '../../src/tokens/numeric-date.ts';
import { createTokenVerifier, type TokenVerifier } from '../../src/tokens/token-verifier.ts';
import { propertyRuns } from '../support/mutation.ts';

const ISSUER = 'http://127.0.0.1/verify-test';
const CLIENT = 'worthmockclient0000000000';
const now = () => Math.floor(Date.now() / 1000);

function verifiers(keys: KeySet): { native: TokenVerifier; jose: TokenVerifier } {
  const options = { keys, issuer: ISSUER, clientId: CLIENT, clockToleranceSeconds: 5, clock: Date.now, isRefreshToken: async () => false };
  return { native: createTokenVerifier(options), jose: createTokenVerifier({ ...options, nativeSignatures: false }) };
}

/** Signs header.payload with one of the key set's private keys, as the alg says (what our tokens use). */
function signed(keys: KeySet, header: Record<string, unknown>, payload: unknown, which: 'access' | 'id' = 'access'): string {
  return signedBytes(keys, Buffer.from(JSON.stringify(header)), Buffer.from(claimsJson(payload)), which);
}

/** Stand-ins for what JSON.stringify cannot write: ±1e400 (JSON.parse reads them as ±Infinity), and a claim left out. */
const INF = '\u0000inf';
const NEG_INF = '\u0000-inf';
const DROP = '\u0000drop';

/** The JSON text of a claims set, with the stand-ins above written as a parser will meet them. */
function claimsJson(payload: unknown): string {
  return JSON.stringify(payload, (_key, value) => (value === DROP ? undefined : value))
    .replaceAll(JSON.stringify(INF), '1e400')
    .replaceAll(JSON.stringify(NEG_INF), '-1e400');
}

function claims(use: 'access' | 'id' = 'access'): Record<string, unknown> {
  const t = now();
  return {
    sub: `cust-${randomUUID()}`,
    iss: ISSUER,
    aud: CLIENT,
    token_use: use,
    'custom:role': 'customer',
    iat: t,
    exp: t + 600,
    jti: randomUUID(),
    origin_jti: randomUUID(),
  };
}

const headerEdits = fc.record(
  {
    alg: fc.constantFrom('RS256', 'ES256', 'HS256', 'none', 'RS512', 'rs256', 7),
    kid: fc.oneof(fc.constant('KID'), fc.constant('OTHER-KID'), fc.string({ maxLength: 4 }), fc.constant(null)),
    typ: fc.constantFrom('JWT', 'jwt', 'at+jwt', 'JOSE', 1),
    crit: fc.constantFrom(['b64'], ['exp'], [], 'b64'),
    b64: fc.boolean(),
    jku: fc.constant('http://127.0.0.1:9/keys'),
    extra: fc.string({ maxLength: 3 }),
  },
  { requiredKeys: [] },
);
/** Values a NumericDate claim may be given: good times, times as strings, other types, out of range, non-finite (INF), absent (DROP). */
const numericDateValues = (t: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: t - 1000, max: t + 1000 }) },
    { weight: 2, arbitrary: fc.constantFrom(t + 600, t - 600, t + 3, t - 3, t + 0.5, t - 0.5, 0, LATEST_NUMERIC_DATE, DROP) },
    { weight: 1, arbitrary: fc.constantFrom(-1, LATEST_NUMERIC_DATE + 1, 1e20, INF, NEG_INF) },
    { weight: 1, arbitrary: fc.constantFrom(String(t - 60), String(t + 600), '', null, true, [t], { t }) },
  );
const numericDateValue = numericDateValues(now());
const claimEdits = fc.dictionary(
  fc.constantFrom('exp', 'iat', 'nbf', 'auth_time', 'iss', 'sub', 'token_use', 'aud', 'jti', 'origin_jti'),
  fc.oneof(
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom(now() + 600, now() - 600, now() + 3, now() - 3, ISSUER, 'access', 'id', CLIENT, ''),
    numericDateValue,
  ),
  { maxKeys: 3 },
);
/** One change to a sane token (or none). */
type Mutation =
  | { kind: 'none' }
  | { kind: 'header'; edit: Record<string, unknown> }
  | { kind: 'claims'; edit: Record<string, unknown> }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'respell'; spelling: string }
  | { kind: 'bytes'; where: 'header' | 'payload'; byte: number };

/** Ways to spell (or break) a compact token around its three parts. */
const respelling = fc.constantFrom(
  'h.p.s',
  'h.p.s=',
  'h=.p.s',
  'h.p.sA',
  'h.p.sAA',
  'h.p.sAAA',
  'hA.p.s',
  'hAA.p.s',
  'h.pAAA.s',
  'h.p.',
  '.p.s',
  'h.p',
  'h.p.s.x',
  'h+.p.s',
  'h.p.s/',
  'h..s',
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  { arbitrary: headerEdits.map((edit) => ({ kind: 'header' as const, edit })), weight: 2 },
  { arbitrary: claimEdits.map((edit) => ({ kind: 'claims' as const, edit })), weight: 2 },
  { arbitrary: fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 6 }) }).map((f) => ({ kind: 'flip' as const, ...f })), weight: 2 },
  { arbitrary: respelling.map((spelling) => ({ kind: 'respell' as const, spelling })), weight: 1 },
  // Bytes that are not UTF-8 inside a string, under a valid signature: jose refuses such a part outright.
  {
    arbitrary: fc
      .record({ where: fc.constantFrom('header' as const, 'payload' as const), byte: fc.constantFrom(0xff, 0xc3, 0x80, 0xed) })
      .map((b) => ({ kind: 'bytes' as const, ...b })),
    weight: 1,
  },
);

/** Signs raw header and payload bytes (which need not be valid UTF-8) as the key set's alg does. */
function signedBytes(keys: KeySet, header: Buffer, payload: Buffer, which: 'access' | 'id'): string {
  const input = `${header.toString('base64url')}.${payload.toString('base64url')}`;
  const jwk = keys[which].privateJwk as JWK;
  if (keys.alg === 'HS256')
    return `${input}.${createHmac('sha256', Buffer.from(jwk.k as string, 'base64url'))
      .update(input)
      .digest('base64url')}`;
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const signature = keys.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

/** `{"k":"x<byte>y", …rest}`: the JSON of `value` with one more string member holding a raw byte. */
function withRawByte(value: Record<string, unknown>, name: string, byte: number): Buffer {
  return Buffer.concat([Buffer.from(`{"${name}":"x`), Buffer.from([byte]), Buffer.from(`y",${claimsJson(value).slice(1)}`)]);
}

describe('keys jose would not verify with', () => {
  it.each([
    [
      'an empty HS256 secret',
      async (): Promise<KeySet> => {
        const empty = (kid: string) => ({ kid, sign: new Uint8Array(0), verify: new Uint8Array(0), privateJwk: { kty: 'oct', k: '', kid } });
        return { alg: 'HS256', access: empty('a'), id: empty('b'), refreshSecret: new Uint8Array(32), jwks: { keys: [] } };
      },
    ],
    [
      'a 1024-bit RSA key',
      async (): Promise<KeySet> => {
        const small = async (kid: string) => {
          const privateJwk = { ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256' };
          const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
          return { kid, sign: (await importJWK(privateJwk, 'RS256')) as CryptoKey, verify: (await importJWK(publicJwk, 'RS256')) as CryptoKey, privateJwk };
        };
        return { alg: 'RS256', access: await small('a'), id: await small('b'), refreshSecret: new Uint8Array(32), jwks: { keys: [] } };
      },
    ],
  ])('%s: a token it signed is refused both ways, for the same reason', async (_, make) => {
    const keys = await make();
    const { native, jose } = verifiers(keys);
    const token = signed(keys, { alg: keys.alg, kid: keys.access.kid, typ: 'JWT' }, claims());
    const [fast, slow] = await Promise.all([native.verify(token), jose.verify(token)]);
    expect(slow.ok).toBe(false);
    expect(fast).toEqual(slow);
  });
});

describe.each<Algorithm>(['RS256', 'ES256', 'HS256'])('%s: node:crypto where it can, jose where it must', (alg) => {
  it('a sane token is accepted with its claims, by both', async () => {
    const keys = await createKeySet(alg);
    const { native, jose } = verifiers(keys);
    for (const which of ['access', 'id'] as const) {
      const payload = claims(which);
      const token = signed(keys, { alg, kid: keys[which].kid, typ: 'JWT' }, payload, which);
      const result = await native.verify(token);
      expect(result).toEqual({ ok: true, claims: payload });
      expect(await jose.verify(token)).toEqual(result);
    }
  });

  it('any header, claims, bit flip or respelling: the same verdict and reason as jose alone', async () => {
    const keys = await createKeySet(alg);
    const { native, jose } = verifiers(keys);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom('access' as const, 'id' as const), async (m, which) => {
        const header: Record<string, unknown> = { alg, kid: keys[which].kid, typ: 'JWT' };
        if (m.kind === 'header')
          for (const [name, value] of Object.entries(m.edit)) header[name === 'extra' ? `x${value}` : name] = value === 'KID' ? keys[which].kid : value;
        const payload = { ...claims(which), ...(m.kind === 'claims' ? m.edit : {}) };
        // A raw byte in the header rides on a duplicate kid that JSON.parse overwrites with the real one.
        let token =
          m.kind === 'bytes'
            ? signedBytes(
                keys,
                m.where === 'header' ? withRawByte(header, 'kid', m.byte) : Buffer.from(JSON.stringify(header)),
                m.where === 'payload' ? withRawByte(payload, 'note', m.byte) : Buffer.from(claimsJson(payload)),
                which,
              )
            : signed(keys, header, payload, which);
        if (m.kind === 'respell') {
          const [h, p, s] = token.split('.') as [string, string, string];
          token = m.spelling.replace(/[hps]/g, (c) => ({ h, p, s })[c] as string);
        }
        if (m.kind === 'flip') {
          const at = m.at % token.length;
          token = `${token.slice(0, at)}${String.fromCharCode(token.charCodeAt(at) ^ (1 << m.bit))}${token.slice(at + 1)}`;
        }
        const [fast, slow] = await Promise.all([native.verify(token), jose.verify(token)]);
        expect(fast, JSON.stringify(m)).toEqual(slow);
        if (fast.ok) accepted++;
      }),
      // VERIFY_RUNS=5000 for a deeper search (45,000 cases agreed before this was committed).
      { numRuns: Number(process.env.VERIFY_RUNS ?? propertyRuns(400)) },
    );
    // The property is only worth something if it also saw tokens both accept.
    expect(accepted).toBeGreaterThan(10);
  });
});

describe('NumericDate claims (exp, nbf, iat, auth_time): one verdict and one reason that names the claim, on both paths', () => {
  const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0, 250);
  const NOW = Math.floor(NOW_MS / 1000);
  const TOLERANCE = 5;
  const TIMES = ['exp', 'nbf', 'iat', 'auth_time'] as const;

  function frozen(keys: KeySet, clock: () => number = () => NOW_MS): { native: TokenVerifier; jose: TokenVerifier } {
    const options = { keys, issuer: ISSUER, clientId: CLIENT, clockToleranceSeconds: TOLERANCE, clock, isRefreshToken: async () => false };
    return { native: createTokenVerifier(options), jose: createTokenVerifier({ ...options, nativeSignatures: false }) };
  }

  function sane(): Record<string, unknown> {
    return { ...claims(), iat: NOW - 10, exp: NOW + 600, auth_time: NOW - 10 };
  }

  /** What a careful reader of RFC 7519 expects, worked out apart from the verifier: the malformed claim, or the failed time check, or none. */
  function expected(payload: Record<string, unknown>): { malformed?: string; time?: RegExp } {
    for (const name of TIMES) {
      const value = payload[name];
      if (value === DROP || value === undefined) {
        if (name === 'exp') return { malformed: name };
        continue;
      }
      const number = value === INF ? Number.POSITIVE_INFINITY : value === NEG_INF ? Number.NEGATIVE_INFINITY : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || number < 0 || number > LATEST_NUMERIC_DATE) return { malformed: name };
    }
    const [nbf, exp, iat] = [payload.nbf, payload.exp, payload.iat] as [number | undefined, number, number | undefined];
    if (nbf !== undefined && nbf > NOW + TOLERANCE) return { time: /not yet valid \(nbf\)/ };
    if (exp <= NOW - TOLERANCE) return { time: /expired/ };
    if (iat !== undefined && iat > NOW + TOLERANCE) return { time: /issued in the future \(iat\)/ };
    return {};
  }

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no exp (with iat, no jti, no origin_jti)', { exp: DROP, jti: DROP, origin_jti: DROP }, /^token has no exp claim/],
    ['iat a string of a time 60 s ago', { iat: String(NOW - 60) }, /^token claim iat is malformed: not a NumericDate/],
    ['exp a string of a time ahead', { exp: String(NOW + 600) }, /^token claim exp is malformed: not a NumericDate/],
    ['nbf null', { nbf: null }, /^token claim nbf is malformed: not a NumericDate/],
    ['auth_time a string', { auth_time: 'yesterday' }, /^token claim auth_time is malformed: not a NumericDate/],
    ['exp 1e400 (Infinity once parsed)', { exp: INF }, /^token claim exp is malformed: out of range/],
    ['nbf -1e400 (-Infinity once parsed)', { nbf: NEG_INF }, /^token claim nbf is malformed: out of range/],
    ['exp past year 9999', { exp: LATEST_NUMERIC_DATE + 1 }, /^token claim exp is malformed: out of range/],
    ['iat negative', { iat: -1 }, /^token claim iat is malformed: out of range/],
    ['auth_time 1e20', { auth_time: 1e20 }, /^token claim auth_time is malformed: out of range/],
  ])('%s: refused by both paths, the reason naming what is wrong', async (_name, edit, reason) => {
    const keys = await createKeySet('RS256');
    const { native, jose } = frozen(keys);
    const token = signed(keys, { alg: 'RS256', kid: keys.access.kid, typ: 'JWT' }, { ...sane(), ...edit });
    const [fast, slow] = await Promise.all([native.verify(token), jose.verify(token)]);
    expect(slow).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    expect(fast).toEqual(slow);
  });

  // RFC 7519 §4.1.4 (exp: not accepted on or after it) and §4.1.5 (nbf: not before it), each widened by the tolerance.
  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['nbf exactly the tolerance ahead', { nbf: NOW + TOLERANCE }, undefined],
    ['nbf a second past the tolerance', { nbf: NOW + TOLERANCE + 1 }, 'token is not yet valid (nbf)'],
    ['exp a second inside the tolerance', { exp: NOW - TOLERANCE + 1 }, undefined],
    ['exp exactly the tolerance ago', { exp: NOW - TOLERANCE }, 'token expired'],
    ['iat exactly the tolerance ahead', { iat: NOW + TOLERANCE }, undefined],
    ['iat a second past the tolerance', { iat: NOW + TOLERANCE + 1 }, 'token was issued in the future (iat)'],
  ])('at the edge of the clock tolerance (5 s), %s: both paths agree', async (_name, edit, reason) => {
    const keys = await createKeySet('RS256');
    const { native, jose } = frozen(keys);
    const token = signed(keys, { alg: 'RS256', kid: keys.access.kid, typ: 'JWT' }, { ...sane(), ...edit });
    const [fast, slow] = await Promise.all([native.verify(token), jose.verify(token)]);
    expect(slow).toEqual(reason === undefined ? expect.objectContaining({ ok: true }) : { ok: false, reason });
    expect(fast).toEqual(slow);
  });

  it('an expired token with a correct signature is refused on the jose path too (jose alone, and forced there by an extra header field)', async () => {
    const keys = await createKeySet('RS256');
    const { native, jose } = frozen(keys);
    const payload = { ...sane(), iat: NOW - 3600, exp: NOW - 60 };
    const plainToken = signed(keys, { alg: 'RS256', kid: keys.access.kid, typ: 'JWT' }, payload);
    // `cty` is a header field the node:crypto path does not take: the token goes to jwtVerify.
    const joseBound = signed(keys, { alg: 'RS256', kid: keys.access.kid, typ: 'JWT', cty: 'JWT' }, payload);
    expect(await jose.verify(plainToken)).toEqual({ ok: false, reason: 'token expired' });
    expect(await native.verify(joseBound)).toEqual({ ok: false, reason: 'token expired' });
    expect(await jose.verify(joseBound)).toEqual({ ok: false, reason: 'token expired' });
    expect(await native.verify(plainToken)).toEqual({ ok: false, reason: 'token expired' });
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a time no Date holds', 1e17],
  ])('a clock that returns %s refuses every token, on every path, as jose would', async (_name, value) => {
    const keys = await createKeySet('RS256');
    const { native, jose } = frozen(keys, () => value);
    const token = signed(keys, { alg: 'RS256', kid: keys.access.kid, typ: 'JWT' }, sane());
    // A minted token is known by its string and skips the signature check: it must be refused all the same.
    native.remember({ token, claims: sane() as never, idToken: 'not-used', idClaims: sane() as never });
    for (const result of [await native.verify(token), await jose.verify(token)]) {
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/clock/) });
    }
  });

  it.each<Algorithm>(['RS256', 'ES256', 'HS256'])('%s: any values of the four claims: the verdict RFC 7519 gives, the same on both paths', async (alg) => {
    const keys = await createKeySet(alg);
    const { native, jose } = frozen(keys);
    const times = numericDateValues(NOW);
    let accepted = 0;
    let malformed = 0;
    await fc.assert(
      fc.asyncProperty(fc.record({ exp: times, nbf: times, iat: times, auth_time: times }, { requiredKeys: [] }), async (edit) => {
        const payload = { ...sane(), nbf: DROP, ...edit };
        const token = signed(keys, { alg, kid: keys.access.kid, typ: 'JWT' }, payload);
        const [fast, slow] = await Promise.all([native.verify(token), jose.verify(token)]);
        const what = claimsJson(edit);
        expect(fast, what).toEqual(slow);
        const want = expected(payload);
        if (want.malformed) {
          malformed++;
          const absent = payload.exp === DROP || payload.exp === undefined;
          const reason = absent ? /^token has no exp claim/ : new RegExp(`^token claim ${want.malformed} is malformed`);
          expect(slow, what).toEqual({ ok: false, reason: expect.stringMatching(reason) });
        } else if (want.time) {
          expect(slow, what).toEqual({ ok: false, reason: expect.stringMatching(want.time) });
        } else {
          expect(slow.ok, `${what}: ${slow.ok ? '' : slow.reason}`).toBe(true);
          accepted++;
        }
      }),
      { numRuns: Number(process.env.VERIFY_RUNS ?? propertyRuns(300)) },
    );
    expect(accepted).toBeGreaterThan(5);
    expect(malformed).toBeGreaterThan(5);
  });
});
