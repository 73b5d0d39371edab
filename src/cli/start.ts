import type { Command } from 'commander';
import type { ConfigInput } from '../config/config.ts';
import { loadConfig } from '../config/load.ts';
import { OPTIONS } from '../config/options.ts';
import type { Io } from '../io.ts';
import { DEMO_USER } from '../users/user.ts';
import { banner, isDemo } from './banner.ts';

/**
 * `start`: starts the mock from the command's flags and env vars, prints the banner, and runs until `io.signal`
 * aborts (Ctrl-C, SIGTERM), then closes it. Throws ConfigError for a bad option (exit 2) and whatever `startMock` throws.
 */
export async function runStart(command: Command, io: Io): Promise<void> {
  const input = startInput(command);
  const { alg, keyFile } = loadConfig(input);
  // Making RSA keys (~30–100 ms on the thread pool) overlaps loading the server's modules on the main thread.
  const keys = import('../tokens/keys.ts').then(({ createKeySet }) => createKeySet(alg, keyFile));
  keys.catch(() => {}); // startMock awaits it and reports its error; this only keeps it from being "unhandled" meanwhile.
  const { startMock } = await import('../mock.ts');
  const mock = await startMock({ ...input, keys, log: input.log ?? 'pretty', logTo: (line) => io.stdout(line) });
  const users = await mock.users.list();
  // The ready token is the demo customer's when it can sign in, so `sessions --sub` finds it beside its sign-ins.
  const demo = isDemo(mock.config, users);
  const signIn = await mock.issueToken(
    demo
      ? { sub: DEMO_USER.sub, claims: { email: DEMO_USER.email, given_name: DEMO_USER.given_name, family_name: DEMO_USER.family_name } }
      : { sub: 'cust-demo' },
  );
  io.stdout(banner(io, mock, { signIn, users, adminTokenFromEnv: command.getOptionValueSource('adminToken') === 'env' }));
  io.onStarted?.({ url: mock.url, baseUrl: mock.baseUrl });
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  io.stdout('\nstopping…\n');
  await mock.close();
}

/** Start options as loadConfig takes them: flags and env vars by config key; booleans from env parsed strictly. */
function startInput(command: Command): ConfigInput {
  const opts = command.opts();
  const input: Record<string, unknown> = {};
  for (const row of OPTIONS) {
    const option = command.options.find((o) => o.long === row.flag);
    if (!option) continue;
    const name = option.attributeName();
    if (opts[name] === undefined) continue;
    const fromEnv = command.getOptionValueSource(name) === 'env';
    input[row.key] = fromEnv && option.isBoolean() ? process.env[row.env] : opts[name];
  }
  return input as ConfigInput;
}
