import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, METHODS, type OutgoingHttpHeaders, request, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { base64url, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mock } from '../../src/mock.ts';
import { TOKEN_KINDS } from '../../src/tokens/issuer.ts';
import { hsWithPublicKey, keysOf, signRaw, strangerKey, unsigned } from '../support/crafted.ts';
import { type Answer, logout, mockOn, specValidator, violations } from '../support/mock.ts';
import { propertyRuns } from '../support/mutation.ts';

/**
 * Property-based fuzzing of the whole HTTP surface against the spec: whatever a client sends, the
 * contract path answers a documented, schema-valid response, the rest a plain 404/405 (or a control
 * answer), every answer arrives within BOUND_MS (a hang detector, not a speed test), and the mock
 * keeps serving a real client afterwards.
 */

// Generous on purpose: a hang detector on a shared 2-core machine, not a speed test.
const BOUND_MS = 5_000;
const ISSUER = 'https://issuer.worth-auth-mock.test';
const DOCUMENTED = [200, 400, 401, 403, 500];

let dir: string;
let mock: Mock;
let twin: Mock;
let logoutPath: string;
let keys: { access: JWK; id: JWK };
let agent: Agent;
let lure: Server;
let lureUrl: string;
const lureHits: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-'));
  const keyFile = join(dir, 'keys.json');
  mock = await mockOn({ keyFile, issuer: ISSUER });
  // Same keys and issuer, but it minted nothing: it checks every token by its signature.
  twin = await mockOn({ keyFile, issuer: ISSUER });
  keys = await keysOf(keyFile);
  logoutPath = new URL(mock.urls.logout).pathname;
  agent = new Agent({ keepAlive: true, maxSockets: 4 });
  // A server that `jku`/`x5u`/`x5c` headers point at: the mock must never fetch keys from a token's say-so.
  lure = createServer((req, res) => {
    lureHits.push(`${req.method} ${req.url}`);
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => lure.listen(0, '127.0.0.1', resolve));
  lureUrl = `http://127.0.0.1:${(lure.address() as AddressInfo).port}/jwks.json`;
  await specValidator();
});

afterAll(async () => {
  agent?.destroy();
  await Promise.all([mock?.close(), twin?.close(), new Promise((resolve) => lure?.close(resolve))]);
  await rm(dir, { recursive: true, force: true });
});

/** What one request got: an answer, or why there was none. */
type Outcome = { answer?: Answer; timedOut: boolean; error?: string };

/**
 * Sends one request with node:http (any method, duplicated headers, latin-1 values) and waits at most BOUND_MS for
 * the whole answer. A body always goes with its Content-Length, as every real client frames it: node:http itself
 * sends the body of an OPTIONS or DELETE with neither Content-Length nor chunking, so the server reads those bytes
 * as the next request on the connection (RFC 9112 §6.3) and its 400 for them reached whatever request this keep-alive
 * agent sent next (the 400s once seen for a PATCH or an OPTIONS).
 */
function send(target: Mock, method: string, path: string, headers: OutgoingHttpHeaders, body?: string): Promise<Outcome> {
  if (body !== undefined) headers = { ...headers, 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request({ host: '127.0.0.1', port: target.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => done({ timedOut: false, error: error.message }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: kept as text, which the validator rejects on the contract path
        }
        const pairs = Object.entries(res.headers).map(([name, value]): [string, string] => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]);
        done({ timedOut: false, answer: { status: res.statusCode ?? 0, headers: new Headers(pairs), body: parsed, text } });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ timedOut: true });
    }, BOUND_MS);
    req.on('error', (error) => done({ timedOut: false, error: `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` }));
    req.end(body);
  });
}

/** A real client, on its own connection, can still log out. */
async function stillServes(target: Mock): Promise<void> {
  const { token } = await target.issueToken();
  const answer = await logout(target, { token });
  expect(answer.status, answer.text).toBe(200);
}

/** The answer must exist, have come within the bound, and satisfy the contract when it is on the contract path. */
async function expectContractAnswer(outcome: Outcome, what: string): Promise<Answer> {
  expect(outcome.timedOut, `no answer within ${BOUND_MS} ms: ${what}`).toBe(false);
  expect(outcome.error, what).toBeUndefined();
  const answer = outcome.answer as Answer;
  expect(await violations(answer), `${answer.status} ${answer.text} ← ${what}`).toEqual([]);
  expect(answer.headers.get('cache-control'), what).toBe('no-store');
  return answer;
}

