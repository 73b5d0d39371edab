// The verifier checks common signatures with node:crypto and leaves everything else to jose.jwtVerify: for any
// token, mutated or hand-signed, it must give exactly the answer (and reason) of a verifier that uses jose alone.
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';
import fc from 'fast-check';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Algorithm } from '../src/config.ts';
import { createKeySet, type KeySet } from '../src/keys.ts';
import { createVerifier, type Verifier } from '../src/verify.ts';

const ISSUER = 'http://127.0.0.1/verify-test';
const CLIENT = 'worthmockclient0000000000';
const now = () => Math.floor(Date.now() / 1000);

function verifiers(keys: KeySet): { native: Verifier; jose: Verifier } {
  const options = { keys, issuer: ISSUER, clientId: CLIENT, clockToleranceSeconds: 5, clock: Date.now, isRefreshToken: async () => false };
  return { native: createVerifier(options), jose: createVerifier({ ...options, nativeSignatures: false }) };
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs header.payload with one of the key set's private keys, as the alg says (what our tokens use). */
function signed(keys: KeySet, header: Record<string, unknown>, payload: unknown, which: 'access' | 'id' = 'access'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const jwk = keys[which].privateJwk as JWK;
  if (keys.alg === 'HS256') return `${input}.${createHmac('sha256', Buffer.from(jwk.k as string, 'base64url')).update(input).digest('base64url')}`;
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const signature = keys.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

function claims(use: 'access' | 'id' = 'access'): Record<string, unknown> {
  const t = now();
  return { sub: `cust-${randomUUID()}`, iss: ISSUER, aud: CLIENT, token_use: use, 'custom:role': 'customer', iat: t, exp: t + 600, jti: randomUUID(), origin_jti: randomUUID() };
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
const claimEdits = fc.dictionary(
  fc.constantFrom('exp', 'iat', 'nbf', 'iss', 'sub', 'token_use', 'aud', 'jti', 'origin_jti'),
  fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(now() + 600, now() - 600, now() + 3, now() - 3, ISSUER, 'access', 'id', CLIENT, '')),
  { maxKeys: 3 },
);
/** One change to a sane token (or none). */
type Mutation =
  | { kind: 'none' }
  | { kind: 'header'; edit: Record<string, unknown> }
  | { kind: 'claims'; edit: Record<string, unknown> }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'respell'; spelling: string };

/** Ways to spell (or break) a compact token around its three parts. */
const respelling = fc.constantFrom('h.p.s', 'h.p.s=', 'h=.p.s', 'h.p.sA', 'h.p.sAA', 'h.p.sAAA', 'hA.p.s', 'hAA.p.s', 'h.pAAA.s', 'h.p.', '.p.s', 'h.p', 'h.p.s.x', 'h+.p.s', 'h.p.s/', 'h..s');

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  { arbitrary: headerEdits.map((edit) => ({ kind: 'header' as const, edit })), weight: 2 },
  { arbitrary: claimEdits.map((edit) => ({ kind: 'claims' as const, edit })), weight: 2 },
  { arbitrary: fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 6 }) }).map((f) => ({ kind: 'flip' as const, ...f })), weight: 2 },
  { arbitrary: respelling.map((spelling) => ({ kind: 'respell' as const, spelling })), weight: 1 },
);

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
          if (m.kind === 'header') for (const [name, value] of Object.entries(m.edit)) header[name === 'extra' ? `x${value}` : name] = value === 'KID' ? keys[which].kid : value;
          const payload = { ...claims(which), ...(m.kind === 'claims' ? m.edit : {}) };
          let token = signed(keys, header, payload, which);
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
      { numRuns: Number(process.env.VERIFY_RUNS ?? 400) },
    );
    // The property is only worth something if it also saw tokens both accept.
    expect(accepted).toBeGreaterThan(10);
  });
});
