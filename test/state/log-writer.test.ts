// The state file's write side on its own (src/state/log-writer.ts): durable writes wait for the disk, and writes that
// queue while one fsync runs share the next one (group commit: what `npm run bench`'s file-store case measures).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LogWriter } from '../../src/state/log-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'wam-log-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Proto = { datasync(): Promise<void> };
let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** Counts FileHandle datasyncs, holding each until `release()` while held. */
async function countFsyncs(): Promise<{ count: () => number; hold(): void; release(): void }> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as Proto;
  await probe.close();
  const real = proto.datasync;
  let count = 0;
  let gate: Promise<void> | undefined;
  let open_: (() => void) | undefined;
  proto.datasync = async function (this: unknown) {
    count++;
    if (gate) await gate;
    return real.call(this);
  };
  restore = () => {
    proto.datasync = real;
  };
  return {
    count: () => count,
    hold() {
      gate = new Promise((resolve) => {
        open_ = resolve;
      });
    },
    release() {
      gate = undefined;
      open_?.();
    },
  };
}

describe('LogWriter', () => {
  it('50 durable writes queued while one fsync runs go to disk with one more fsync, in order, each resolved after it', async () => {
    const path = join(dir, 'group.log');
    const writer = new LogWriter(path, () => ({ text: 'snapshot\n', records: 1 }));
    await writer.open();
    const fsyncs = await countFsyncs();
    fsyncs.hold();
    const first = writer.write('line 0\n', true);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the first batch is now waiting on its fsync
    const rest = Array.from({ length: 50 }, (_, i) => writer.write(`line ${i + 1}\n`, true));
    let settled = 0;
    for (const write of rest) void write.then(() => settled++);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(0);
    fsyncs.release();
    await Promise.all([first, ...rest]);
    expect(fsyncs.count()).toBe(2);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(['snapshot', ...Array.from({ length: 51 }, (_, i) => `line ${i}`)]);
    await writer.close();
  });

  it('a lazy write needs no fsync of its own, and is on disk within 200 ms; close() syncs it', async () => {
    const path = join(dir, 'lazy.log');
    const writer = new LogWriter(path, () => ({ text: '', records: 0 }));
    await writer.open();
    const fsyncs = await countFsyncs();
    await writer.write('journal line\n', false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readFileSync(path, 'utf8')).toBe('journal line\n');
    expect(fsyncs.count()).toBe(0);
    await writer.close();
    expect(fsyncs.count()).toBe(1);
  });

  it('a log past twice the live state (and 10,000 records) is rewritten as the snapshot', async () => {
    const path = join(dir, 'compact.log');
    let live = 'state 0\n';
    const writer = new LogWriter(path, () => ({ text: live, records: 1 }));
    await writer.open();
    for (let i = 1; i < 10_000; i++) writer.queue(`line ${i}\n`);
    await writer.barrier();
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(10_000);
    live = 'state 1\n';
    // The 10,001st record: the log is rewritten as the live state instead (which holds this change).
    await writer.write('one more\n', true);
    expect(readFileSync(path, 'utf8')).toBe('state 1\n');
    await writer.close();
  });
});
