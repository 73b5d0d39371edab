import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from '../http/messages.ts';
import { callHttp, describeFailure, isTimeout } from './http-call.ts';
import { stripControlChars } from './report.ts';
import { runTokenCommand } from './token-command.ts';

/** Where the state changes really go: the provider's state endpoint (`--state-setup-url`) or `--token-command`. */
export type StateUpstream = { readonly url: string } | { readonly command: string };

/** One state change as the proxy saw it: never the values themselves, only their names. */
export type StateEvent = {
  readonly state: string;
  readonly action: 'setup' | 'teardown';
  /** The names of the values the setup answered (`token`, `refreshToken`, …). */
  readonly valueNames: readonly string[];
  /** Why it failed, naming the endpoint or the command; undefined when it worked. */
  readonly failure?: string;
};

/** What the proxy reports to: each event, and the string values answered (secrets the report must not show). */
export type StateListener = { onEvent(event: StateEvent): void; onSecrets(values: readonly string[]): void };

/** The local state endpoint the Pact Verifier calls: its URL, `markDown()` and `close()`. */
export type StateProxy = {
  readonly url: string;
  /** From now on every named state fails at once with this cause (the endpoint is down: no call would answer in time). */
  markDown(cause: string): void;
  close(): Promise<void>;
};

/** Longest line of a failing state endpoint's body quoted in the report. */
const FIRST_LINE_MAX = 200;

/**
 * Starts a loopback Pact state-change endpoint in front of `upstream`. It answers an interaction without a state
 * (`"state": ""`) itself; forwards each named state's setup and teardown within `timeoutMs()`; and turns every
 * failure (refused, timed out, a 4xx/5xx, a failing command) into a quick 400 for the Verifier — Pact retries a 5xx
 * or a dropped call for minutes — while `listener` records the real cause with the URL the user gave (and, for a 4xx/5xx,
 * the first line of what it said: a JSON answer's `message`).
 * After a call times out, the endpoint counts as down and later calls fail at once.
 */
export async function startStateProxy(upstream: StateUpstream, timeoutMs: () => number, listener: StateListener): Promise<StateProxy> {
  let down: string | undefined;
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => sendJson(res, 400, { message: `worth-auth-mock verify: ${(error as Error)?.message ?? String(error)}` }));
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readBody(req, 1024 * 1024, 10_000);
    if (!read.ok) return sendJson(res, 400, { message: read.error });
    const text = read.body.toString('utf8');
    let change: { state?: unknown; params?: unknown; action?: unknown };
    try {
      change = text.trim() ? JSON.parse(text) : {};
    } catch {
      return sendJson(res, 400, { message: 'a state change is a JSON object { state, params, action }' });
    }
    const state = typeof change.state === 'string' ? change.state : '';
    const action = change.action === 'teardown' ? 'teardown' : 'setup';
    // No state: nothing to set up, so the stateless interactions do not depend on the state endpoint at all.
    if (state === '') return sendJson(res, 200, {});
    const fail = (failure: string) => {
      listener.onEvent({ state, action, valueNames: [], failure });
      sendJson(res, 400, { message: `worth-auth-mock verify: ${failure}` });
    };
    if (down !== undefined) return fail(down);

    if ('command' in upstream) {
      // The command prints a setup's values; there is nothing to tear down.
      if (action === 'teardown') return sendJson(res, 200, {});
      try {
        const values = await runTokenCommand(upstream.command, state, change.params, timeoutMs());
        record(state, action, values);
        return sendJson(res, 200, values);
      } catch (error) {
        return fail((error as Error).message);
      }
    }

    let reply: Awaited<ReturnType<typeof callHttp>>;
    try {
      reply = await callHttp(upstream.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, timeoutMs: timeoutMs() });
    } catch (error) {
      const cause = `state endpoint ${describeFailure(error, upstream.url)}`;
      if (isTimeout(error)) down = `${cause} (not called again in this run)`;
      return fail(cause);
    }
    if (reply.status < 200 || reply.status > 299) {
      const line = firstLine(reasonOf(reply.body.toString('utf8')));
      return fail(`state endpoint ${upstream.url} answered ${reply.status} to its ${action}${line ? `: ${line}` : ''}`);
    }
    record(state, action, parseObject(reply.body.toString('utf8')));
    res.writeHead(reply.status, { 'content-type': String(reply.headers['content-type'] ?? 'application/json') });
    res.end(reply.body);
  }

  function record(state: string, action: 'setup' | 'teardown', values: Record<string, unknown>): void {
    listener.onSecrets(Object.values(values).filter((v): v is string => typeof v === 'string'));
    listener.onEvent({ state, action, valueNames: Object.keys(values) });
  }

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ready());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    markDown(cause) {
      down = cause;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** What a failing state endpoint said: a JSON answer's `message` (this mock's, and most frameworks' error shape), else its text. */
function reasonOf(text: string): string {
  const message = parseObject(text).message;
  return typeof message === 'string' && message.trim() !== '' ? message : text;
}

/** A body's first non-empty line, control characters out, at most FIRST_LINE_MAX characters. */
function firstLine(text: string): string {
  const line =
    stripControlChars(text)
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return line.length > FIRST_LINE_MAX ? `${line.slice(0, FIRST_LINE_MAX - 1)}…` : line;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
