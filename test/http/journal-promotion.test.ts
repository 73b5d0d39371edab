import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/bin.ts';

/** A POST to `path` with a bearer token over `agent`; resolves its status. */
function logout(agent: Agent, port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

describe("the journal keeps the app's own string for a known path (RSS: the bench's RSS row, bench/rss.ts)", () => {
  it('so a request leaves almost nothing for V8 to promote to its old generation (--trace-gc-nvp: promoted bytes a request)', async () => {
    // The mock as the bin starts it, V8 printing each GC's figures to stdout beside the banner.
    const child = spawn(process.execPath, ['--trace-gc-nvp', BIN, 'start', '--port', '0', '--log', 'off', '--idempotent-logout'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${out.slice(-2000)}`)), 20_000);
        child.stdout.on('data', () => {
          const found = /Base URL +(\S+)/.exec(out)?.[1];
          if (found && /Ctrl-C stops the mock/.test(out)) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const url = new URL(baseUrl);
      const token = /^ {2}(eyJ\S+)$/m.exec(out)?.[1] as string;
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const path = `${url.pathname}/customer/logout`;
      const perLoop = 2500;
      const statuses = await Promise.all(
        Array.from({ length: 8 }, async () => {
          let ok = 0;
          for (let i = 0; i < perLoop; i++) if ((await logout(agent, Number(url.port), path, token)) === 200) ok++;
          return ok;
        }),
      );
      agent.destroy();
      const requests = statuses.reduce((sum, n) => sum + n, 0);
      expect(requests).toBe(8 * perLoop);
      // The scavenges of the second half, when the journal's ring (1000 entries) has long been full.
      const scavenges = out.split('\n').filter((line) => / gc=s /.test(line));
      expect(scavenges.length).toBeGreaterThan(10);
      const late = scavenges.slice(Math.floor(scavenges.length / 2));
      const promoted = late.reduce((sum, line) => sum + Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0), 0);
      const perRequest = promoted / (requests * (late.length / scavenges.length));
      // Each request's own path string, held by the ring for 1000 requests, was promoted: ~65 B a request, against
      // ~18 now (measured on the packed bin under 50 connections).
      expect(perRequest).toBeLessThan(40);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