const headerChar = fc
  .oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
  )
  .map((code) => String.fromCharCode(code));
/** Header values as a client may send them: printable ASCII, tabs and obs-text (latin-1). */
const headerValue = fc.string({ unit: headerChar, maxLength: 120 });

const overrides = fc.constantFrom(
  'code=200',
  'code=401',
  'code=403',
  'code=418',
  'code=abc',
  'code=',
  'delay=5',
  'delay=abc',
  'delay=-1',
  'delay=99999999',
  'code=500, delay=3',
  'respond-async, wait=1',
  'return=minimal',
);
const queries = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?__code=200', '?__code=403', '?__code=999', '?__code=%00', '?__delay=2', '?__delay=600001', '?__code=401&__code=200', '?', '?&&=', '?a=%zz'),
  fc
    .webQueryParameters()
    .filter((q) => !/__delay/i.test(q))
    .map((q) => `?${q}`),
);

/** Anything a client may put in Authorization: real tokens of every kind, junk, other schemes, none. */
const authorization = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TOKEN_KINDS, 'id-token' as const).map((kind) => ({ kind })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: headerValue.map((value) => ({ kind: 'raw' as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Digest', 'Bearer\t', ''), headerValue)
      .map(([scheme, rest]) => ({ kind: 'raw' as const, value: `${scheme} ${rest}` })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'twice' as const }) },
);

const headerNames = fc.constantFrom(
  'prefer',
  'content-type',
  'origin',
  'x-mock-session',
  'cookie',
  'expect',
  'accept',
  'accept-encoding',
  'content-encoding',
  'access-control-request-method',
  'access-control-request-headers',
  'access-control-request-private-network',
  'x-forwarded-for',
  'user-agent',
  'x-mock-admin-token',
  'if-none-match',
  'range',
  'te',
  'x-http-method-override',
);
const extraHeaders = fc.dictionary(
  headerNames,
  fc.oneof(
    headerValue,
    overrides,
    fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', '100-continue', 'whatever', 'mock_session=a; mock_session=%E0'),
  ),
  { maxKeys: 5 },
);

const bodies = fc.option(
  fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '{"a":', '[]', 'null', '\u0000', '{"refreshToken":"x"}'),
    fc.string({ unit: 'binary', maxLength: 100 }),
  ),
  { nil: undefined },
);

/** Where requests go: mostly the operation, otherwise look-alikes, the control API, JWKS and random paths. */
const paths = fc.oneof(
  { weight: 6, arbitrary: queries.map((q) => ({ kind: 'contract' as const, q })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '/auth/api/v1/customer/logout/',
        '/auth/api/v1/customer/Logout',
        '//auth/api/v1/customer/logout',
        '/auth/api/v1/customer/%6cogout',
        '/auth/api/v1/customer/logout;x',
        '/auth/api/v1/customer',
        '/auth/api/v1/',
        '/',
        '*',
      )
      .map((p) => ({ kind: 'path' as const, p })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '/__mock/health',
        '/__mock/tokens',
        '/__mock/sessions',
        '/__mock/faults',
        '/__mock/faults/f_000000000000',
        '/__mock/faults/%E0%A4%A',
        '/__mock/requests?limit=5',
        '/__mock/requests?status=x',
        '/__mock/reset',
        '/__mock/provider-states',
        '/__mock/nope',
        '/__mock//tokens',
        '/.well-known/jwks.json',
        '/auth/api/v1/.well-known/jwks.json',
      )
      .map((p) => ({ kind: 'path' as const, p })),
  },
  { weight: 1, arbitrary: fc.webPath().map((p) => ({ kind: 'path' as const, p: p === '' ? '/' : p })) },
);

