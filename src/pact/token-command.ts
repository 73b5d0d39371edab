import { spawn } from 'node:child_process';
import { keepTail } from './output-tail.ts';

/** A provider state's values as the token command printed them: `{ token }` for a bare line, the fields of a JSON object. */
export type CommandValues = Record<string, unknown>;

/**
 * Runs `--token-command` for one state setup, with `PACT_STATE` and `PACT_STATE_PARAMS` (JSON) in its environment,
 * and resolves the state's values from its stdout: a JSON object's fields (`{"email": …, "password": …}`), or a
 * bare line as `{ token }`, or nothing as `{}`. Rejects with an Error saying why (its exit code, stopped after
 * `timeoutMs`, or output that is neither) — never quoting what it printed, on stdout or stderr: either may hold a
 * secret (a password a failing script echoed), and the reports must not.
 */
export function runTokenCommand(command: string, state: string, params: unknown, timeoutMs: number): Promise<CommandValues> {
  return new Promise((done, fail) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: Math.max(1, Math.round(timeoutMs)),
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
      if (signal) {
        const slow = signal === 'SIGTERM' ? ` (it ran longer than ${(timeoutMs / 1000).toFixed(1)} s)` : '';
        return fail(new Error(`token command was stopped by ${signal}${slow}`));
      }
      if (code !== 0) {
        const said = stderr.trim() === '' ? '' : ' (what it printed is not quoted: it may hold a secret; run it by hand with PACT_STATE set to see it)';
        return fail(new Error(`token command exited ${code}${said}`));
      }
      try {
        done(valuesOf(stdout.trim()));
      } catch (error) {
        fail(error);
      }
    });
  });
}

/** The values of the command's trimmed stdout; throws an Error describing (never quoting) output it cannot read. */
function valuesOf(text: string): CommandValues {
  if (text === '') return {};
  // No token starts like JSON: such output is meant as JSON, and only an object of values makes sense.
  if (/^[{["]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('token command printed something that starts like JSON but does not parse as JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('token command printed JSON that is not an object of the state\'s values ({"token": …})');
    return parsed as CommandValues;
  }
  if (/\s/.test(text)) {
    throw new Error('token command printed more than a token: print the token alone on one line, or a JSON object of the state\'s values ({"token": …})');
  }
  return { token: text };
}
