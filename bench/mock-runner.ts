// Child process (run with --expose-gc, over IPC): the mock through its programmatic API, `startMock(options)`
// from the module given (an installed copy's dist/index.js, or src/index.ts), reporting its own memory.
// argv: <module> <options as JSON>. Messages in: 'memory' (answers { heapUsed, rss } after a full GC), 'stop'.
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Mock = { url: string; close(): Promise<void> };

const [modulePath, optionsJson] = process.argv.slice(2);
const { startMock } = (await import(pathToFileURL(modulePath as string).href)) as { startMock: (options: unknown) => Promise<Mock> };
// The bin's bound, beside the index it was given (dist/cli/heap.js, or src/cli/heap.ts).
const heap = join(dirname(modulePath as string), 'cli', `heap${extname(modulePath as string)}`);
const { boundYoungGeneration, boundOldGenerationGrowth } = (await import(pathToFileURL(heap).href)) as {
  boundYoungGeneration: () => void;
  boundOldGenerationGrowth: () => void;
};
// The process is the mock's, as the bin's is: the same bounds on V8's young and old generations.
boundYoungGeneration();
boundOldGenerationGrowth();
const mock = await startMock(JSON.parse(optionsJson ?? '{}'));
const gc = (globalThis as { gc?: () => void }).gc;
const send = (message: unknown) => process.send?.(message);

process.on('message', (message) => {
  if (message === 'memory') {
    for (let i = 0; i < 2; i++) gc?.();
    const usage = process.memoryUsage();
    send({ heapUsed: usage.heapUsed, rss: usage.rss });
  } else if (message === 'stop') {
    void mock.close().then(() => process.disconnect());
  }
});
send({ url: mock.url });
