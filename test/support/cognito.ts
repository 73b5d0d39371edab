// What a backend configured for a Cognito user pool expects of the mock's tokens, and a raw GET that sets its own
// Host (fetch cannot: a backend in a container reaches the mock by another name).
import { request } from 'node:http';
import { base64url } from 'jose';

/** A user pool id in Cognito's form (`<region>_<id>`), and the region it names. */
export const POOL = { region: 'eu-west-1', id: 'eu-west-1_Mock0000' } as const;

/** The `iss` of a Cognito user pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
export function cognitoIssuer(poolId: string = POOL.id): string {
  const region = poolId.slice(0, poolId.indexOf('_'));
  return `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
}

/** A token whose payload was changed after signing (`changes` merged in), its header and signature kept. */
export function tamper(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
  return `${header}.${base64url.encode(JSON.stringify({ ...claims, ...changes }))}.${signature}`;
}

/** GETs `path` from `port` on loopback with the given Host header and reads the status and the JSON body. */
export function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
