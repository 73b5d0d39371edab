import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny static "customer app" on its own origin: one page that logs out against the mock with `fetch`. */
export type CustomerApp = {
  /** The page's URL, pointed at `logoutUrl`. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
};

// What a real frontend does: credentials included, the bearer in Authorization and a JSON body, so the
// browser sends a real CORS preflight. The mock_session cookie rides along only because of credentials.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Customer app</title><link rel="icon" href="data:,"></head>
<body>
<h1>Customer app</h1>
<label for="token">Access token</label> <input id="token" autocomplete="off">
<button type="button" id="logout">Log out</button>
<ol id="attempts" aria-live="polite"></ol>
<script>
const params = new URLSearchParams(location.search);
document.cookie = 'mock_session=' + encodeURIComponent(params.get('session') || 'customer-app') + '; path=/; SameSite=Lax';
document.getElementById('logout').addEventListener('click', async () => {
  const item = document.createElement('li');
  item.dataset.state = 'pending';
  item.textContent = 'logging out…';
  document.getElementById('attempts').append(item);
  try {
    const response = await fetch(params.get('api'), {
      method: 'POST',
      credentials: 'include',
      headers: { authorization: 'Bearer ' + document.getElementById('token').value, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = await response.json();
    item.dataset.state = 'done';
    item.dataset.status = String(response.status);
    item.dataset.reason = response.headers.get('x-mock-reason') || '';
    item.dataset.fault = response.headers.get('x-mock-fault') || '';
    item.textContent = response.status + ' ' + body.message;
  } catch (error) {
    item.dataset.state = 'failed';
    item.textContent = 'network error: ' + error.message;
  }
});
</script>
</body>
</html>`;

/** Serves the app on 127.0.0.1 on a free port: another origin than the mock's. */
export async function startCustomerApp(logoutUrl: string, session = 'customer-app'): Promise<CustomerApp> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/app')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const query = new URLSearchParams({ api: logoutUrl, session });
  return {
    url: `${origin}/app?${query}`,
    origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
