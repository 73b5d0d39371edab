import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenHttp } from '../../src/http/server.ts';

/** A GET to `port`; resolves its status and body. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('requests that come in after the server listens and before it serves (start-up: bench/startup.ts, the --api row)', () => {
  it('wait for the app and are answered, in order, once it serves', async () => {
    const server = await listenHttp(0, '127.0.0.1');
    try {
      const first = get(server.port, '/one');
      const second = get(server.port, '/two');
      // Mounting an --api document takes about a second between listen and serve: the requests are in by now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen: string[] = [];
      server.serve((req, res) => {
        seen.push(req.url ?? '');
        res.end(`answered ${req.url}`);
      });
      expect(await first).toEqual({ status: 200, body: 'answered /one' });
      expect(await second).toEqual({ status: 200, body: 'answered /two' });
      expect(seen).toEqual(['/one', '/two']);
      expect((await get(server.port, '/three')).body).toBe('answered /three');
    } finally {
      await server.close();
    }
  });
});
