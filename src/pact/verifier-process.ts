import { type ChildProcess, spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepTail } from './output-tail.ts';
import { stripControlChars, type VerifierJson } from './report.ts';
import type { VerifierAnswer, VerifierRequest } from './verifier-child.ts';

/** A child process running Pact's Verifier (verifier-child.ts), one verification at a time. */
export type VerifierProcess = {
  /**
   * Runs one verification and resolves the child's answer. Rejects with an Error whose message says how the
   * child ended, and the end of Pact's output, when it dies (or is stopped) before answering.
   */
  verify(request: VerifierRequest): Promise<VerifierAnswer>;
  /** Kills the child (SIGKILL: a Verifier stuck in native code ignores gentler signals); a pending verify rejects. */
  stop(): void;
  /** The child's process id (tests use it). */
  readonly pid: number | undefined;
};

/** Lines of Pact's own output quoted when the child dies. */
const TAIL_LINES = 20;

/** Starts verifier-child.ts in a child process on this Node (`PACT_DO_NOT_TRACK` defaults to true there). */
export function startVerifierProcess(): VerifierProcess {
  const here = fileURLToPath(import.meta.url);
  // Beside this file: verifier-child.ts from source, verifier-child.js in the built package.
  const entry = new URL(`./verifier-child${extname(here)}`, import.meta.url).href;
  const child: ChildProcess = spawn(process.execPath, ['-e', `import(${JSON.stringify(entry)}).then((m) => m.serveVerification())`], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: childEnv(process.env),
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = keepTail(output, chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let ended: string | undefined;
  let pending: { resolve: (answer: VerifierAnswer) => void; reject: (error: Error) => void } | undefined;
  const died = (how: string) => {
    ended ??= how;
    const last = stripControlChars(output).split('\n').slice(-TAIL_LINES).join('\n');
    pending?.reject(new Error(`the Pact verifier process ${ended} before it reported${last ? `; its last output:\n${last}` : ''}`));
    pending = undefined;
  };
  child.on('message', (answer: VerifierAnswer) => {
    pending?.resolve(answer);
    pending = undefined;
  });
  child.once('error', (error) => died(`could not start (${error.message})`));
  child.once('exit', (code, signal) => died(signal ? `was stopped by ${signal}` : `exited ${code}`));

  return {
    pid: child.pid,
    verify(request) {
      if (ended !== undefined) return Promise.reject(new Error(`the Pact verifier process ${ended}`));
      if (pending) return Promise.reject(new Error('the Pact verifier process is busy'));
      output = '';
      return new Promise<VerifierAnswer>((resolve, reject) => {
        pending = { resolve, reject };
        child.send(request, (error) => {
          if (error) died(`could not be reached (${error.message})`);
        });
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * The child's environment. Pact JS's own proxy sends every provider request through HTTPS_PROXY / HTTP_PROXY
 * (upper case only, ignoring NO_PROXY), and the provider it sees is our loopback proxy, which a corporate proxy
 * cannot reach: the child gets the lower-case names, which Pact's core still uses for a broker, and loopback in
 * NO_PROXY for the core's calls to our proxies. The parent reaches the real provider through the proxy itself.
 */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PACT_DO_NOT_TRACK: env.PACT_DO_NOT_TRACK ?? 'true' };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY'] as const) {
    const value = env[name];
    delete out[name];
    if (value !== undefined) out[name.toLowerCase()] ??= value;
  }
  const noProxy = [env.no_proxy ?? env.NO_PROXY, '127.0.0.1,localhost'].filter(Boolean).join(',');
  out.no_proxy = noProxy;
  out.NO_PROXY = noProxy;
  return out;
}

/** The verifier's JSON from the child's answer; a verifier that did not run, or answered no JSON report, reads as one failed error. */
export function verifierJsonOf(answer: VerifierAnswer): VerifierJson {
  const json = answer.ran ? parseVerifierJson(answer.json) : undefined;
  const why = answer.ran ? 'its report is not JSON' : answer.message;
  return json ?? { result: false, errors: [{ interaction: 'Pact verifier', mismatch: { type: 'error', message: `could not run: ${why}` } }] };
}

function parseVerifierJson(text: string): VerifierJson | undefined {
  try {
    const parsed = JSON.parse(text) as VerifierJson;
    return typeof parsed?.result === 'boolean' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
