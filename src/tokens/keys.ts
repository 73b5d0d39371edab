import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import type { CryptoKey, JWK } from 'jose';
import * as base64url from 'jose/base64url';
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { generateSecret } from 'jose/key/generate/secret';
import { importJWK } from 'jose/key/import';
import type { Algorithm } from '../config/config.ts';
import { ConfigError } from '../errors.ts';
import { rsaPrivateJwk } from './key-pool.ts';

/** One signing key: its `kid`, the private (signing) and public (verifying) halves. */
export type SigningKey = {
  readonly kid: string;
  readonly sign: CryptoKey | Uint8Array;
  readonly verify: CryptoKey | Uint8Array;
  /** The private JWK, kept only to write a key file. */
  readonly privateJwk: JWK;
};

/** The keys of one mock: one for access tokens, one for id tokens (different `kid`s, as Cognito). */
export type KeySet = {
  readonly alg: Algorithm;
  readonly access: SigningKey;
  readonly id: SigningKey;
  /** 32 bytes that seal refresh tokens (JWE `dir`/A256GCM). */
  readonly refreshSecret: Uint8Array;
  /** What `/.well-known/jwks.json` publishes (public keys only; nothing for HS256). */
  readonly jwks: { readonly keys: readonly JWK[] };
};

type KeyFile = { alg: Algorithm; access: JWK; id: JWK; refresh: string };

/** Generates a fresh key set, or loads it from `keyFile` (creating the file, mode 0600, when absent). */
export async function createKeySet(alg: Algorithm, keyFile?: string): Promise<KeySet> {
  if (keyFile) {
    const existing = await loadKeyFile(keyFile, alg);
    if (existing) return existing;
  }
  const [access, id] = await Promise.all([generateKey(alg), generateKey(alg)]);
  const set = assemble(alg, access, id, new Uint8Array(randomBytes(32)));
  return keyFile ? writeKeyFile(keyFile, set) : set;
}

async function generateKey(alg: Algorithm): Promise<SigningKey> {
  if (alg === 'HS256') {
    const secret = (await generateSecret(alg, { extractable: true })) as CryptoKey;
    const jwk = await exportJWK(secret);
    return toSigningKey(alg, { ...jwk, alg, kid: await calculateJwkThumbprint(jwk) });
  }
  const jwk = alg === 'RS256' ? ((await rsaPrivateJwk()) as JWK) : await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey);
  return toSigningKey(alg, { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) });
}

async function toSigningKey(alg: Algorithm, privateJwk: JWK): Promise<SigningKey> {
  const kid = privateJwk.kid as string;
  if (alg === 'HS256') {
    const secret = typeof privateJwk.k === 'string' ? base64url.decode(privateJwk.k) : new Uint8Array(0);
    return { kid, sign: secret, verify: secret, privateJwk };
  }
  const sign = (await importJWK(privateJwk, alg)) as CryptoKey;
  const verify = (await importJWK(publicPart(privateJwk), alg)) as CryptoKey;
  return { kid, sign, verify, privateJwk };
}

/**
 * Why jose would refuse to verify with this key for `alg`, or undefined when it is fine: an empty HMAC secret or an
 * RSA modulus under 2048 bits, the two that importJWK lets through (another kty, curve, algorithm or key usage it
 * refuses itself, and the key file is then named as holding "a key that cannot be used"). A key file is checked
 * with it at start, and the verifier's node:crypto path uses a key only when it passes (else jose decides, and refuses).
 */
export function keyProblem(alg: Algorithm, key: CryptoKey | Uint8Array): string | undefined {
  if (alg === 'HS256') return key instanceof Uint8Array && key.length > 0 ? undefined : 'an HS256 key needs a secret ("k") that is not empty';
  if (alg === 'ES256') return undefined;
  const bits = key instanceof Uint8Array ? 0 : ((key.algorithm as { modulusLength?: number }).modulusLength ?? 0);
  return bits >= 2048 ? undefined : `an RS256 key needs 2048 bits or more, this one has ${bits}`;
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...rest } = jwk as JWK & { oth?: unknown };
  return { ...rest, use: 'sig' };
}

function assemble(alg: Algorithm, access: SigningKey, id: SigningKey, refreshSecret: Uint8Array): KeySet {
  const keys = alg === 'HS256' ? [] : [publicPart(access.privateJwk), publicPart(id.privateJwk)];
  return Object.freeze({ alg, access, id, refreshSecret, jwks: Object.freeze({ keys: Object.freeze(keys) }) });
}

async function fromFile(file: KeyFile, path: string): Promise<KeySet> {
  let access: SigningKey;
  let id: SigningKey;
  try {
    [access, id] = await Promise.all([toSigningKey(file.alg, file.access), toSigningKey(file.alg, file.id)]);
  } catch (error) {
    throw new ConfigError('--key-file', `--key-file ${path} holds a key that cannot be used: ${(error as Error).message}; delete it to have a new one made`);
  }
  for (const key of [access, id]) {
    const problem = keyProblem(file.alg, key.verify);
    if (problem) throw new ConfigError('--key-file', `--key-file ${path}: key ${key.kid}: ${problem}; delete the file to have a new one made`);
  }
  return assemble(file.alg, access, id, base64url.decode(file.refresh));
}

/** The key set a key file holds, undefined when there is none; a ConfigError when it holds another alg's keys. */
async function loadKeyFile(path: string, alg: Algorithm): Promise<KeySet | undefined> {
  const existing = await readKeyFile(path);
  if (!existing) return undefined;
  if (existing.alg !== alg) throw new ConfigError('--alg', `--alg ${alg} does not match the key file ${path}, which holds ${existing.alg} keys`);
  return fromFile(existing, path);
}

async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError('--key-file', `--key-file ${path} cannot be read: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as KeyFile;
    if (!parsed.alg || !parsed.access?.kid || !parsed.id?.kid || typeof parsed.refresh !== 'string') throw new Error('missing alg, access, id or refresh');
    return parsed;
  } catch (error) {
    throw new ConfigError('--key-file', `--key-file ${path} is not a worth-auth-mock key file (${(error as Error).message}); delete it to have a new one made`);
  }
}

/**
 * Writes the key file once: a unique temp file, fsynced, then `link()`ed into place — unlike rename,
 * link fails when the path exists, so replicas starting together all end up with the first one's keys.
 */
async function writeKeyFile(path: string, set: KeySet): Promise<KeySet> {
  const file: KeyFile = { alg: set.alg, access: set.access.privateJwk, id: set.id.privateJwk, refresh: base64url.encode(set.refreshSecret) };
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(tmp, path);
    return set;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const existing = await loadKeyFile(path, set.alg);
      if (existing) return existing;
    }
    throw new ConfigError('--key-file', `--key-file ${path} cannot be written: ${(error as Error).message}`);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}
