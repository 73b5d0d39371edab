import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { type ConfigInput, loadConfig, OPTIONS } from '../config.ts';
import type { IssuedTokens, SessionView } from '../control/services.ts';
import { ConfigError, InputError, isMockError, PactVerificationError, RemoteError } from '../errors.ts';
import type { Fault } from '../faults/fault.ts';
import type { Io } from '../io.ts';
import type { JournalEntry } from '../state/journal.ts';
import { TOKEN_KINDS } from '../tokens/token-kinds.ts';
import { collect, collectClaim, positiveInt, probabilityArg, wholeNumber } from './arguments.ts';
import { createClient } from './client.ts';
import { banner, describeFault, key, paint } from './format.ts';

export { boundYoungGeneration } from '../heap.ts';

const DEFAULT_URL = 'http://127.0.0.1:4010';

/** Runs the CLI; resolves the exit code (0 ok, 1 failure, 2 usage). Never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    return exitCodeOf(error, io);
  }
}

function exitCodeOf(error: unknown, io: Io): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof ConfigError || error instanceof InputError) {
    io.stderr(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof RemoteError) {
    io.stderr(`error: ${error.message}\n`);
    return error.status === 400 ? 2 : 1;
  }
  if (error instanceof PactVerificationError) {
    io.stderr(`${error.message}\n`);
    return 1;
  }
  if (isMockError(error)) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  io.stderr(`error: unexpected failure: ${(error as Error)?.message ?? String(error)}\n`);
  return 1;
}

function buildProgram(io: Io): Command {
  const program = new Command('worth-auth-mock')
    .description("A stateful mock of the Auth Service's Customer Logout operation (POST /auth/api/v1/customer/logout)")
    .version(VERSION)
    .exitOverride()
    .configureHelp({ helpWidth: 100 })
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: (s, write) => write(paint(io, 'red', s)) });

  const start = program.command('start').description('start the mock and print a banner with a ready customer token');
  for (const row of OPTIONS) {
    const option = new Option(`${row.flag}${row.value ? ` ${row.value}` : ''}`, row.help).env(row.env);
    if (row.choices) option.choices(row.choices);
    start.addOption(option);
  }
  start.action(async (_opts, command: Command) => {
    const input = startInput(command);
    const { alg, keyFile } = loadConfig(input);
    // Making RSA keys (~30–100 ms on the thread pool) overlaps loading the server's modules on the main thread.
    const keys = import('../tokens/keys.ts').then(({ createKeySet }) => createKeySet(alg, keyFile));
    keys.catch(() => {}); // startMock awaits it and reports its error; this only keeps it from being "unhandled" meanwhile.
    const { startMock } = await import('../mock.ts');
    const mock = await startMock({ ...input, keys, log: input.log ?? 'pretty', logTo: (line) => io.stdout(line) });
    const signIn = await mock.issueToken({ sub: 'cust-demo' });
    io.stdout(banner(io, mock, signIn));
    io.onStarted?.({ url: mock.url, baseUrl: mock.baseUrl });
    await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
    io.stdout('\nstopping…\n');
    await mock.close();
  });

  const remote = (command: Command) =>
    command
      .addOption(new Option('--url <url>', 'the running mock').env('WORTH_MOCK_URL').default(DEFAULT_URL))
      .addOption(new Option('--admin-token <secret>', "the mock's admin token, if it has one").env('WORTH_MOCK_ADMIN_TOKEN'));
  const clientOf = (opts: { url: string; adminToken?: string }) => createClient(opts.url, opts.adminToken);

  remote(program.command('token'))
    .description('mint a token on the running mock and print it (the access token; --json for the whole sign-in)')
    .option('--sub <sub>', 'the customer (sub claim)')
    .option('--role <role>', 'custom:role (default customer)')
    .option('--ttl <seconds>', 'lifetime in seconds', positiveInt)
    .addOption(new Option('--kind <kind>', 'a valid token or a canned bad one').choices(TOKEN_KINDS).default('valid'))
    .option('--claim <name=value>', 'an extra claim (repeatable; value parsed as JSON when it can be)', collectClaim, {})
    .option('--id-token', 'print the id token instead of the access token')
    .option('--json', 'print the whole answer as JSON')
    .action(async (opts) => {
      const body = {
        ...(opts.sub ? { sub: opts.sub } : {}),
        ...(opts.role ? { role: opts.role } : {}),
        ...(opts.ttl ? { ttlSeconds: opts.ttl } : {}),
        kind: opts.kind,
        ...(Object.keys(opts.claim).length ? { claims: opts.claim } : {}),
      };
      const issued = await clientOf(opts).request<IssuedTokens>('POST', '/__mock/tokens', body);
      io.stdout(opts.json ? `${JSON.stringify(issued, null, 2)}\n` : `${opts.idToken ? issued.idToken : issued.token}\n`);
    });

  const fault = program.command('fault').description('arm, list and clear faults on the running mock');
  remote(fault.command('arm'))
    .description('arm a fault: a documented status, a network fault or a delay')
    .argument('[status]', 'a status the spec documents for the operation (others are refused, naming the allowed ones)', positiveInt)
    .addOption(new Option('--network <kind>', 'break the connection instead').choices(['reset', 'empty', 'hang', 'garbage']))
    .option('--times <n>', 'how many matching requests it fires for (default 1)', positiveInt)
    .option('--forever', 'fire until cleared')
    .option('--skip <n>', 'let this many matching requests pass first', wholeNumber)
    .option('--probability <p>', 'fire with this probability (0-1), seeded', probabilityArg)
    .option('--seed <n>', 'seed of the probability draws', wholeNumber)
    .option('--delay <ms>', 'delay the answer by this many milliseconds', wholeNumber)
    .option('--ttl <ms>', 'disarm after this many milliseconds', positiveInt)
    .option('--sub <sub>', 'only for this customer')
    .option('--sid <sid>', "only for this sign-in (the tokens' origin_jti)")
    .option('--session <name>', 'only for requests with this X-Mock-Session header or mock_session cookie')
    .option('--json', 'print the armed fault as JSON')
    .action(async (status: number | undefined, opts) => {
      if (opts.forever && opts.times !== undefined) throw new ConfigError('--times', '--times and --forever cannot be used together');
      const match = { ...(opts.sub ? { sub: opts.sub } : {}), ...(opts.sid ? { sid: opts.sid } : {}), ...(opts.session ? { session: opts.session } : {}) };
      const body = {
        ...(status !== undefined ? { status } : {}),
        ...(opts.network ? { network: opts.network } : {}),
        ...(opts.forever ? { times: null } : opts.times !== undefined ? { times: opts.times } : {}),
        ...(opts.skip !== undefined ? { skip: opts.skip } : {}),
        ...(opts.probability !== undefined ? { probability: opts.probability } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.delay !== undefined ? { delayMs: opts.delay } : {}),
        ...(opts.ttl !== undefined ? { ttlMs: opts.ttl } : {}),
        ...(Object.keys(match).length ? { match } : {}),
      };
      const armed = await clientOf(opts).request<Fault>('POST', '/__mock/faults', body);
      io.stdout(opts.json ? `${JSON.stringify(armed, null, 2)}\n` : `armed ${armed.id}: ${describeFault(armed)}\n`);
    });
  remote(fault.command('list'))
    .description('list armed faults and what each has left')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { faults } = await clientOf(opts).request<{ faults: Fault[] }>('GET', '/__mock/faults');
      if (opts.json) return io.stdout(`${JSON.stringify(faults, null, 2)}\n`);
      io.stdout(faults.length === 0 ? 'no faults armed\n' : faults.map((f) => `${f.id}  ${describeFault(f)}  (fired ${f.hits}×)\n`).join(''));
    });
  remote(fault.command('clear'))
    .description('disarm one fault, or all')
    .argument('[id]', 'the fault to clear (default: all)')
    .action(async (id: string | undefined, opts) => {
      const path = id ? `/__mock/faults/${encodeURIComponent(id)}` : '/__mock/faults';
      const { cleared } = await clientOf(opts).request<{ cleared: number }>('DELETE', path);
      io.stdout(`cleared ${cleared} fault${cleared === 1 ? '' : 's'}\n`);
    });

  remote(program.command('requests'))
    .description("show the running mock's request journal (never raw tokens)")
    .option('--sub <sub>', 'only this customer')
    .option('--sid <sid>', 'only this sign-in')
    .option('--session <name>', 'only this client session')
    .option('--status <status>', 'only this status', wholeNumber)
    .option('--fault <id>', 'only the requests this fault answered')
    .option('--since <time>', 'only from this ISO time or epoch ms on')
    .option('--limit <n>', 'only the newest n', positiveInt)
    .option('--follow', 'keep printing new requests until interrupted')
    .option('--json', 'one JSON object per line')
    .action(async (opts) => {
      const client = clientOf(opts);
      const print = (entry: JournalEntry) =>
        io.stdout(
          opts.json
            ? `${JSON.stringify(entry)}\n`
            : `${entry.at}  ${entry.method} ${entry.path}  ${entry.status || 'no answer'}  ${entry.reason}${entry.sub ? `  sub=${entry.sub}` : ''}${entry.faultId ? `  fault=${entry.faultId}` : ''}\n`,
        );
      const params = new URLSearchParams();
      for (const key of ['sub', 'sid', 'session', 'status', 'since', 'limit'] as const) if (opts[key] !== undefined) params.set(key, String(opts[key]));
      if (opts.fault !== undefined) params.set('faultId', opts.fault);
      let seen = new Set<string>();
      let since: string | undefined = opts.since;
      do {
        if (since !== undefined) params.set('since', since);
        const { requests } = await client.request<{ requests: JournalEntry[] }>('GET', `/__mock/requests?${params}`);
        const fresh = requests.filter((e) => !seen.has(key(e)));
        fresh.forEach(print);
        if (requests.length > 0) {
          since = requests[requests.length - 1]!.at;
          seen = new Set(requests.filter((e) => e.at === since).map(key));
        }
        if (opts.follow) await new Promise((r) => setTimeout(r, 500));
      } while (opts.follow && !io.signal.aborted);
    });

  remote(program.command('sessions'))
    .description('list issued tokens (by jti) and whether each is active, logged out or expired')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { sessions } = await clientOf(opts).request<{ sessions: SessionView[] }>('GET', '/__mock/sessions');
      if (opts.json) return io.stdout(`${JSON.stringify(sessions, null, 2)}\n`);
      io.stdout(
        sessions.length === 0
          ? 'no tokens issued\n'
          : sessions.map((s) => `${s.jti}  ${s.tokenUse.padEnd(6)} ${s.status.padEnd(10)} sub=${s.sub} sid=${s.sid}\n`).join(''),
      );
    });

  remote(program.command('reset'))
    .description('forget tokens, revocations, faults and the journal of the running mock')
    .action(async (opts) => {
      await clientOf(opts).request('POST', '/__mock/reset');
      io.stdout('reset\n');
    });

  program
    .command('verify')
    .description('verify pacts against a real provider (--provider-base-url) or, by default, against this mock')
    .option('--pact <file|dir>', 'pact file or folder (default: ./pacts, else the pacts bundled with worth-auth-mock; none with --broker-url)')
    .addOption(new Option('--provider-base-url <url>', 'the real provider to verify').env('WORTH_MOCK_PROVIDER_BASE_URL'))
    .addOption(new Option('--state-setup-url <url>', "the provider's Pact state-change endpoint").env('WORTH_MOCK_STATE_SETUP_URL'))
    .option(
      '--token-command <cmd>',
      'a command that prints the values of the state named in $PACT_STATE: a token on one line, or a JSON object (instead of --state-setup-url)',
    )
    .addOption(new Option('--broker-url <url>', 'fetch pacts from this Pact Broker').env('PACT_BROKER_BASE_URL'))
    .addOption(new Option('--broker-token <token>', 'the broker token').env('PACT_BROKER_TOKEN'))
    .addOption(
      new Option('--consumer-version-selector <json>', 'a consumer version selector for --broker-url, as JSON (repeatable)')
        .argParser(collect)
        .default([], '{"mainBranch":true} and {"deployedOrReleased":true}'),
    )
    .option('--provider <name>', 'provider name in the pacts', 'auth-service')
    .option('--publish', 'publish the results to the broker')
    .option('--provider-version <version>', 'provider version to publish')
    .option('--provider-branch <branch>', 'provider branch (published with the results; selects pending pacts)')
    .addOption(new Option('--timeout <seconds>', 'the verdict comes within this many seconds, whatever the provider does').argParser(positiveInt).default(60))
    .option('--interaction <regex>', "only the interactions whose description matches (Pact's PACT_DESCRIPTION)")
    .option('--state <regex>', "only the interactions with a provider state that matches; '' for those with none (Pact's PACT_PROVIDER_STATE)")
    .option('--junit <file>', 'write a JUnit XML report (in every outcome)')
    .option('--json', 'print a JSON report (in every outcome)')
    .action(async (opts) => {
      const { runVerify } = await import('../pact/verify.ts');
      await runVerify(opts, io);
    });

  program
    .command('check')
    .description('check every pact interaction against the OpenAPI document')
    .option('--pact <file|dir>', 'pact file or folder (default: ./pacts, else the pacts bundled with worth-auth-mock)')
    .option('--spec <file>', 'the OpenAPI document (default: the bundled one)')
    .option('--json', 'print a JSON report')
    .action(async (opts) => {
      const { runCheck } = await import('../pact/check.ts');
      await runCheck(opts, io);
    });

  return program;
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

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
