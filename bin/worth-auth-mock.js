#!/usr/bin/env node
// The executable: wires signals and stdio to main() and sets the exit code. Everything else is in src/cli/main.ts.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// V8's code cache on disk (Node's own temp dir): every start after the first skips compiling the modules again.
module.enableCompileCache?.();

// Node strips types from .ts files everywhere but inside node_modules, where the built dist/ is used instead.
const installed = fileURLToPath(import.meta.url)
  .split(/[\\/]/)
  .includes('node_modules');
const [major, minor] = process.versions.node.split('.').map(Number);
if (!installed && (major < 22 || (major === 22 && minor < 18))) {
  process.stderr.write(
    `worth-auth-mock: running from source needs Node.js 22.18+ (this is ${process.version}); use \`npm start\` or \`npx worth-auth-mock\`, which use the project's pinned Node 24\n`,
  );
  process.exitCode = 1;
} else {
  const starting = process.argv[2] === 'start';
  // Installed, the CLI is one bundle (dist/bundle/cli.js, a chunk per command or mode loaded when asked); from source,
  // its modules one by one. A `start` makes two RSA keys (~30–150 ms each, on the thread pool): begun as early as can
  // be, they overlap loading the rest.
  if (starting && !installed) (await import('../src/tokens/key-pool.ts')).prepareRsaKeys();
  const cli = await import(installed ? '../dist/bundle/cli.js' : '../src/cli/main.ts');
  if (starting && installed) cli.prepareRsaKeys();
  const { main, boundYoungGeneration, boundOldGenerationGrowth } = cli;
  // A `start` process is the mock's: its young generation stays small and its old one grows little past what is live
  // (src/cli/heap.ts), unless Node was told otherwise.
  const told = (flag) => [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes(flag));
  if (starting && !told('semi-space')) boundYoungGeneration();
  if (starting && !told('heap-growing')) boundOldGenerationGrowth();
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => controller.abort());
  // A reader that went away (`worth-auth-mock start | head`) ends our output, not the mock: no EPIPE crash.
  const gone = new Set();
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => gone.add(stream));
  const writeTo = (stream) => (text) => gone.has(stream) || stream.write(text);
  process.exitCode = await main(process.argv.slice(2), {
    stdout: writeTo(process.stdout),
    stderr: writeTo(process.stderr),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    signal: controller.signal,
  });
}
