import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { MAX_DELAY_MS, MAX_FAULT_TTL_MS, MAX_TTL_SECONDS } from '../config/limits.ts';
import { OPTIONS } from '../config/options.ts';
import type { IssuedTokens } from '../control/services.ts';
import { RemoteError } from '../errors.ts';
import { NETWORK_FAULTS } from '../faults/fault.ts';
import type { Io } from '../io.ts';
import { MESSAGE_KINDS } from '../state/records.ts';
import { TOKEN_KINDS } from '../tokens/token-kinds.ts';
import { collect, collectClaim, positiveInt, probabilityArg, wholeNumber } from './arguments.ts';
import { createClient, DEFAULT_URL } from './client.ts';
import { advanceClock, showClock } from './clock-commands.ts';
import { durationMs, durationSeconds } from './duration.ts';
import { armFault, clearFaults, listFaults } from './fault-commands.ts';
import { paint } from './format.ts';
import { showOutbox } from './outbox-command.ts';
import { showRequests } from './requests-command.ts';
import { expireSession, listSessions, SIGN_IN_STATUSES } from './session-commands.ts';
import { runStart } from './start.ts';
import { addUser, listUsers, removeUser } from './user-commands.ts';

/**
 * The commander program: every command, its options and help (what `npm run docs` prints into docs/commands.md), each
 * group declared by one function below. Commands that talk to a running mock share `--url` and `--admin-token`.
 */
export function buildProgram(io: Io): Command {
  const program = new Command('worth-auth-mock')
    .description(
      "A stateful mock of Worth's Auth Service (sign-in, refresh, logout, users, invitations, password reset), with a real session in front of other mounted APIs",
    )
    .version(VERSION)
    .exitOverride()
    .configureHelp({ helpWidth: 100 })
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: (s, write) => write(paint(io, 'red', s)) });

  for (const declare of [declareStart, declareToken, declareFaults, declareJournal, declareSessions, declareUsers, declareClock, declarePact]) {
    declare(program, io);
  }
  return program;
}

/** The longest token lifetime or clock advance a flag takes, in milliseconds. */
const MAX_TTL_MS = MAX_TTL_SECONDS * 1000;

/** `--url` and `--admin-token`, for a command that talks to a running mock. */
function remote(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the running mock').env('WORTH_MOCK_URL').default(DEFAULT_URL))
    .addOption(new Option('--admin-token <secret>', "the mock's admin token, if it has one").env('WORTH_MOCK_ADMIN_TOKEN'));
}

function clientOf(opts: { url: string; adminToken?: string }) {
  return createClient(opts.url, opts.adminToken);
}

/** `start`: one option per row of the option table (flag, env var, help). */
function declareStart(program: Command, io: Io): void {
  const start = program.command('start').description('start the mock and print a banner: the demo user, a sign-in curl, a ready customer token');
  for (const row of OPTIONS) {
    const option = new Option(`${row.flag}${row.value ? ` ${row.value}` : ''}`, row.help).env(row.env);
    if (row.choices) option.choices(row.choices);
    if (row.repeatable) option.argParser(collect);
    start.addOption(option);
  }
  start.action((_opts, command: Command) => runStart(command, io));
}

/** `token`: mint on the running mock. */
function declareToken(program: Command, io: Io): void {
  remote(program.command('token'))
    .description('mint a token on the running mock and print it (the access token; --json for the whole sign-in)')
    .option('--sub <sub>', 'the user (sub claim)')
    .option('--role <role>', 'custom:role (default customer)')
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 2h (a bare number is seconds)', durationSeconds({ bare: 's', minMs: 1000, maxMs: MAX_TTL_MS }))
    .addOption(new Option('--kind <kind>', 'a valid token or a canned bad one').choices(TOKEN_KINDS).default('valid'))
    .option('--claim <name=value>', 'an extra claim (repeatable; value parsed as JSON when it can be)', collectClaim, {})
    .option('--customer-id <uuid>', 'the customer its id token names (custom:customer_id)')
    .option('--id-token', 'print the id token instead of the access token')
    .option('--json', 'print the whole answer as JSON')
    .action(async (opts) => {
      const body = {
        ...(opts.sub ? { sub: opts.sub } : {}),
        ...(opts.role ? { role: opts.role } : {}),
        ...(opts.customerId ? { customer_id: opts.customerId } : {}),
        ...(opts.ttl ? { ttlSeconds: opts.ttl } : {}),
        kind: opts.kind,
        ...(Object.keys(opts.claim).length ? { claims: opts.claim } : {}),
      };
      const issued = await clientOf(opts).request<IssuedTokens>('POST', '/__mock/tokens', body);
      io.stdout(opts.json ? `${JSON.stringify(issued, null, 2)}\n` : `${opts.idToken ? issued.idToken : issued.token}\n`);
    });
}

