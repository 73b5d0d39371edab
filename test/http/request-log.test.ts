import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/request-log.ts';
import type { Mock } from '../../src/mock.ts';
import type { JournalEntry } from '../../src/state/journal.ts';
import { spawnBin } from '../support/bin.ts';
import { logout, mockOn } from '../support/mock.ts';

/** A request log's text as lines (a write may hold several). */
const linesOf = (chunks: readonly string[]) => chunks.join('').split('\n').filter(Boolean);

const entry = (n: number, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  at: '2026-01-02T03:04:05.678Z',
  method: 'POST',
  path: '/auth/api/v1/customer/logout',
  status: 401,
  reason: `request ${n}`,
  operation: 'logout',
  ms: 0.25,
  ...extra,
});

/** Resolves after the current event-loop turn (and its immediates) is over. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('the request log writer', () => {
  it('writes the lines logged in one task in one write, in order, after it; while lines keep coming, at most one write per 10 ms', async () => {
    const writes: string[] = [];
    const log = createLogger('json', (text) => writes.push(text));
    for (let n = 0; n < 100; n++) log.log(entry(n));
    expect(writes).toEqual([]); // nothing written while the task that logs them (writing answers) runs
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(linesOf(writes).map((line) => JSON.parse(line).reason)).toEqual(Array.from({ length: 100 }, (_, n) => `request ${n}`));
    // Lines keep coming: they wait for the next write (at most one per 10 ms), in order, none lost. How many
    // writes that takes depends on the machine's load (a turn may outlast 10 ms), so only the bound is asserted.
    log.log(entry(100));
    await nextTurn();
    log.log(entry(101));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.length).toBeLessThanOrEqual(3);
    expect(linesOf(writes.slice(1)).map((line) => JSON.parse(line).reason)).toEqual(['request 100', 'request 101']);
    log.close();
  });

  it('keeps the pretty format: time, method, path, status, duration, reason, sub and fault', async () => {
    const writes: string[] = [];
    const log = createLogger('pretty', (text) => writes.push(text));
    log.log(entry(1, { status: 200, reason: 'logged out: sign-in revoked', sub: 'cust-1', faultId: 'f-1' }));
    log.log(entry(2, { status: 0, reason: 'network fault reset' }));
    log.flush();
    expect(linesOf(writes)).toEqual([
      '03:04:05.678 POST /auth/api/v1/customer/logout 200 0.25ms - logged out: sign-in revoked sub=cust-1 fault=f-1',
      '03:04:05.678 POST /auth/api/v1/customer/logout no answer 0.25ms - network fault reset',
    ]);
    log.close();
  });

  it('flush() and close() write what is queued at once; after close() nothing more is written', async () => {
    const writes: string[] = [];
    const log = createLogger('json', (text) => writes.push(text));
    log.log(entry(1));
    log.flush();
    expect(linesOf(writes)).toHaveLength(1);
    log.log(entry(2));
    log.close();
    expect(linesOf(writes)).toHaveLength(2);
    log.log(entry(3));
    await nextTurn();
    expect(linesOf(writes)).toHaveLength(2);
  });

  it('leaves a backed-up writer alone, holds lines up to its bound, drops and counts the rest, and says so when it takes lines again', async () => {
    const writes: string[] = [];
    let full = true;
    const log = createLogger(
      'json',
      (text) => {
        if (text !== '') writes.push(text);
        return !full;
      },
      { maxHeldBytes: 10 * JSON.stringify(entry(0)).length + 50, retryMs: 5 },
    );
    log.log(entry(0));
    await nextTurn();
    expect(linesOf(writes)).toHaveLength(1); // taken, but the writer said it is backed up
    for (let n = 1; n <= 30; n++) log.log(entry(n));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(linesOf(writes)).toHaveLength(1); // asked again with empty writes only, still backed up
    full = false;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const lines = linesOf(writes).map((line) => JSON.parse(line));
    expect(lines[1]).toEqual({ dropped: 20, reason: 'request log lines dropped: the output did not keep up' });
    expect(lines.slice(2).map((line) => line.reason)).toEqual(Array.from({ length: 10 }, (_, n) => `request ${n + 1}`));
    log.close();
  });

  it('a writer that throws loses its lines, never the caller', async () => {
    let calls = 0;
    const log = createLogger('pretty', () => {
      calls++;
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    });
    log.log(entry(1));
    await nextTurn();
    log.log(entry(2));
    expect(() => log.close()).not.toThrow();
    expect(calls).toBe(2);
  });
});

describe('the request log of a running mock', () => {
  let mock: Mock | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('after close(), holds one line per request, in the journal order, even for a writer that stayed backed up', async () => {
    const writes: string[] = [];
    // A reader that never catches up: every write says "backed up", so lines wait in the mock until it stops.
    mock = await mockOn({ log: 'json', idempotentLogout: true, logTo: (text) => writes.push(text) === 0 });
    const signIns = await Promise.all(Array.from({ length: 20 }, (_, n) => mock!.issueToken({ sub: `order-${n}` })));
    const answers = await Promise.all(Array.from({ length: 300 }, (_, n) => logout(mock!, n % 3 === 0 ? {} : { token: signIns[n % signIns.length]!.token })));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200, 401]));
    const journal = await mock.requests({ limit: 1000 });
    expect(journal).toHaveLength(300);
    expect(linesOf(writes).length).toBeLessThan(300); // held back, not lost…
    await mock.close();
    const logged = linesOf(writes).map((line) => JSON.parse(line) as JournalEntry);
    expect(logged).toEqual(journal); // …and all there once it stopped, in the order they were answered
    expect(logged.filter((line) => line.status === 200)).toHaveLength(200);
  });

  it('a line of a request answered while the mock clock runs ahead says "(mock time +1h)" after its time', async () => {
    const writes: string[] = [];
    mock = await mockOn({ log: 'pretty', logTo: (text) => writes.push(text) > 0 });
    await logout(mock);
    await mock.clock.advance(3600);
    await logout(mock);
    await mock.close();
    const [before, after] = linesOf(writes);
    expect(before).toMatch(/^\d\d:\d\d:\d\d\.\d{3} POST /);
    expect(after).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \(mock time \+1h\) POST /);
  });

  it('answers every request while its writer is slow, and makes far fewer writes than lines', async () => {
    const writes: string[] = [];
    mock = await mockOn({
      log: 'pretty',
      logTo: (text) => {
        // A terminal that takes 20 ms for each write it is given.
        const until = performance.now() + 20;
        while (performance.now() < until);
        writes.push(text);
      },
    });
    const answers = await Promise.all(Array.from({ length: 200 }, () => logout(mock!)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(200).fill(401));
    await mock.close();
    expect(linesOf(writes)).toHaveLength(200);
    expect(writes.length).toBeLessThan(40);
  });

  it('answers every request when its writer throws (a closed stream)', async () => {
    mock = await mockOn({
      log: 'pretty',
      logTo: () => {
        throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      },
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => logout(mock!)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(401));
    expect(await mock.requests()).toHaveLength(50);
  });
});

describe('the request log of the real bin', () => {
  it('keeps answering while nobody reads its stdout; every line arrives once the reader is back, the last ones at SIGTERM', async () => {
    const bin = await spawnBin();
    try {
      bin.child.stdout?.pause(); // a `| less` left on its first page: the pipe fills, then Node's buffer behind it
      const sent = 2000;
      let answered = 0;
      for (let batch = 0; batch < sent / 100; batch++) {
        const statuses = await Promise.all(
          Array.from({ length: 100 }, async () => {
            const response = await fetch(`${bin.baseUrl}/customer/logout`, { method: 'POST' });
            await response.arrayBuffer();
            return response.status;
          }),
        );
        answered += statuses.filter((status) => status === 401).length;
      }
      expect(answered).toBe(sent);
      const written = bin
        .output()
        .split('\n')
        .filter((line) => line.includes(' POST /auth/api/v1/customer/logout 401 '));
      expect(written.length).toBeLessThan(sent); // the reader has not read them yet
      bin.child.stdout?.resume();
      expect(await bin.stop()).toBe(0);
      const lines = bin
        .output()
        .split('\n')
        .filter((line) => line.includes(' POST /auth/api/v1/customer/logout 401 '));
      expect(lines).toHaveLength(sent);
      expect(bin.output()).not.toMatch(/dropped/);
    } finally {
      bin.child.kill('SIGKILL');
    }
  });
});
