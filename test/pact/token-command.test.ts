import { describe, expect, it } from 'vitest';
import { runTokenCommand } from '../../src/pact/token-command.ts';

// `--token-command` prints a state's values: a bare token, or a JSON object of values; anything else is refused
// with a reason that never quotes what it printed (it holds secrets).
describe('runTokenCommand', () => {
  const run = (command: string) => runTokenCommand(command, 'a customer with credentials', { tier: 'gold' }, 5000);

  it.each([
    { printed: 'echo eyJhbGciOiJSUzI1NiJ9.e30.c2ln', values: { token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' } },
    { printed: `echo '{"email":"a@example.com","password":"pw-1"}'`, values: { email: 'a@example.com', password: 'pw-1' } },
    { printed: 'true', values: {} },
  ])('$printed → $values', async ({ printed, values }) => {
    expect(await run(printed)).toEqual(values);
  });

  it('sees the state and its params in its environment', async () => {
    expect(await run(`printf '{"state":"%s","params":%s}' "$PACT_STATE" "$PACT_STATE_PARAMS"`)).toEqual({
      state: 'a customer with credentials',
      params: { tier: 'gold' },
    });
  });

  it.each([
    { printed: "echo 'token-one token-two'", why: 'printed more than a token' },
    { printed: `echo '{"email": "a@example.com", hunter2'`, why: 'does not parse' },
    { printed: `echo '["hunter2"]'`, why: 'JSON that is not an object' },
    { printed: 'echo hunter2-secret >&2; exit 3', why: 'exited 3 (what it printed is not quoted' },
  ])('refuses $printed: $why', async ({ printed, why }) => {
    const error = await run(printed).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain(why);
    // What it printed is never quoted, on stdout or stderr: a failing script may echo a password.
    expect(error?.message).not.toContain('hunter2');
  });

  it('is stopped when it runs longer than its limit', async () => {
    const error = await runTokenCommand('sleep 5', 'a state', {}, 200).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/stopped by SIGTERM \(it ran longer than 0\.2 s\)/);
  });
});