/** `fault arm`, `fault list`, `fault clear`. */
function declareFaults(program: Command, io: Io): void {
  const fault = program.command('fault').description('arm, list and clear faults on the running mock');
  remote(fault.command('arm'))
    .description('arm a fault on an operation (default logout): a documented status, a network fault or a delay')
    .argument('[status]', 'a status the spec documents for the operation (others are refused, naming the allowed ones)', positiveInt)
    .option('--operation <operation>', 'the operation it breaks, by name (default logout; * = every one; the mock lists the names it serves)')
    .addOption(new Option('--network <kind>', 'break the connection instead').choices(NETWORK_FAULTS))
    .option('--times <n>', 'how many matching requests it fires for (default 1)', positiveInt)
    .option('--forever', 'fire until cleared')
    .option('--skip <n>', 'let this many matching requests pass first', wholeNumber)
    .option('--probability <p>', 'fire with this probability (0-1), seeded', probabilityArg)
    .option('--seed <n>', 'seed of the probability draws', wholeNumber)
    .option('--delay <duration>', 'delay the answer: 500ms, 2s, 1m (a bare number is milliseconds)', durationMs({ bare: 'ms', minMs: 0, maxMs: MAX_DELAY_MS }))
    .option('--ttl <duration>', 'disarm after: 30s, 10m, 1h (a bare number is milliseconds)', durationMs({ bare: 'ms', minMs: 1, maxMs: MAX_FAULT_TTL_MS }))
    .option('--sub <sub>', 'only for this user (its sub)')
    .option('--sid <sid>', "only for this sign-in (the tokens' origin_jti, from `sessions`)")
    .option('--customer <id>', "only for this customer's users (its id: the {customerID} of its paths, custom:customer_id)")
    .option('--session <name>', 'only for requests with this X-Mock-Session header or mock_session cookie')
    .option('--json', 'print the armed fault as JSON')
    .action((status: number | undefined, opts) => armFault(clientOf(opts), status, opts, io));
  remote(fault.command('list'))
    .description('list armed faults in firing order (newest first) and what each has left')
    .option('--json', 'print JSON (oldest first, as the API lists them)')
    .action((opts) => listFaults(clientOf(opts), opts, io));
  remote(fault.command('clear'))
    .description('disarm one fault, or all')
    .argument('[id]', 'the fault to clear (default: all)')
    .action((id: string | undefined, opts) => clearFaults(clientOf(opts), id, io));
}

/** `requests` (the journal) and `outbox` (what the service would have mailed). */
function declareJournal(program: Command, io: Io): void {
  remote(program.command('requests'))
    .description("show the running mock's request journal (never raw tokens)")
    .option('--operation <operation>', 'only this operation, by name (or other: what no operation answered)')
    .option('--sub <sub>', 'only this user (its sub)')
    .option('--sid <sid>', 'only this sign-in')
    .option('--session <name>', 'only this client session')
    .option('--status <status>', 'only this status', wholeNumber)
    .option('--fault <id>', 'only the requests this fault answered')
    .option('--since <time>', 'only from this ISO time or epoch ms on')
    .option('--limit <n>', 'only the newest n', positiveInt)
    .option('--storms', 'only refreshes that were part of a refresh storm (with its warning), then each sign-in that stormed')
    .option('--follow', 'after the journal, keep printing new requests until interrupted')
    .option('--new', 'skip what the journal holds: follow only requests from now on (implies --follow)')
    .option('--json', 'one JSON object per line')
    .action((opts) => showRequests(clientOf(opts), opts, io));

  remote(program.command('outbox'))
    .description('show what the service would have mailed: invitations and password-reset links (their tokens are in the links)')
    .option('--recipient <email>', 'only to this email')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(MESSAGE_KINDS))
    .option('--json', 'print JSON (the tokens too)')
    .action((opts) => showOutbox(clientOf(opts), opts, io));
}

