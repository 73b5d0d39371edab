// Issue 25 §3: a body over --max-body, sent by a client that is still uploading when the limit is reached, must get the
// documented 400, not a reset (RFC 9112 §9.6): the mock answers at once and reads the rest, throwing it away (bounded).
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEMO, useMock, violations } from '../support/mock.ts';

const mock = useMock({ maxBodyBytes: 64 * 1024 });

describe('a body over --max-body', () => {
  it('sent by fetch while still uploading (3 MiB, 5 times): the client reads the documented 400 every time, never EPIPE', async () => {
    const body = JSON.stringify({ ...DEMO, padding: 'x'.repeat(3 * 1024 * 1024) });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(mock.urls['sign-in'], { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(response.headers.get('x-mock-reason')).toBe(`request body of ${Buffer.byteLength(body)} bytes is over the 65536-byte limit`);
      expect(await violations({ status: response.status, headers: response.headers, body: JSON.parse(text), text }, 'sign-in')).toEqual([]);
    }
  });

  it('streamed by fetch while the mock has already read past the limit (20 times): the client reads the 400, never a reset', async () => {
    for (let i = 0; i < 20; i++) {
      // 40 chunks of 8 KiB, a tick apart: the mock reaches the limit while the client is still uploading.
      let sent = 0;
      const stream = new ReadableStream({
        async pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode(`${JSON.stringify(DEMO).slice(0, -1)},"padding":"`));
          if (sent++ === 40) {
            controller.enqueue(new TextEncoder().encode('"}'));
            controller.close();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
          controller.enqueue(new TextEncoder().encode('y'.repeat(8192)));
        },
      });
      const response = await fetch(mock.urls['sign-in'], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(400);
      expect(response.headers.get('x-mock-reason')).toBe('request body is over the 65536-byte limit');
      await response.text();
    }
  });

  it('a client that reads only once it has sent its whole 3 MiB body (a paused socket) reads the 400, not a reset', async () => {
    const socket = connect(mock.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.pause(); // nothing is read until the upload is done: a close with unread bytes would reset it first
    const received: Buffer[] = [];
    const ended = new Promise<string>((resolve) => {
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('end', () => resolve('end'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    const size = 3 * 1024 * 1024;
    const { pathname } = new URL(mock.urls['sign-in']);
    socket.write(`POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
    const piece = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < size; sent += piece.length) if (!socket.write(piece)) await once(socket, 'drain');
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.resume();
    // The connection outlives the answer: the client asks again on it, then closes.
    socket.end(`GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(await ended).toBe('end');
    const text = Buffer.concat(received).toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 400 ', 'HTTP/1.1 200 ']);
  });

  it('a body that declares more than the limit and 4 MiB is refused unread, with a close', async () => {
    const socket = connect(mock.port, '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const { pathname } = new URL(mock.urls['sign-in']);
    socket.write(`POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n{`);
    await once(socket, 'end');
    const text = Buffer.concat(received).toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    socket.destroy();
  });

  it('a body just under the limit still signs in', async () => {
    const body = JSON.stringify({ ...DEMO, padding: 'x'.repeat(60 * 1024) });
    const response = await fetch(mock.urls['sign-in'], { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
  });
});
