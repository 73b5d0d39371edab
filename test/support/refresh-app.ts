import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * A browser app that refreshes with a real client library (axios and axios-auth-refresh, bundled by esbuild from
 * refresh-app-client.ts), served by a page of its own on a loopback port (port 0): another origin than the mock's, on
 * the same site. A test drives it through `globalThis.refreshApp` (`signIn`, `startApp`).
 */
export type RefreshApp = { readonly url: string; close(): Promise<void> };

const CLIENT = fileURLToPath(new URL('./refresh-app-client.ts', import.meta.url));

/** Bundles the app and serves it: `/` the page, `/app.js` the bundle. */
export async function startRefreshApp(): Promise<RefreshApp> {
  const bundle = await build({ entryPoints: [CLIENT], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent' });
  const script = bundle.outputFiles[0]?.text ?? '';
  const page = '<!doctype html><html><head><meta charset="utf-8"><title>refresh app</title><script src="/app.js"></script></head><body>app</body></html>';
  const server: Server = createServer((req, res) => {
    const [type, body] = req.url === '/app.js' ? ['text/javascript', script] : ['text/html', page];
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
