// Preloaded into a server under test (`node --import bench/memory-probe.js …`, the bench's RSS runs): on SIGUSR2 it
// appends one JSON line to the file named by WORTH_BENCH_MEMORY_FILE with where the process's memory is, as the kernel,
// V8 and Node see it: /proc/self/status, process.memoryUsage(), V8's heap spaces (new, old, code, large objects, …)
// and its heap statistics (malloced memory); then, after a full GC it asks for (what is garbage and what is live),
// the heap and external memory in use again. Nothing else: no timer, no listener but the signal's.
// Plain JavaScript: a .ts preload would load Node's type stripper into the process it measures.
import { appendFileSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

const file = process.env.WORTH_BENCH_MEMORY_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const status = process.platform === 'linux' ? readFileSync('/proc/self/status', 'utf8') : '';
    const usage = process.memoryUsage();
    const spaces = v8.getHeapSpaceStatistics().map((space) => ({ name: space.space_name, size: space.space_size, used: space.space_used_size }));
    const { malloced_memory: malloced } = v8.getHeapStatistics();
    // A full GC on request, without --expose-gc on the command line (which would change the process measured).
    v8.setFlagsFromString('--expose-gc');
    runInNewContext('gc')();
    const { heapUsed, external, arrayBuffers } = process.memoryUsage();
    const line = { pid: process.pid, status, usage, spaces, malloced, afterGc: { heapUsed, external, arrayBuffers } };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
