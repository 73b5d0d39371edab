import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, spawnBin } from '../support/bin.ts';

describe('the real bin, spawned', () => {
  it('starts, prints a banner whose token logs out once, and stops on SIGTERM with exit 0', async () => {
    const mock = await spawnBin();
    try {
      const { baseUrl, token } = mock;
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/api\/v1$/);
      const logout = () => fetch(`${baseUrl}/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const first = await logout();
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ status: 'success', message: 'Logout successful' });
      expect((await logout()).status).toBe(401);
      // The default log is one pretty line per request.
      await new Promise((r) => setTimeout(r, 100));
      expect(mock.output()).toMatch(/POST \/auth\/api\/v1\/customer\/logout 200/);
      expect(mock.output()).toMatch(/POST \/auth\/api\/v1\/customer\/logout 401 .*revoked/);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it('exits 2 with a message for a bad flag', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', 'nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/--port must be a whole number/);
  });

  it('keeps serving when whoever read its output goes away (`start | head`), and its stderr stays clean', async () => {
    const mock = await spawnBin();
    try {
      mock.child.stdout?.destroy(); // The reader is gone: the next log line meets a closed pipe.
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${mock.baseUrl}/customer/logout`, { method: 'POST' })).status).toBe(401);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(mock.child.exitCode).toBe(null);
      expect(mock.stderr()).toBe('');
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });
});
