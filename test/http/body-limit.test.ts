// Issue 25 §3: a body over --max-body, sent by a client that is still uploading when the limit is reached, must get the
// documented 400, not a reset (RFC 9112 §9.6): the mock reads the rest and throws it away (bounded) before it answers.
import { describe, expect, it } from 'vitest';
import { DEMO, useMock, violations } from '../support/mock.ts';

const mock = useMock({ maxBodyBytes: 64 * 1024 });

describe('a body over --max-body', () => {
  it('sent by fetch while still uploading (3 MiB, 20 times): the client reads the documented 400 every time, never EPIPE', async () => {
    const body = JSON.stringify({ ...DEMO, padding: 'x'.repeat(3 * 1024 * 1024) });
    for (let i = 0; i < 20; i++) {
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

  it('a body just under the limit still signs in', async () => {
    const body = JSON.stringify({ ...DEMO, padding: 'x'.repeat(60 * 1024) });
    const response = await fetch(mock.urls['sign-in'], { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
  });
});
