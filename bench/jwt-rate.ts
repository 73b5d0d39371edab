// Child process: jose.jwtVerify's own rate on one core, one verification at a time, over the tokens the
// verify path sends. Input: a JSON file { tokens, jwks, issuer, alg, seconds }; output: one JSON line.
import { readFile } from 'node:fs/promises';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';

type Input = { tokens: string[]; jwks: { keys: JWK[] }; issuer: string; alg: string; seconds: number };

const input = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as Input;
// The key imported once, as the mock holds it: what is timed is jwtVerify itself.
const { kid } = decodeProtectedHeader(input.tokens[0] as string);
const jwk = input.jwks.keys.find((key) => key.kid === kid);
if (!jwk) throw new Error(`no key ${kid} in the JWKS`);
const key = await importJWK(jwk, input.alg);
const options = { algorithms: [input.alg], issuer: input.issuer };

async function loop(ms: number): Promise<number> {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await jwtVerify(input.tokens[n % input.tokens.length] as string, key, options);
    n++;
  }
  return n;
}

await loop(500); // warm-up: JIT
const started = performance.now();
const n = await loop(input.seconds * 1000);
process.stdout.write(`${JSON.stringify({ perSecond: n / ((performance.now() - started) / 1000), verified: n })}\n`);