const methods = fc.oneof(
  { weight: 6, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') },
  { weight: 1, arbitrary: fc.constantFrom('PROPFIND', 'PURGE', 'SEARCH', 'QUERY', 'TRACE', 'LINK', 'BREW', 'post') },
);

/** Sets up a real token of `kind` on `target` (a fresh sign-in each time, so no run depends on another). */
async function tokenOf(target: Mock, kind: (typeof TOKEN_KINDS)[number] | 'id-token'): Promise<string> {
  if (kind === 'id-token') return (await target.issueToken()).idToken;
  return (await target.issueToken({ kind })).token;
}

describe('any request, anywhere on the surface', () => {
  it('answers within the bound with a documented answer on the contract path and a plain one elsewhere; a real client is still served', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc
        .asyncProperty(methods, paths, authorization, extraHeaders, bodies, async (method, where, auth, extra, body) => {
          const path = where.kind === 'contract' ? `${logoutPath}${where.q}` : where.p;
          const headers: Record<string, string | string[]> = { ...extra };
          if (auth.kind === 'raw') headers.authorization = auth.value;
          else if (auth.kind === 'twice') headers.authorization = [`Bearer ${await tokenOf(mock, 'valid')}`, 'Bearer x.y.z'];
          else if (auth.kind !== 'none') headers.authorization = `Bearer ${await tokenOf(mock, auth.kind)}`;
          const sendsBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
          const what = `${method} ${path} ${JSON.stringify(headers).slice(0, 300)} body=${JSON.stringify(body)?.slice(0, 100)}`;
          const outcome = await send(mock, method, path, headers as OutgoingHttpHeaders, sendsBody ? body : undefined);
          expect(outcome.timedOut, `no answer within ${BOUND_MS} ms: ${what}`).toBe(false);
          expect(outcome.error, what).toBeUndefined();
          const answer = outcome.answer as Answer;
          const key = `${where.kind} ${method === 'POST' ? 'POST' : 'other'} ${answer.status}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);

          if (!METHODS.includes(method.toUpperCase())) {
            // Not a method llhttp knows: rejected by the HTTP parser before the app, as plain 400.
            expect(answer.status, what).toBe(400);
          } else if (where.kind === 'contract' && method.toUpperCase() === 'POST') {
            await expectContractAnswer(outcome, what);
          } else if (where.kind === 'contract') {
            expect(answer.status, what).toBe(method.toUpperCase() === 'OPTIONS' ? 204 : 405);
            if (answer.status === 405) expect(answer.headers.get('allow'), what).toBe('POST, OPTIONS');
          } else {
            // 403: a control call from a page on a non-loopback Origin (ERR_CROSS_SITE).
            expect([200, 201, 204, 400, 401, 403, 404, 405], `${answer.status} ${answer.text} ← ${what}`).toContain(answer.status);
          }
          if (answer.headers.get('content-type')?.startsWith('application/json') && method !== 'HEAD') {
            expect(typeof answer.body, `${answer.text} ← ${what}`).toBe('object');
          }
        })
        .afterEach(async () => {
          // A random control call may arm a fault (say, a 10-minute delay): disarm before the next run.
          await mock.faults.clear();
          await stillServes(mock);
        }),
      { numRuns: propertyRuns(400) },
    );
    // The generator reaches the operation's refusals and successes, and the plain answers elsewhere.
    const statuses = new Set([...seen.keys()].map((key) => key.split(' ').slice(0, 3).join(' ')));
    for (const expected of ['contract POST 200', 'contract POST 400', 'contract POST 401', 'contract POST 403', 'contract other 405', 'path POST 404']) {
      expect(statuses, JSON.stringify([...seen])).toContain(expected);
    }
  });
});

describe('the generator sends what real clients send (issue 15, case 8)', () => {
  // The 400s once seen for `PATCH …/customer/logout` (two Authorization headers) and for `OPTIONS …` (obs-text
  // values) came from an earlier request of the run: node:http sent its body unframed, the mock answered those bytes
  // 400 as the next request and closed, and the keep-alive agent had already handed the socket to the next request,
  // which read that 400. test/http/request-order.test.ts holds the counterexamples as fixed raw-socket cases.
  it.each(['OPTIONS', 'DELETE', 'TRACE', 'PATCH', 'POST'])('%s with a body goes with its Content-Length', async (method) => {
    const heads: string[] = [];
    // Everything the client writes in its first 200 ms, then an answer.
    const capture = createNetServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (data) => chunks.push(data));
      setTimeout(() => {
        heads.push(Buffer.concat(chunks).toString('latin1'));
        socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
      }, 200);
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    try {
      const port = (capture.address() as AddressInfo).port;
      await send({ port } as Mock, method, logoutPath, { origin: 'http://a\xbbb.test' }, '{"a":1}');
      expect(heads[0]).toMatch(/\r\ncontent-length: 7\r\n(?:[\s\S]*\r\n)?\r\n\{"a":1\}$/i);
    } finally {
      await new Promise((resolve) => capture.close(resolve));
    }
  });
});

/** One way of damaging a real token's header, payload or framing while keeping its signature. */
const headerEdit = fc.record(
  {
    alg: fc.constantFrom('none', 'None', 'HS256', 'RS384', 'PS256', 'ES256', 'rs256', '', null, 1, ['RS256'], {}),
    kid: fc.oneof(fc.constantFrom('', null, 42, '../../../dev/null', 'x'.repeat(2000), { $ne: null }), fc.string({ maxLength: 40 })),
    jku: fc.constant('LURE'),
    x5u: fc.constant('LURE'),
    jwk: fc.constant({ kty: 'oct', k: 'c2VjcmV0' }),
    crit: fc.constantFrom(['b64'], ['exp'], ['jku'], [], 'b64', [1], ['urn:unknown'], null),
    b64: fc.constantFrom(false, true, 'false', 0),
    typ: fc.constantFrom('JWT', 'at+jwt', 'JWE', 1),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

const wrongTypes = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, '', '9999999999', -1, 1e308, 0.5, [], {}, true, 'customer', 'admin', 'access', 'refresh', 'id'),
  fc.integer({ min: 1, max: 6 }).map((kb) => 'x'.repeat(kb * 1024)),
  fc.integer({ min: 50, max: 3000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
);
const payloadEdit = fc.dictionary(
  fc.constantFrom(
    'sub',
    'exp',
    'iat',
    'nbf',
    'iss',
    'aud',
    'jti',
    'origin_jti',
    'token_use',
    'custom:role',
    'scope',
    'client_id',
    'username',
    '__proto__',
    'constructor',
  ),
  wrongTypes,
  { minKeys: 1, maxKeys: 4 },
);

const mutation = fc.oneof(
  headerEdit.map((edit) => ({ kind: 'header' as const, edit })),
  payloadEdit.map((edit) => ({ kind: 'payload' as const, edit })),
  fc
    .constantFrom('p.h.s', 'h.s.p', 's.p.h', 'h.h.s', 'h.p', 'h.p.s.s', 'h.p.s.h.p', 'h..s', '.p.s', 'h.p.', 'h.p.s.', 'h.p.s=', 'hps')
    .map((shape) => ({ kind: 'shape' as const, shape })),
  fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 6 }) }).map((flip) => ({ kind: 'flip' as const, ...flip })),
  fc.constantFrom('stranger-key', 'stranger-jku', 'hs-with-public-key', 'alg-none', 'embedded-jwk').map((forgery) => ({ kind: 'forged' as const, forgery })),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function encode(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}
function lured(value: unknown): unknown {
  return value === 'LURE' ? lureUrl : value;
}

let stranger: JWK | undefined;

/** Applies a mutation to a real token; `sameBytes` when the result decodes to the very same JWS. */
async function mutate(token: string, m: Mutation): Promise<{ token: string; sameBytes: boolean }> {
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  switch (m.kind) {
    case 'header': {
      const { extra, ...fields } = m.edit;
      const edited = { ...header, ...extra };
      for (const [name, value] of Object.entries(fields)) edited[name] = lured(value);
      return { token: `${encode(edited)}.${p}.${s}`, sameBytes: false };
    }
    case 'payload': {
      const edited = { ...claims };
      for (const [name, value] of Object.entries(m.edit)) Object.defineProperty(edited, name, { value, enumerable: true, configurable: true, writable: true });
      return { token: `${h}.${encode(edited)}.${s}`, sameBytes: false };
    }
    case 'shape': {
      const parts: Record<string, string> = { h, p, s };
      // Padding the signature is another spelling of the same bytes.
      return { token: m.shape.replace(/[hps]/g, (c) => parts[c] as string), sameBytes: m.shape === 'h.p.s=' };
    }
    case 'flip': {
      const at = m.at % token.length;
      const flipped = String.fromCharCode(token.charCodeAt(at) ^ (1 << m.bit));
      // Only characters a header can carry; the raw-socket tests cover the rest.
      const safe = /^[\x21-\x7e]$/.test(flipped) ? flipped : '~';
      const result = `${token.slice(0, at)}${safe}${token.slice(at + 1)}`;
      const [rh, rp, rs] = result.split('.');
      // A flip in the unused low bits of the signature's last character leaves the same bytes.
      const sameBytes =
        rh === h &&
        rp === p &&
        rs !== undefined &&
        result.split('.').length === 3 &&
        /^[A-Za-z0-9_-]*$/.test(rs) &&
        Buffer.from(rs, 'base64url').equals(Buffer.from(s, 'base64url'));
      return { token: result, sameBytes };
    }
    case 'forged': {
      const fresh = { ...claims, jti: crypto.randomUUID(), origin_jti: crypto.randomUUID() };
      stranger ??= await strangerKey('stranger');
      if (m.forgery === 'stranger-key') return { token: signRaw(stranger, header, fresh), sameBytes: false };
      if (m.forgery === 'stranger-jku') return { token: signRaw(stranger, { ...header, kid: stranger.kid, jku: lureUrl }, fresh), sameBytes: false };
      if (m.forgery === 'embedded-jwk') {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = stranger;
        return { token: signRaw(stranger, { ...header, jwk: publicJwk }, fresh), sameBytes: false };
      }
      if (m.forgery === 'hs-with-public-key') {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = keys.access;
        return { token: await hsWithPublicKey(publicJwk, fresh), sameBytes: false };
      }
      return { token: unsigned(fresh, String(header.kid)), sameBytes: false };
    }
  }
}

describe('mutated and forged real tokens', () => {
  it('are refused with 401 invalid_token (or 431 when too large to be a header), never accepted, never fetched from', async () => {
    const pool = await Promise.all(Array.from({ length: 8 }, () => mock.issueToken()));
    const tokens = pool.flatMap((signIn) => [signIn.token, signIn.idToken]);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: tokens.length - 1 }), mutation, async (pick, m) => {
        const original = tokens[pick] as string;
        const { token, sameBytes } = await mutate(original, m);
        fc.pre(token !== original);
        const what = `${m.kind} ${JSON.stringify(m).slice(0, 200)}`;
        const outcome = await send(mock, 'POST', logoutPath, { authorization: `Bearer ${token}` });
        if (outcome.answer?.status === 431) return; // Node's header limit, before the app: fine.
        const answer = await expectContractAnswer(outcome, what);
        if (sameBytes) {
          expect([200, 401], what).toContain(answer.status);
          return;
        }
        expect(answer.status, `${answer.headers.get('x-mock-reason')} ← ${what}`).toBe(401);
        expect(answer.headers.get('www-authenticate'), what).toMatch(/error="invalid_token"/);
      }),
      { numRuns: propertyRuns(300) },
    );
    expect(lureHits).toEqual([]);
    await stillServes(mock);
  });

  it("hand-signed with the mock's own key but hostile headers or wrong-typed claims: documented answers, and a 200 only for a sane token", async () => {
    const now = () => Math.floor(Date.now() / 1000);
    await fc.assert(
      fc.asyncProperty(headerEdit, fc.option(payloadEdit, { nil: undefined }), fc.constantFrom('access', 'id'), async (edit, claimsEdit, use) => {
        const key = use === 'access' ? keys.access : keys.id;
        const { extra, ...fields } = edit;
        const header: Record<string, unknown> = { alg: 'RS256', kid: key.kid, typ: 'JWT', ...extra };
        for (const [name, value] of Object.entries(fields)) header[name] = lured(value);
        const claims: Record<string, unknown> = {
          sub: `cust-${crypto.randomUUID()}`,
          iss: ISSUER,
          aud: 'worthmockclient0000000000',
          token_use: use,
          'custom:role': 'customer',
          iat: now(),
          exp: now() + 600,
          jti: crypto.randomUUID(),
          origin_jti: crypto.randomUUID(),
        };
        for (const [name, value] of Object.entries(claimsEdit ?? {}))
          Object.defineProperty(claims, name, { value, enumerable: true, configurable: true, writable: true });
        const token = signRaw(key, header, claims);
        const what = `header=${JSON.stringify(header).slice(0, 200)} claims=${JSON.stringify(claimsEdit)?.slice(0, 200)}`;
        const outcome = await send(mock, 'POST', logoutPath, { authorization: `Bearer ${token}` });
        if (outcome.answer?.status === 431) return;
        const answer = await expectContractAnswer(outcome, what);
        if (answer.status === 200) {
          // Accepted: then the token must be one a careful verifier accepts.
          expect(header.alg, what).toBe('RS256');
          expect(header.kid, what).toBe(key.kid);
          expect(header.crit === undefined || (Array.isArray(header.crit) && header.crit.every((c) => c === 'b64') && header.b64 === true), what).toBe(true);
          expect(['access', 'id'], what).toContain(claims.token_use);
          expect(typeof claims.sub === 'string' && claims.sub !== '', what).toBe(true);
          expect(claims.iss, what).toBe(ISSUER);
          expect(claims['custom:role'], what).toBe('customer');
          expect(typeof claims.exp === 'number' && claims.exp > now(), what).toBe(true);
          for (const time of ['iat', 'nbf'])
            expect(claims[time] === undefined || (typeof claims[time] === 'number' && claims[time] <= now() + 5), what).toBe(true);
          if (claims.token_use === 'id') expect([claims.aud].flat(), what).toContain('worthmockclient0000000000');
        }
      }),
      { numRuns: propertyRuns(200) },
    );
    expect(lureHits).toEqual([]);
  });
});

/** Claims a caller may ask to be minted into a token: any names, any JSON types. */
const mintedClaims = fc.dictionary(
  fc.oneof(fc.constantFrom('exp', 'iat', 'nbf', 'iss', 'sub', 'token_use', 'custom:role', 'aud', 'jti', 'origin_jti'), fc.string({ maxLength: 6 })),
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('refresh', 'id', 'access', 'never', '', 'https://evil.example', 'admin', 'customer', 4102444800, 946684800),
  ),
  { maxKeys: 4 },
);

describe('the control API under random input', () => {
  const anything = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(-1, 0, 1, 1.5, 1e21, '', 'x', null, [], {}));
  const tokenBody = fc.record(
    {
      sub: anything,
      role: anything,
      ttlSeconds: anything,
      kind: fc.oneof(anything, fc.constantFrom(...TOKEN_KINDS)),
      claims: fc.oneof(anything, mintedClaims),
      refreshToken: anything,
      extra: anything,
    },
    { requiredKeys: [] },
  );
  const faultBody = fc.record(
    {
      status: fc.oneof(anything, fc.constantFrom(...DOCUMENTED, 418)),
      network: fc.oneof(anything, fc.constantFrom('reset', 'empty', 'hang', 'garbage')),
      times: anything,
      skip: anything,
      probability: anything,
      seed: anything,
      delayMs: anything,
      ttlMs: anything,
      match: fc.oneof(anything, fc.record({ sub: anything, sid: anything, session: anything, other: anything }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  );
  const nested = fc.integer({ min: 1, max: 20_000 }).map((depth) => `{"claims":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);

  it('answers 201 or a 400 naming the field, never a 5xx, within the bound; the operation keeps working', async () => {
    await fc.assert(
      fc
        .asyncProperty(
          fc.oneof(
            tokenBody.map((b) => ({ path: '/__mock/tokens', body: JSON.stringify(b) })),
            faultBody.map((b) => ({ path: '/__mock/faults', body: JSON.stringify(b) })),
            nested.map((body) => ({ path: '/__mock/tokens', body })),
            fc
              .tuple(fc.constantFrom('/__mock/tokens', '/__mock/faults', '/__mock/provider-states'), fc.string({ maxLength: 100 }))
              .map(([path, body]) => ({ path, body })),
          ),
          async ({ path, body }) => {
            const outcome = await send(mock, 'POST', path, { 'content-type': 'application/json' }, body);
            const what = `${path} ${body.slice(0, 300)}`;
            expect(outcome.timedOut, `no answer within ${BOUND_MS} ms: ${what}`).toBe(false);
            const answer = outcome.answer as Answer;
            expect([200, 201, 400], `${answer.status} ${answer.text.slice(0, 300)} ← ${what}`).toContain(answer.status);
            if (answer.status === 400) expect((answer.body as { field?: unknown }).field, what).toEqual(expect.any(String));
          },
        )
        .afterEach(async () => {
          await mock.faults.clear();
          await stillServes(mock);
        }),
      { numRuns: propertyRuns(250) },
    );
  });

  // A token the mock minted is known by its string; src/verify.ts remembers only those that pass the checks its
  // signature path makes (token_use, iss, claim types), so a twin that checks the signature decides the same.
  it('a minted token gets the same decision whether the mock knows it by string or checks its signature', async () => {
    await fc.assert(
      fc.asyncProperty(mintedClaims, async (claims) => {
        let token: string;
        try {
          token = (await mock.issueToken({ claims })).token;
        } catch {
          fc.pre(false);
          return;
        }
        const [known, checked] = await Promise.all([logout(mock, { token }), logout(twin, { token })]);
        expect(
          checked.status,
          `claims ${JSON.stringify(claims)}: minting mock ${known.headers.get('x-mock-reason')}, twin ${checked.headers.get('x-mock-reason')}`,
        ).toBe(known.status);
      }),
      { numRuns: propertyRuns(150) },
    );
  });
});
