import { generateKeyPair, type JsonWebKey } from 'node:crypto';

/** RSA private keys being made ahead of their use (each a promise of its private JWK). */
const ahead: Promise<JsonWebKey>[] = [];

/**
 * Starts making `count` RSA-2048 key pairs on libuv's thread pool now, for `rsaPrivateJwk()` to hand out later: the
 * bin calls it first thing in a `start` process, so the ~30–150 ms each key takes (a random prime search) overlaps
 * loading the server's modules instead of following it. Keys nobody takes (another `--alg`, a key file) are dropped.
 */
export function prepareRsaKeys(count = 2): void {
  while (ahead.length < count) {
    const key = makeRsaKey();
    key.catch(() => {}); // Whoever takes it sees the error; a key never taken must not be an unhandled rejection.
    ahead.push(key);
  }
}

/**
 * A new RSA-2048 private key (public exponent 65537) as a JWK (RFC 7517 §4, RFC 7518 §6.3): one made ahead by
 * `prepareRsaKeys()` when there is one, else made now. Each key is handed out once. Rejects if node:crypto fails.
 */
export function rsaPrivateJwk(): Promise<JsonWebKey> {
  return ahead.shift() ?? makeRsaKey();
}

function makeRsaKey(): Promise<JsonWebKey> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (error, _publicKey, privateKey) => {
      if (error) reject(error);
      else resolve(privateKey.export({ format: 'jwk' }));
    });
  });
}
