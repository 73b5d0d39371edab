import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonError, readBody, sendJson } from '../http/messages.ts';
import { keepTail } from './output-tail.ts';
import { stripControlChars } from './report.ts';

/** How long one run of the token command may take, in milliseconds, before it is stopped (SIGTERM). */
const TOKEN_COMMAND_TIMEOUT_MS = 30_000;

/**
 * A loopback Pact state-change endpoint that runs `--token-command` with `PACT_STATE` set and answers
 * `{ token }` from its trimmed stdout; a failing command answers 400 (Pact reports the state as not set up)
 * and its reason lands in `errors`, by state name. Resolves the endpoint's URL and a `close()`.
 */
export async function serveTokenCommand(command: string, errors: Map<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    answerStateChange(req, res, command, errors).catch((error: unknown) => sendJson(res, 400, { message: (error as Error).message }));
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ready());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** One state change (`{ state, params, action }`): a setup runs the command; a teardown or no state answers `{}`. */
async function answerStateChange(req: IncomingMessage, res: ServerResponse, command: string, errors: Map<string, string>): Promise<void> {
  const read = await readBody(req, 64 * 1024, 10_000);
  if (!read.ok) return sendJson(res, 413, { message: read.error });
  const text = read.body.toString('utf8');
  let change: { state?: string; params?: unknown; action?: string };
  try {
    change = text.trim() ? JSON.parse(text) : {};
  } catch (error) {
    return sendJson(res, 400, { message: jsonError(error) });
  }
  const { state, params, action } = change;
  if (!state || action === 'teardown') return sendJson(res, 200, {});
  try {
    const token = await runTokenCommand(command, state, params);
    sendJson(res, 200, token === '' ? {} : { token });
  } catch (error) {
    const message = (error as Error).message;
    errors.set(state, message);
    // 4xx: Pact retries a 5xx state change for minutes, and a failed command will not succeed on retry.
    sendJson(res, 400, { message });
  }
}

/** Runs the token command for one state; resolves its trimmed stdout (empty: the state needs no token). */
function runTokenCommand(command: string, state: string, params: unknown): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TOKEN_COMMAND_TIMEOUT_MS,
      env: { ...process.env, PACT_STATE: state, PACT_STATE_PARAMS: JSON.stringify(params ?? {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keepTail(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = keepTail(stderr, chunk);
    });
    child.once('error', (error) => fail(new Error(`token command could not start: ${error.message}`)));
    child.once('close', (code, signal) => {
      const why = stripControlChars(stderr).split('\n').slice(-3).join(' ').slice(0, 300);
      if (signal)
        return fail(new Error(`token command was stopped by ${signal}${signal === 'SIGTERM' ? ` (over ${TOKEN_COMMAND_TIMEOUT_MS / 1000} s?)` : ''}`));
      if (code !== 0) return fail(new Error(`token command exited ${code}${why ? `: ${why}` : ''}`));
      const token = stdout.trim();
      if (/\s/.test(token)) return fail(new Error('token command printed more than a token (print only the token, on one line)'));
      done(token);
    });
  });
}
