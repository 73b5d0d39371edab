import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A corporate HTTP proxy on loopback: its URL, the hosts it was asked for, and `close()`. */
export type ForwardProxy = { url: string; hosts: string[]; close(): Promise<void> };

/**
 * A plain HTTP forward proxy, as CI runners behind a corporate proxy have (HTTP_PROXY): it takes absolute-form
 * requests (`POST http://provider.test:8080/path`) and sends them to `routes[host]` — the only way such a host
 * name is reached, since it is in no DNS.
 */
export async function startForwardProxy(routes: Record<string, string>): Promise<ForwardProxy> {
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    const asked = new URL(req.url ?? '/');
    hosts.push(asked.host);
    const to = routes[asked.host];
    if (!to) return void res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: no route to ${asked.host}`);
    const upstream = request(
      new URL(`${asked.pathname}${asked.search}`, to),
      { method: req.method, headers: { ...req.headers, host: asked.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hosts,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
