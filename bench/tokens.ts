import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** One sign-in minted by the mock: its access, id and refresh tokens. */
export type Minted = { readonly token: string; readonly idToken: string; readonly refreshToken: string };

/** Mints `count` sign-ins through the mock's control API (`POST /__mock/tokens`), a few at a time. */
export async function mint(origin: string, count: number, body: Record<string, unknown> = {}): Promise<Minted[]> {
  const out: Minted[] = [];
  const payload = JSON.stringify(body);
  let asked = 0;
  async function worker(): Promise<void> {
    while (asked < count) {
      asked++;
      const response = await fetch(`${origin}/__mock/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      if (response.status !== 201) throw new Error(`minting a token answered ${response.status}: ${await response.text()}`);
      const { token, idToken, refreshToken } = (await response.json()) as Minted;
      out.push({ token, idToken, refreshToken });
    }
  }
  await Promise.all(Array.from({ length: Math.min(8, count) }, worker));
  return out;
}

/** The mock's published keys (`/.well-known/jwks.json`). */
export async function jwksOf(origin: string): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await fetch(`${origin}/.well-known/jwks.json`);
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
  return (await response.json()) as { keys: Record<string, unknown>[] };
}

/** Signs Cognito-shaped HS256 access tokens with a `--key-file`'s access key, synchronously (one per request). */
export type Hs256Signer = (lifetimeSeconds: number) => string;

/** Reads an HS256 key file the mock wrote (`--alg HS256 --key-file F`) and returns a signer for `issuer`. */
export async function hs256Signer(keyFile: string, issuer: string, clientId: string): Promise<Hs256Signer> {
  const file = JSON.parse(await readFile(keyFile, 'utf8')) as { alg?: string; access?: { k?: string; kid?: string } };
  const { k, kid } = file.access ?? {};
  if (file.alg !== 'HS256' || !k || !kid) throw new Error(`${keyFile} is not an HS256 key file of worth-auth-mock`);
  const secret = Buffer.from(k, 'base64url');
  const header = b64(JSON.stringify({ alg: 'HS256', kid, typ: 'JWT' }));
  return (lifetimeSeconds) => {
    const now = Math.floor(Date.now() / 1000);
    const sid = randomUUID();
    const claims = {
      sub: `bench-${sid.slice(0, 8)}`,
      iss: issuer,
      client_id: clientId,
      origin_jti: sid,
      event_id: randomUUID(),
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: now,
      iat: now,
      exp: now + lifetimeSeconds,
      jti: randomUUID(),
      username: 'bench',
      'custom:role': 'customer',
    };
    const input = `${header}.${b64(JSON.stringify(claims))}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
