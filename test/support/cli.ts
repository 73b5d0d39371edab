import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/io.ts';

/** What one in-process CLI run printed and returned. */
export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs the CLI in-process with captured output (no colours). */
export async function runCli(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), color: false, signal: new AbortController().signal };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Starts `worth-auth-mock start …` in-process; resolves once it listens, with a `stop()` that ends it like Ctrl-C. */
export async function startCli(argv: string[]): Promise<{ url: string; baseUrl: string; output: () => string; stop: () => Promise<CliRun> }> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let started: (info: { url: string; baseUrl: string }) => void = () => {};
  const ready = new Promise<{ url: string; baseUrl: string }>((resolve) => (started = resolve));
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    color: false,
    signal: controller.signal,
    onStarted: (info) => started(info),
  };
  const run = main(['start', ...argv], io);
  const info = await Promise.race([ready, run.then((code) => Promise.reject(new Error(`start exited ${code}: ${stderr}`)))]);
  return {
    ...info,
    output: () => stdout,
    stop: async () => {
      controller.abort();
      const code = await run;
      return { code, stdout, stderr };
    },
  };
}
