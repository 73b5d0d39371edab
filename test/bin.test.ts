import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/worth-auth-mock.js', import.meta.url));

describe('the real bin, spawned', () => {
  it('starts, prints a banner whose token logs out once, and stops on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within 15 s:\n${out}`)), 15_000);
        child.stdout.on('data', () => {
          if (/Ctrl-C stops the mock/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', () => reject(new Error(`exited early:\n${out}`)));
      });
      const baseUrl = /Base URL {3}(\S+)/.exec(out)?.[1];
      const token = /^ {2}(eyJ\S+)$/m.exec(out)?.[1];
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/api\/v1$/);
      const logout = () => fetch(`${baseUrl}/customer/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const first = await logout();
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ status: 'success', message: 'Logout successful' });
      expect((await logout()).status).toBe(401);
      // The default log is one pretty line per request.
      await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/POST \/auth\/api\/v1\/customer\/logout 200/);
      expect(out).toMatch(/POST \/auth\/api\/v1\/customer\/logout 401 .*revoked/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
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
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no banner within 15 s:\n${out}`)), 15_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const url = /Base URL {3}(\S+)/.exec(out)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        });
      });
      child.stdout.destroy(); // The reader is gone: the next log line meets a closed pipe.
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${baseUrl}/customer/logout`, { method: 'POST' })).status).toBe(401);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(child.exitCode).toBe(null);
      expect(err).toBe('');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
