import type { IncomingMessage, ServerResponse } from 'node:http';
import { BODY_TIMEOUT_MS } from '../config/limits.ts';
import { InputError } from '../errors.ts';
import { jsonError, readBody } from './messages.ts';

/** The largest control-API body read, in bytes. */
const MAX_JSON_BODY = 1024 * 1024;
/** Deeper values overflow the stack where tokens are signed and sealed; no control body needs them. */
const MAX_JSON_DEPTH = 32;

/**
 * Reads a JSON request body: `{}` when empty. Throws InputError (field `body`) when it is over 1 MiB, stalls
 * over 10 s, does not parse (named by position, never quoted) or nests deeper than 32 levels.
 */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const result = await readBody(req, MAX_JSON_BODY, BODY_TIMEOUT_MS);
  if (!result.ok) {
    // A stalled or cut-off body, or one declared far too large, is not read further: answer, then close.
    if (result.close) res.setHeader('connection', 'close');
    throw new InputError('body', result.error);
  }
  const text = result.body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError('body', jsonError(error));
  }
  if (deeperThan(value, MAX_JSON_DEPTH)) throw new InputError('body', `body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

/** True when objects or arrays in `value` nest deeper than `limit` (walked without recursion). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}
