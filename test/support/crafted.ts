import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { base64url, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

/** The private keys of a mock started with `keyFile`, to sign tokens by hand as an attacker or another issuer would. */
export async function keysOf(keyFile: string): Promise<{ access: JWK; id: JWK }> {
  const file = JSON.parse(await readFile(keyFile, 'utf8')) as { access: JWK; id: JWK };
  return { access: file.access, id: file.id };
}

/** Signs `claims` with a private JWK and the given header (defaults: RS256, the key's kid). */
export async function signWith(jwk: JWK, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const key = await importJWK(jwk, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT', ...header } as never).sign(key);
}

/** Signs any header/payload with RS256 by hand (jose refuses to produce some hostile headers, e.g. unknown `crit`). */
export function signRaw(jwk: JWK, header: Record<string, unknown>, payload: unknown): string {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(input), createPrivateKey({ key: jwk as never, format: 'jwk' }));
  return `${input}.${base64url.encode(signature)}`;
}

/** An unsigned token (`alg: none`) with our kid, crafted by hand. */
export function unsigned(claims: JWTPayload, kid: string): string {
  return `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid }))}.${base64url.encode(JSON.stringify(claims))}.`;
}

/** The classic RS→HS confusion: HMAC-sign with the server's *public* key (PEM) as the secret. */
export async function hsWithPublicKey(publicJwk: JWK, claims: JWTPayload): Promise<string> {
  const pem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid, typ: 'JWT' }).sign(new TextEncoder().encode(pem));
}

/** A private RSA JWK that is not the mock's. */
export async function strangerKey(kid: string): Promise<JWK> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256' };
}

/** Decodes a JWT's header and payload without checking anything. */
export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}
