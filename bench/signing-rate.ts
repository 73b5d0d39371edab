// Child process: the one-core rate of the signing work one request of a path needs, done with jose as the mock does it
// (its issuer, its mail tokens), one piece after the other (never two at once: one core). The bench runs two of these
// at once for the two-core rate (bench/paths.ts, signingRate). A sign-in is two RS256 signatures (its access and id tokens, Cognito-shaped claims) and a
// sealed refresh token (JWE dir/A256GCM); a refresh is the two signatures; accepting an invitation verifies the
// invitation's RS256 signature, then does a sign-in's work; a mail token (forgot-password, create-customer-user,
// resend-invitation) is one RS256 signature.
// argv: <sign-in|refresh|accept-invitation|mail-token> <seconds>; output: one JSON line { perSecond, done }.
import { randomBytes, randomUUID } from 'node:crypto';
import { EncryptJWT } from 'jose/jwt/encrypt';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import { generateKeyPair } from 'jose/key/generate/keypair';

/** The signing work of each path that signs (bench/path-types.ts names the same). */
const SIGNING_WORKS = ['sign-in', 'refresh', 'accept-invitation', 'mail-token'] as const;
type Work = (typeof SIGNING_WORKS)[number];

const [workArg = 'sign-in', secondsArg = '1'] = process.argv.slice(2);
if (!(SIGNING_WORKS as readonly string[]).includes(workArg)) throw new Error(`unknown work "${workArg}": one of ${SIGNING_WORKS.join(', ')}`);
const work = workArg as Work;
const seconds = Number(secondsArg);
// The mock's keys: RS256, 2048-bit modulus, one pair for access tokens and one for id tokens; 32 bytes for JWE dir.
const [access, id] = await Promise.all([generateKeyPair('RS256', { modulusLength: 2048 }), generateKeyPair('RS256', { modulusLength: 2048 })]);
const secret = new Uint8Array(randomBytes(32));
const ISSUER = 'http://127.0.0.1:4010';
const CLIENT = 'bench-client-id';

/** A mail token as src/tokens/mail-tokens.ts signs it. */
function mailToken(purpose: string, userId: string, now: number): Promise<string> {
  return new SignJWT({ purpose })
    .setProtectedHeader({ alg: 'RS256', kid: 'access', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 7 * 86_400)
    .sign(access.privateKey);
}

const invitation = await mailToken('invitation', randomUUID(), Math.floor(Date.now() / 1000));

async function signIn(seal: boolean): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const sid = randomUUID();
  const sub = randomUUID();
  const times = { iat: now, exp: now + 3600, auth_time: now };
  const accessClaims = {
    sub,
    iss: ISSUER,
    client_id: CLIENT,
    origin_jti: sid,
    event_id: randomUUID(),
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    ...times,
    jti: randomUUID(),
    username: sub,
    'custom:role': 'customer',
  };
  const idClaims = {
    sub,
    iss: ISSUER,
    aud: CLIENT,
    token_use: 'id',
    origin_jti: sid,
    event_id: accessClaims.event_id,
    'cognito:username': sub,
    'custom:id': sub,
    email: 'customer@example.com',
    email_verified: true,
    given_name: 'Sandbox',
    family_name: 'Customer',
    ...times,
    jti: randomUUID(),
    'custom:role': 'customer',
  };
  await new SignJWT(accessClaims).setProtectedHeader({ alg: 'RS256', kid: 'access', typ: 'JWT' }).sign(access.privateKey);
  await new SignJWT(idClaims).setProtectedHeader({ alg: 'RS256', kid: 'id', typ: 'JWT' }).sign(id.privateKey);
  if (seal) {
    await new EncryptJWT({ sid, sub, role: 'customer', claims: {}, id_claims: {}, auth_time: now })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 86_400)
      .encrypt(secret);
  }
}

async function once(): Promise<void> {
  switch (work) {
    case 'sign-in':
      return signIn(true);
    case 'refresh':
      return signIn(false);
    case 'accept-invitation':
      await jwtVerify(invitation, access.publicKey, { algorithms: ['RS256'], issuer: ISSUER });
      return signIn(true);
    case 'mail-token':
      await mailToken('password-reset', randomUUID(), Math.floor(Date.now() / 1000));
  }
}

async function loop(ms: number): Promise<number> {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await once();
    n++;
  }
  return n;
}

await loop(300); // warm-up: JIT
const started = performance.now();
const done = await loop(seconds * 1000);
process.stdout.write(`${JSON.stringify({ perSecond: done / ((performance.now() - started) / 1000), done })}\n`);
