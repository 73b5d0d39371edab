// RSS after the same load, the mock beside bare node:http, each in its own child with bench/memory-probe.js preloaded:
// where each process's memory is (the kernel's split of RSS, V8's heap spaces, external memory), read on SIGUSR2.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Running } from './servers.ts';

/** The preload that reports a process's memory on SIGUSR2. */
export const MEMORY_PROBE = fileURLToPath(new URL('./memory-probe.js', import.meta.url));

/** Where one process's memory is, in bytes. */
export type MemoryBreakdown = {
  /** /proc/PID/status: the whole resident set, its peak, and its split (anonymous memory; pages of mapped files: the node binary's code). */
  readonly rss: number;
  readonly peak: number;
  readonly anon: number;
  readonly file: number;
  /** process.memoryUsage(): V8's heap (committed, in use), memory outside it that JS objects hold (Buffers and the like). */
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** V8's own malloc'd memory (v8.getHeapStatistics().malloced_memory). */
  readonly malloced: number;
  /** After a full GC the probe asks for once the figures above are read: what of the heap and external memory is live. */
  readonly liveHeap: number;
  readonly liveExternal: number;
  /** V8's heap spaces: committed size and size in use (new_space: the young generation; code_space: compiled code). */
  readonly spaces: readonly { readonly name: string; readonly size: number; readonly used: number }[];
};

/** A server started with the memory probe: what to give the launcher, and how to read the server's memory. */
export type Probed = {
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  read(server: Running): Promise<MemoryBreakdown>;
  dispose(): Promise<void>;
};

/** A probe writing to a file of its own. */
export async function memoryProbe(name: string): Promise<Probed> {
  const file = join(tmpdir(), `worth-bench-memory-${process.pid}-${name}.jsonl`);
  await writeFile(file, '');
  return {
    nodeFlags: ['--import', MEMORY_PROBE],
    env: { WORTH_BENCH_MEMORY_FILE: file },
    async read(server) {
      const before = (await readFile(file, 'utf8')).length;
      process.kill(server.pid, 'SIGUSR2');
      const deadline = performance.now() + 5000;
      for (;;) {
        const text = (await readFile(file, 'utf8')).slice(before);
        const line = text.split('\n').find((each) => each.startsWith('{'));
        if (line !== undefined) return breakdown(JSON.parse(line) as Report);
        if (performance.now() > deadline) throw new Error(`${server.kind} (pid ${server.pid}) wrote no memory report`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    dispose: () => rm(file, { force: true }),
  };
}

type Report = {
  /** /proc/self/status, read before the GC. */
  status: string;
  usage: NodeJS.MemoryUsage;
  spaces: { name: string; size: number; used: number }[];
  malloced: number;
  afterGc: { heapUsed: number; external: number };
};

function breakdown(report: Report): MemoryBreakdown {
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(report.status)?.[1] ?? 0) * 1024;
  return {
    rss: kb('VmRSS'),
    peak: kb('VmHWM'),
    anon: kb('RssAnon'),
    file: kb('RssFile') + kb('RssShmem'),
    heapTotal: report.usage.heapTotal,
    heapUsed: report.usage.heapUsed,
    external: report.usage.external,
    arrayBuffers: report.usage.arrayBuffers,
    malloced: report.malloced,
    liveHeap: report.afterGc.heapUsed,
    liveExternal: report.afterGc.external,
    spaces: report.spaces,
  };
}

const MB = 1024 * 1024;

/** The breakdown's rows for the report: each figure of the mock beside bare Node's, and what the mock has more. */
export function breakdownRows(mock: MemoryBreakdown, bare: MemoryBreakdown): [string, string, string, string][] {
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  const row = (what: string, pick: (m: MemoryBreakdown) => number): [string, string, string, string] => {
    const a = pick(mock);
    const b = pick(bare);
    return [what, mb(a), mb(b), `${a - b >= 0 ? '+' : ''}${mb(a - b)}`];
  };
  const space = (name: string) => (m: MemoryBreakdown) => m.spaces.find((each) => each.name === name)?.size ?? 0;
  const otherSpaces = (m: MemoryBreakdown) =>
    m.spaces.filter((each) => !['new_space', 'old_space', 'code_space'].includes(each.name)).reduce((sum, each) => sum + each.size, 0);
  // What the kernel counts as anonymous memory beyond V8's committed heap and the external memory JS holds: Node's,
  // libuv's, OpenSSL's and V8's own mallocs, thread stacks, the allocator's free lists.
  const native = (m: MemoryBreakdown) => m.anon - m.heapTotal - m.external;
  return [
    row('RSS (VmRSS)', (m) => m.rss),
    row('  peak (VmHWM)', (m) => m.peak),
    row('  mapped files (RssFile + RssShmem: the node binary and libraries)', (m) => m.file),
    row('  anonymous (RssAnon)', (m) => m.anon),
    row('V8 heap, committed (heapTotal)', (m) => m.heapTotal),
    row('  young generation (new_space)', space('new_space')),
    row('  old generation (old_space)', space('old_space')),
    row('  compiled code (code_space)', space('code_space')),
    row('  other spaces (large objects, maps, trusted, read-only, …)', otherSpaces),
    row('V8 heap in use (heapUsed)', (m) => m.heapUsed),
    row('  live: in use after a full GC', (m) => m.liveHeap),
    row('external (Buffers, array buffers, strings outside the heap)', (m) => m.external),
    row('  live: after a full GC', (m) => m.liveExternal),
    row('V8 malloced memory', (m) => m.malloced),
    row('native: anonymous − V8 heap − external', native),
  ];
}
