import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/io.ts';

/** What one in-process CLI run printed and returned. */
export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs the CLI in-process with captured output (no colours). */
export async function runCli(argv: string[]): Promise<CliRun> {
  const run = backgroundCli(argv);
  return run.done;
}

/** A CLI run that goes on (`requests --follow`) until `stop()`, which ends it as Ctrl-C does. */
export type BackgroundCli = {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches `pattern` (rejects after `ms` with what was printed). */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  readonly done: Promise<CliRun>;
  stop(): Promise<CliRun>;
};

/** Starts a CLI run in-process (no colours) with its own abort signal; `stop()` aborts it and resolves how it ended. */
export function backgroundCli(argv: string[]): BackgroundCli {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), color: false, signal: controller.signal };
  const done = main(argv, io).then((code) => ({ code, stdout, stderr }));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async waitFor(pattern, ms = 5000) {
      const until = Date.now() + ms;
      while (!pattern.test(stdout)) {
        if (Date.now() > until) throw new Error(`no ${pattern} within ${ms} ms; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    done,
    stop: () => {
      controller.abort();
      return done;
    },
  };
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

/** The lines of a banner (or any output) that are commands to copy: two-space indented, starting with `curl` or `export`. */
export function commandLines(output: string, prefix: 'curl' | 'export'): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(`  ${prefix} `))
    .map((line) => line.trim());
}