/** `sessions` (list) and `sessions expire`. */
function declareSessions(program: Command, io: Io): void {
  const sessions = program.command('sessions').description('list sign-ins, or expire one');
  remote(sessions.command('list', { isDefault: true }))
    .description(
      "list sign-ins (the default): sid, sub, state, when its tokens and its refresh token expire, its refreshes and refresh storms, its tokens' jtis. " +
        'States: active (a token is live), tokens-expired (no token is, its refresh token still refreshes), logged-out, ' +
        'ended (its user was deactivated, removed or reset the password), expired (its refresh token expired too)',
    )
    .option('--sub <sub>', 'only this user (its sub)')
    .addOption(new Option('--status <status>', 'only sign-ins in this state').choices(SIGN_IN_STATUSES))
    .option('--json', 'print what GET /__mock/sessions answers (the same filters): { sessions, signIns }')
    .action((opts) => listSessions(clientOf(opts), opts, io));
  remote(sessions.command('expire'))
    .description("expire one sign-in's id and access tokens now; its refresh token still works (the refresh-on-401 path)")
    .argument('<sid>', "the sign-in (the tokens' origin_jti, from `sessions`)")
    .option('--json', 'print JSON')
    .action((sid: string, opts) => expireSession(clientOf(opts), sid, opts, io));
}

/** `users add`, `users list`, `users remove`. */
function declareUsers(program: Command, io: Io): void {
  const users = program.command('users').description("add, list and remove users: the customers' users who sign in");
  remote(users.command('add'))
    .description('add a user who can sign in (or replace the one with that email)')
    .requiredOption('--email <email>', 'the email it signs in with')
    .requiredOption('--password <password>', 'the password it signs in with (never printed or listed)')
    .option('--role <role>', 'custom:role of its tokens (default customer; others sign in and get 403 at logout)')
    .option('--sub <sub>', "its tokens' sub (default: derived from the email, stable across restarts)")
    .option('--given-name <name>', 'given_name (default Test)')
    .option('--family-name <name>', 'family_name (default Customer)')
    .option('--mobile <number>', 'mobile')
    .option('--customer-id <uuid>', 'its customer (default: one of its own, derived from the email)')
    .option('--customer-name <name>', "its customer's name, when no user named that customer before (default: the email's domain)")
    .option('--subrole <code>', 'its subrole in its customer: owner, cro, risk_analyst (default owner)')
    .option('--permission <code>', "a permission code of its own (repeatable; default: its subrole's)", collect, [])
    .option('--disabled', 'INACTIVE: its sign-in fails like a wrong password')
    .option('--json', 'print the added user as JSON')
    .action((opts) => addUser(clientOf(opts), opts, io));
  remote(users.command('list'))
    .description('list the users who can sign in (never a password)')
    .option('--json', 'print JSON')
    .action((opts) => listUsers(clientOf(opts), opts, io));
  remote(users.command('remove'))
    .description('remove a user')
    .argument('<email>', 'the email of the user to remove')
    .action((email: string, opts) => removeUser(clientOf(opts), email, io));
}

/** `clock` (show), `clock advance`, `reset` and `health`. */
function declareClock(program: Command, io: Io): void {
  const clock = program.command('clock').description("show the mock's time, or move it forward");
  remote(clock.command('show', { isDefault: true }))
    .description("show the mock's time and how far ahead of the real time it runs (the default)")
    .option('--json', 'print JSON')
    .action((opts) => showClock(clientOf(opts), opts, io));
  remote(clock.command('advance'))
    .description("move the mock's clock forward, for token expiry (`reset` sets it back)")
    .argument('<duration>', 'how far: 30s, 15m, 1h, 2d (a bare number is seconds)', durationSeconds({ bare: 's', minMs: 1000, maxMs: MAX_TTL_MS }))
    .option('--json', 'print JSON')
    .action((seconds: number, opts) => advanceClock(clientOf(opts), seconds, opts, io));

  remote(program.command('reset'))
    .description('forget tokens, revocations, faults, the journal and added users; set the clock back')
    .action(async (opts) => {
      await clientOf(opts).request('POST', '/__mock/reset');
      io.stdout('reset\n');
    });

  remote(program.command('health'))
    .description('exit 0 when the running mock answers GET /__mock/health, 1 when it does not (a container HEALTHCHECK)')
    .action(async (opts) => {
      const { status } = (await clientOf(opts).request<{ status?: unknown } | undefined>('GET', '/__mock/health')) ?? {};
      if (status !== 'ok') throw new RemoteError(`${opts.url} answered GET /__mock/health without "status": "ok": is it worth-auth-mock?`);
      io.stdout('ok\n');
    });
}

/** `verify` and `check`: loaded only when run. */
function declarePact(program: Command, io: Io): void {
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
    .addOption(new Option('--timeout <seconds>', 'the verdict comes within this many seconds, whatever the provider does').default(60))
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
    .option(
      '--api <file>',
      'also note, for a document to mount (start --api), the operations whose bearer check answers a status it does not document, and examples that fail their schema (repeatable)',
      collect,
    )
    .option('--json', 'print a JSON report')
    .action(async (opts) => {
      const { runCheck } = await import('../pact/check.ts');
      await runCheck(opts, io);
    });
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
